"""``wam verify`` replays the storage rules (:mod:`wam.domain.storage`) over what is stored: each
movement of a lot into a store, and each issue, transfer or expenditure of a lot that was ever
suspended, is checked again by the same :class:`~wam.domain.rules.Rule` the posting ran, against
the state the posting saw: the entries posted before it (seq order), and the surveys, overrides
and suspensions recorded before it was posted (each says the ledger's last entry then:
``ledger_seq``, :mod:`wam.services.storage_state`; a record without it, from an older wam, is not
held against any entry). An entry the rules would have refused (written around wam, or by an
older wam) is reported with its seq.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from wam.domain.errors import LedgerProblem, WamError
from wam.domain.holders import HolderKind
from wam.domain.movements import Movement, MovementKind
from wam.domain.rules import RULES, Reads, Rule
from wam.domain.storage import Contents, LotClass, LotStatus, lot_class, moments_after, status_at

from .catalog import HolderRef
from .storage_state import DISTANCES_KIND, OVERRIDE_KIND, STATUS_KIND, applies_after, status_change, survey

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_STORAGE_READS = frozenset({Reads.STORE, Reads.STATUS})


def storage_rules(rules: tuple[Rule, ...] = RULES) -> list[Rule]:
    """The rules that read the stores' contents or the lots' status: replayed here."""
    return [r for r in rules if r.reads & _STORAGE_READS]


class _AsOf:
    """Values recorded over time, looked up as they stood before an entry was posted."""

    def __init__(self) -> None:
        self.after: list[tuple[int, int]] = []  # (ledger_seq, order recorded)
        self.values: list[Any] = []
        self._sorted: list[tuple[int, Any]] | None = None

    def add(self, after: int | None, value: Any) -> None:
        if after is None:
            return  # an older wam's record: when it began to apply is not known
        self.after.append((after, len(self.after)))
        self.values.append(value)

    def _before(self, seq: int) -> list[Any]:
        if self._sorted is None:
            self._sorted = [(after, v) for (after, _), v in sorted(zip(self.after, self.values, strict=True))]
        return [v for after, v in self._sorted if after < seq]

    def at(self, seq: int) -> Any:
        found = self._before(seq)
        return found[-1] if found else None

    def upto(self, seq: int) -> list[Any]:
        return self._before(seq)


@dataclass
class _Replay:
    conn: Connection
    stores: dict[int, str]  # store id -> code
    classes: dict[int, LotClass]
    keys: dict[int, str]
    surveys: dict[str, _AsOf]
    overrides: dict[tuple[str, str], _AsOf]
    statuses: dict[str, _AsOf]

    def __post_init__(self) -> None:
        self.contents: dict[int, dict[int, int]] = {}
        self.last: dict[int, int] = {}


@dataclass
class _Facts:
    """One stored movement as the storage rules see it, at the moment it was posted."""

    replay: _Replay
    movement: Movement
    when: int
    seq: int
    item_id: int
    source: HolderRef
    target: HolderRef
    serialised: bool = False

    def lot_class(self) -> LotClass | None:
        return self.replay.classes.get(self.item_id)

    def store_moments(self) -> Iterator[Contents]:
        replay, store = self.replay, self.target.id
        now = replay.contents.get(store, {})
        later: list[tuple[int, int]] = []
        if self.when < replay.last.get(store, self.when):  # back-dated: the store's later changes, as posted then
            mark = "?" if self.replay.conn.dialect.paramstyle == "qmark" else "%s"
            later = [(i, d) for i, d in self.replay.conn.exec_driver_sql(
                f"SELECT item_id, CASE WHEN target_id = {mark} THEN quantity ELSE -quantity END FROM entries "
                f"WHERE (source_id = {mark} OR target_id = {mark}) AND occurred_at > {mark} AND seq < {mark} "
                "ORDER BY occurred_at, seq", (store, store, store, self.when, self.seq)).fetchall()
                     if i in replay.classes]
        for held in moments_after(now, later):
            yield {replay.keys[i]: (replay.classes[i], q) for i, q in held.items() if q}

    def store_distances(self) -> Mapping[str, float]:
        found = self.replay.surveys.get(self.target.code)
        return (found.at(self.seq) if found else None) or {}

    def overridden(self) -> bool:
        found = self.replay.overrides.get((self.target.code, self.movement.item))
        return bool(found and found.at(self.seq))

    def lot_status(self) -> LotStatus | None:
        found = self.replay.statuses.get(self.movement.item)
        return None if found is None else status_at(found.upto(self.seq), self.when)


def _records(conn: Connection, kind: str) -> list[tuple[str, dict[str, Any]]]:
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    return [(ref, json.loads(body)) for ref, body in conn.exec_driver_sql(
        f"SELECT ref, body FROM records WHERE kind = {mark} ORDER BY seq", (kind,)).fetchall()]


def storage_problems(conn: Connection, rules: tuple[Rule, ...] = RULES) -> list[LedgerProblem]:
    """Replay the storage rules over every stored entry they apply to; report those they refuse."""
    checks = storage_rules(rules)
    if not checks:
        return []
    stores: dict[int, str] = dict(conn.exec_driver_sql(
        f"SELECT id, code FROM holders WHERE kind = '{HolderKind.STORE.value}'").fetchall())
    classes, keys = {}, {}
    status_keys = {ref for ref, _ in _records(conn, STATUS_KIND)}
    for item_id, key, division, group, neq in conn.exec_driver_sql(
            "SELECT id, \"key\", hazard_division, compatibility_group, neq_kg FROM items WHERE shape = 'lot'"):
        cls = lot_class(division, group, neq)
        if cls is not None or key in status_keys:
            keys[item_id] = key
        if cls is not None:
            classes[item_id] = cls
    if not keys:
        return []
    surveys: dict[str, _AsOf] = {}
    for ref, body in _records(conn, DISTANCES_KIND):
        surveys.setdefault(ref, _AsOf()).add(applies_after(body), survey(body))
    overrides: dict[tuple[str, str], _AsOf] = {}
    for ref, body in _records(conn, OVERRIDE_KIND):
        overrides.setdefault((ref, body["item"]), _AsOf()).add(applies_after(body), not body.get("withdrawn"))
    statuses: dict[str, _AsOf] = {}
    for ref, body in _records(conn, STATUS_KIND):
        statuses.setdefault(ref, _AsOf()).add(applies_after(body), status_change(body))
    replay = _Replay(conn, stores, classes, keys, surveys, overrides, statuses)
    holders: dict[int, HolderRef] = {}

    def holder(holder_id: int) -> HolderRef:
        ref = holders.get(holder_id)
        if ref is None:
            code, kind = conn.exec_driver_sql(
                f"SELECT code, kind FROM holders WHERE id = {int(holder_id)}").one()
            ref = holders[holder_id] = HolderRef(holder_id, code, HolderKind(kind))
        return ref

    problems: list[LedgerProblem] = []
    contents, last = replay.contents, replay.last
    rows = conn.execution_options(stream_results=True, max_row_buffer=5000).exec_driver_sql(
        "SELECT e.seq, e.kind, e.item_id, e.quantity, e.source_id, e.target_id, e.occurred_at, "
        "e.reason FROM entries e JOIN items i ON i.id = e.item_id WHERE i.shape = 'lot' ORDER BY e.seq")
    for seq, kind, item_id, quantity, source_id, target_id, when, reason in rows:
        key = keys.get(item_id)
        if key is None:
            continue
        into_store = target_id in stores
        if into_store or key in statuses:
            try:
                source, target = holder(source_id), holder(target_id)
                movement = Movement(MovementKind(kind), key, quantity, source.code, target.code,
                                    _EPOCH + timedelta(microseconds=when), "(stored)", reason=reason)
                facts = _Facts(replay, movement, when, seq, item_id, source, target)
                for rule in checks:
                    if rule.applies_to(movement.kind):
                        rule.check(facts)  # type: ignore[arg-type]  # reads only what _Facts gives
            except WamError as exc:
                problems.append(LedgerProblem(f"rule {rule.name}", str(exc), seq, key))
            except ValueError as exc:
                problems.append(LedgerProblem("rules", f"a stored value is not one wam knows ({exc})", seq, key))
        if item_id in classes:
            for store_id, delta in ((source_id, -quantity), (target_id, quantity)):
                if store_id in stores:
                    held = contents.setdefault(store_id, {})
                    held[item_id] = held.get(item_id, 0) + delta
                    if when > last.get(store_id, when - 1):
                        last[store_id] = when
    return problems
