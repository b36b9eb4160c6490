"""Site security assessments kept as records (kind ``assessment``, ref ``ASM-nnnnnn``): each step
(start, answers, an action, an action done, close) is one append-only record of the records chain,
and an assessment is what its records replay to through :func:`wam.domain.assessments.apply`, the
same function that checks a new step. ``wam verify`` replays every assessment
(:func:`verify_assessments`): an altered step that no longer replays is reported.

Who: an assessment is of a site or a store; reading it needs a grant that sees that holder; taking
its steps needs a role that records or verifies there (quartermasters, mission WAM officers,
auditors, administrators): :class:`ScopedAssessments`.

Example::

    from wam.services import assessments
    aid = assessments.start(ledger, "GAO-ARM", "armoury", actor="maj.sy")
    assessments.answer(ledger, aid, {"perimeter-fence": "yes", "two-person": "no"}, actor="maj.sy")
    assessments.add_action(ledger, aid, question="two-person", owner="Capt. Diallo", due="2027-01-31",
                           actor="maj.sy")
    assessments.show(ledger, aid)["score"]   # {"percent": ..., "level": 0, "level_name": "below basic", ...}
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from wam.domain import assessments as rules
from wam.domain.errors import InvalidInput, LedgerProblem, NotFound
from wam.domain.holders import HolderKind
from wam.storage.record_tables import records as record_table

from . import records

if TYPE_CHECKING:
    from .ledger import Ledger
    from .scoped import ScopedLedger

KIND = "assessment"
PREFIX = "ASM"
TITLE = "site security assessment"


def _steps(conn: Connection, aid: str) -> list[tuple[dict[str, Any], str]]:
    return [(record.data, record.actor or "") for record in records.history(conn, KIND, aid)]


def _take(ledger: Ledger, aid: str | None, body: dict[str, Any], actor: str) -> str:
    """Check a step against the assessment as its records replay and append it, in one transaction."""
    def work(conn: Connection) -> str:
        nonlocal body
        if aid is None:
            number = _next_number(conn)
            body = {**body, "id": number}
            rules.apply(None, body, actor)
            records.append(conn, kind=KIND, ref=number, body=body, actor=actor)
            return number
        found = rules.replay(_steps(conn, aid))
        if found is None:
            raise NotFound(TITLE, aid)
        rules.apply(found, body, actor)
        records.append(conn, kind=KIND, ref=aid, body=body, actor=actor)
        return aid

    return records.retrying(ledger.engine, work)


def _next_number(conn: Connection) -> str:
    refs = conn.execute(select(record_table.c.ref).where(record_table.c.kind == KIND).distinct()).scalars()
    numbers = [int(ref[len(PREFIX) + 1:]) for ref in refs if ref[len(PREFIX) + 1:].isdecimal()]
    return f"{PREFIX}-{max(numbers, default=0) + 1:06d}"


def start(ledger: Ledger, site: str, kind: str, *, actor: str) -> str:
    """Start an assessment of a site or a store against the current checklist; return its id.

    Raises:
        NotFound: no such holder.
        InvalidInput: not a site or a store, or an unknown kind of store.
    """
    holder = ledger.holder(site)
    if holder.kind not in (HolderKind.SITE, HolderKind.STORE):
        raise InvalidInput(f"{site} is a {holder.kind.value}: assess a site or a store", field="site")
    still_open = [a["id"] for a in listing(ledger, holder.code) if a["state"] == "open"]
    if still_open:
        raise InvalidInput(f"{still_open[0]} of {holder.code} is still open: close it before starting another",
                           field="site")
    return _take(ledger, None, {"step": "start", "site": holder.code, "kind": rules.store_kind(kind).value,
                                "version": rules.VERSION}, actor)


def answer(ledger: Ledger, aid: str, answers: Mapping[str, object], *, notes: Mapping[str, str] | None = None,
           actor: str) -> None:
    _take(ledger, aid, {"step": "answer", "answers": {k: str(v) for k, v in answers.items()},
                        "notes": dict(notes or {})}, actor)


MAX_DUE_YEARS = 5  # an action plan's horizon: a due date further out (or already past) is a typing error


def add_action(ledger: Ledger, aid: str, *, question: str, owner: str, due: str, text: str | None = None,
               actor: str) -> None:
    """Add an action to the plan, due today or later and within :data:`MAX_DUE_YEARS` (checked when it
    is taken, by the services' clock; a replay keeps what was accepted then)."""
    from datetime import date

    today = ledger.clock().date()
    try:
        when = date.fromisoformat(str(due).strip())
    except ValueError:
        raise InvalidInput(f"{due!r} is not a date (YYYY-MM-DD)", field="due") from None
    if not today <= when <= today.replace(year=today.year + MAX_DUE_YEARS):
        raise InvalidInput(f"must be from {today.isoformat()} and within {MAX_DUE_YEARS} years", field="due")
    _take(ledger, aid, {"step": "action", "question": question, "owner": owner, "due": due, "text": text}, actor)


def action_done(ledger: Ledger, aid: str, number: int, *, actor: str) -> None:
    _take(ledger, aid, {"step": "action_done", "action": number}, actor)


def close(ledger: Ledger, aid: str, *, actor: str) -> None:
    _take(ledger, aid, {"step": "close"}, actor)


def get(ledger: Ledger, aid: str) -> rules.Assessment:
    with ledger.engine.connect() as conn:
        found = rules.replay(_steps(conn, aid))
    if found is None:
        raise NotFound(TITLE, aid)
    return found


def _summary(found: rules.Assessment) -> dict[str, Any]:
    scored = found.score()
    return {"id": found.id, "site": found.site, "kind": found.kind.value, "version": found.version,
            "state": found.state, "started_by": found.started_by, "closed_by": found.closed_by,
            "score": {"percent": scored.percent, "level": scored.level, "level_name": scored.level_name,
                      "failed_critical": list(scored.failed_critical), "unanswered": len(scored.unanswered)},
            "actions_open": sum(1 for a in found.actions if not a.done)}


def show(ledger: Ledger, aid: str) -> dict[str, Any]:
    """One assessment: its score and level, every question with its answer, guidance and source, its
    action plan and the history of its steps (who, when)."""
    found = get(ledger, aid)
    with ledger.engine.connect() as conn:
        history = [{"step": r.data["step"], "by": r.actor, "recorded_at": r.recorded_at}
                   for r in records.history(conn, KIND, aid)]
    return {**_summary(found),
            "questions": [{"id": q.id, "area": q.area, "text": q.text, "guidance": q.guidance, "source": q.source,
                           "critical_for": q.critical_for, "weight": q.weight,
                           "answer": None if q.id not in found.answers else found.answers[q.id].value,
                           "note": found.notes.get(q.id)} for q in rules.questions_for(found.kind)],
            "actions": [{"number": n, "question": a.question, "text": a.text, "owner": a.owner, "due": a.due,
                         "done": a.done, "done_by": a.done_by} for n, a in enumerate(found.actions, start=1)],
            "thresholds": rules.THRESHOLDS, "history": history}


def listing(ledger: Ledger, site: str | None = None) -> list[dict[str, Any]]:
    """Every assessment (or a site's: its history), newest first."""
    steps: dict[str, list[tuple[dict[str, Any], str]]] = defaultdict(list)
    with ledger.engine.connect() as conn:
        for record in records.all_records(conn, kinds=[KIND]):
            steps[record.ref].append((record.data, record.actor or ""))
    out = []
    for aid in sorted(steps, reverse=True):
        found = rules.replay(steps[aid])
        if found is not None and (site is None or found.site == site):
            out.append(_summary(found))
    return out


def verify_assessments(conn: Connection) -> list[LedgerProblem]:
    """Every assessment's records replay through the one transition function."""
    steps: dict[str, list[tuple[dict[str, Any], str]]] = defaultdict(list)
    for record in records.all_records(conn, kinds=[KIND]):
        try:
            steps[record.ref].append((json.loads(record.body), record.actor or ""))
        except ValueError:
            return [LedgerProblem("records", f"{TITLE} {record.ref}: record {record.seq} is not JSON")]
    problems = []
    for aid, taken in sorted(steps.items()):
        try:
            rules.replay(taken)
        except InvalidInput as exc:
            problems.append(LedgerProblem("records", f"{TITLE} {aid} does not replay: {exc.detail}"))
    return problems


class ScopedAssessments:
    """Assessments as a signed-in user may read and take them (see the module docstring)."""

    def __init__(self, scoped: ScopedLedger) -> None:
        self.scoped = scoped

    def _may_assess_somewhere(self) -> None:
        """A role that assesses nowhere is refused first (403, which reveals nothing), as
        :meth:`ScopedLedger._require` does; then what is out of sight is not found (404)."""
        from wam.domain.access import Action
        from wam.domain.errors import PermissionDenied

        if not (self.scoped.can(Action.RECORD) or self.scoped.can(Action.VERIFY)):
            raise PermissionDenied("your role does not allow assessing")

    def may_take(self, site: str) -> bool:
        """Tell whether the user may take an assessment's steps at ``site`` (to show or hide a form)."""
        from wam.domain.access import Action

        return self.scoped.allows(site, Action.RECORD) or self.scoped.allows(site, Action.VERIFY)

    def _may_take(self, site: str) -> None:
        from wam.domain.access import Action
        from wam.domain.errors import PermissionDenied

        scoped = self.scoped
        if not scoped.visible(site):
            raise NotFound("holder", site)
        if not (scoped.allows(site, Action.RECORD) or scoped.allows(site, Action.VERIFY)):
            raise PermissionDenied(f"your role does not allow assessing {site}")

    def _site_of(self, aid: str) -> str:
        found = get(self.scoped.ledger, aid)
        if not self.scoped.visible(found.site):
            raise NotFound(TITLE, aid)
        return found.site

    def listing(self, site: str | None = None) -> list[dict[str, Any]]:
        if site is not None and not self.scoped.visible(site):
            raise NotFound("holder", site)
        return [a for a in listing(self.scoped.ledger, site) if self.scoped.visible(a["site"])]

    def show(self, aid: str) -> dict[str, Any]:
        self._site_of(aid)
        return show(self.scoped.ledger, aid)

    def start(self, site: str, kind: str) -> str:
        self._may_assess_somewhere()
        self._may_take(site)
        return start(self.scoped.ledger, site, kind, actor=self.scoped.actor)

    def answer(self, aid: str, answers: Mapping[str, object], notes: Mapping[str, str] | None = None) -> None:
        self._may_assess_somewhere()
        self._may_take(self._site_of(aid))
        answer(self.scoped.ledger, aid, answers, notes=notes, actor=self.scoped.actor)

    def add_action(self, aid: str, *, question: str, owner: str, due: str, text: str | None = None) -> None:
        self._may_assess_somewhere()
        self._may_take(self._site_of(aid))
        add_action(self.scoped.ledger, aid, question=question, owner=owner, due=due, text=text,
                   actor=self.scoped.actor)

    def action_done(self, aid: str, number: int) -> None:
        self._may_assess_somewhere()
        self._may_take(self._site_of(aid))
        action_done(self.scoped.ledger, aid, number, actor=self.scoped.actor)

    def close(self, aid: str) -> None:
        self._may_assess_somewhere()
        self._may_take(self._site_of(aid))
        close(self.scoped.ledger, aid, actor=self.scoped.actor)
