"""``wam assess``: site security assessments of armouries and ammunition stores.

Examples::

    wam assess questions --kind armoury [--json]            # the checklist, with guidance and sources
    wam assess start GAO-ARM --kind armoury                 # prints ASM-000001
    wam assess answer ASM-000001 perimeter-fence=yes two-person=no keys-register=partly
    wam assess action ASM-000001 --question two-person --owner "Capt. Diallo" --due 2027-01-31
    wam assess close ASM-000001                             # every question answered
    wam assess show ASM-000001 [--json]                     # score, level, answers, action plan, history
    wam assess list [--site GAO-ARM] [--json]               # a site's history

With accounts, ``--actor`` must be a user allowed to assess the holder (a role that records or verifies
there), as on the web.
"""

from __future__ import annotations

import getpass
from typing import Any

import typer

from . import common

assess_app = typer.Typer(help="Site security assessments: checklist, score, level, action plan, history.",
                         no_args_is_help=True)
JsonOption = typer.Option(False, "--json", help="Print JSON.")
ActorOption = typer.Option(None, "--actor", help="Who assesses (default: your user name).")


def register(app: typer.Typer) -> None:
    app.add_typer(assess_app, name="assess")


def _register(actor: str | None) -> tuple[Any, Any, str]:
    """The ledger, the scoped register when the ledger has accounts (else None), and the actor's name."""
    from wam.services.registers import acting

    ledger = common.open_ledger()
    name = actor or getpass.getuser()
    scoped = acting(ledger, name)
    if scoped is None:
        return ledger, None, name
    from wam.services.assessments import ScopedAssessments

    return ledger, ScopedAssessments(scoped), name


def _show(ledger: Any, aid: str, as_json: bool) -> None:
    from wam.services import assessments

    shown = assessments.show(ledger, aid)
    if as_json:
        common.print_json(shown)
        return
    score = shown["score"]
    common.stdout.print(f"{shown['id']} {shown['site']} ({shown['kind']}, {shown['state']}): {score['percent']}%, "
                        f"level {score['level']} ({score['level_name']})", markup=False)
    if score["failed_critical"]:
        common.stdout.print(f"  critical questions not met: {', '.join(score['failed_critical'])}", markup=False)
    for q in shown["questions"]:
        mark = "*" if q["critical_for"] else " "
        common.stdout.print(f" {mark}{q['id']:<24} {q['answer'] or '-':<15} {q['text']}", markup=False)
    for a in shown["actions"]:
        common.stdout.print(f"  action {a['number']}: {a['text']} ({a['owner']}, by {a['due']})"
                            f"{' done' if a['done'] else ''}", markup=False)


@assess_app.command("questions")
def questions(kind: str = typer.Option("both", "--kind", help="armoury, ammunition or both"),
              as_json: bool = JsonOption) -> None:
    """The checklist: each question with its area, guidance, source and whether it is critical."""
    from wam.domain import assessments as rules

    found = rules.questions_for(rules.store_kind(kind))
    if as_json:
        common.print_json({"version": rules.VERSION, "thresholds": rules.THRESHOLDS, "questions": [
            {"id": q.id, "area": q.area, "text": q.text, "guidance": q.guidance, "source": q.source,
             "applies": q.applies.value, "critical_for": q.critical_for, "weight": q.weight} for q in found]})
        return
    for q in found:
        critical = f" (critical for level {q.critical_for})" if q.critical_for else ""
        common.stdout.print(f"{q.id}{critical}: {q.text}\n  {q.guidance}", markup=False)


@assess_app.command("start")
def start(site: str = typer.Argument(..., help="The site or store assessed."),
          kind: str = typer.Option(..., "--kind", help="armoury, ammunition or both"),
          actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """Start an assessment against the current checklist."""
    from wam.services import assessments

    ledger, scoped, name = _register(actor)
    aid = assessments.start(ledger, site, kind, actor=name) if scoped is None else scoped.start(site, kind)
    _show(ledger, aid, as_json)


@assess_app.command("answer")
def answer(aid: str = typer.Argument(...),
           given: list[str] = typer.Argument(..., help="QUESTION=yes|partly|no|not_applicable"),
           actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """Answer questions (a later answer to the same question replaces the earlier; both are kept)."""
    from wam.domain.assessments import answers_from
    from wam.services import assessments

    ledger, scoped, name = _register(actor)
    answers = answers_from(given)
    if scoped is None:
        assessments.answer(ledger, aid, answers, actor=name)
    else:
        scoped.answer(aid, answers)
    _show(ledger, aid, as_json)


@assess_app.command("action")
def action(aid: str = typer.Argument(...), question: str = typer.Option("", "--question"),
           owner: str = typer.Option("", "--owner"), due: str = typer.Option("", "--due", help="YYYY-MM-DD"),
           text: str | None = typer.Option(None, "--text", help="default: the question's guidance"),
           done: int | None = typer.Option(None, "--done", help="Mark action N done instead."),
           actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """Add an action to the plan (or mark one done with --done N)."""
    from wam.services import assessments

    ledger, scoped, name = _register(actor)
    if done is not None and scoped is None:
        assessments.action_done(ledger, aid, done, actor=name)
    elif done is not None:
        scoped.action_done(aid, done)
    elif scoped is None:
        assessments.add_action(ledger, aid, question=question, owner=owner, due=due, text=text, actor=name)
    else:
        scoped.add_action(aid, question=question, owner=owner, due=due, text=text)
    _show(ledger, aid, as_json)


@assess_app.command("close")
def close(aid: str = typer.Argument(...), actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """Close the assessment: its score and level are final."""
    from wam.services import assessments

    ledger, scoped, name = _register(actor)
    if scoped is None:
        assessments.close(ledger, aid, actor=name)
    else:
        scoped.close(aid)
    _show(ledger, aid, as_json)


@assess_app.command("show")
def show(aid: str = typer.Argument(...), as_json: bool = JsonOption) -> None:
    """An assessment: score, level, answers, action plan, history."""
    _show(common.open_ledger(), aid, as_json)


@assess_app.command("list")
def listing(site: str | None = typer.Option(None, "--site", help="Only this site's history."),
            as_json: bool = JsonOption) -> None:
    """Every assessment (newest first), or a site's history."""
    from wam.services import assessments

    found = assessments.listing(common.open_ledger(), site)
    if as_json:
        common.print_json({"assessments": found})
        return
    for a in found:
        common.stdout.print(f"{a['id']} {a['site']} {a['kind']} {a['state']}: {a['score']['percent']}% "
                            f"level {a['score']['level']} ({a['score']['level_name']}), "
                            f"{a['actions_open']} action(s) open", markup=False)
