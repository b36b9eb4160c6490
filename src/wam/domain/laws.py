"""The ledger's laws, as pure checks and a replay.

1. A serialised item is held by exactly one holder at any moment: each movement of it comes
   from the holder that has it at that moment (its first movement from an external holder),
   and moves exactly one.
2. No real holder's balance of any item is ever negative, at any moment in occurrence order.
   A back-dated movement is accepted only if every later balance stays non-negative.
3. Every movement nets to zero: it moves a positive quantity from its source to its target.
4. Recorded entries are never updated or deleted (enforced by the database, checked by the
   chain; corrections are reversals).
5. The balances the application shows equal a full replay of the ledger
   (:class:`Replay` is that replay).

Occurrence order is ``(occurred_at, seq)``: a movement recorded later for the same instant
comes after the ones already recorded for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from .errors import LedgerProblem, PostingRejected
from .timefmt import iso


def check_nets_to_zero(*, item: str, quantity: int, source: str, target: str, shown: str | None = None) -> None:
    """Law 3: a movement moves a positive whole quantity from one holder to another."""
    if quantity <= 0:
        raise PostingRejected(f"quantity {shown or repr(quantity)} is not a whole number of at least 1", law=3,
                              item=item, holder=source)
    if source == target:
        raise PostingRejected("source and target are the same holder", law=3, item=item, holder=source)


def check_serial_custody(*, item: str, quantity: int, source: str, holder_now: str | None, source_external: bool) -> None:
    """Law 1 for a movement of a serialised item, given who holds it at the movement's moment."""
    if quantity != 1:
        raise PostingRejected(f"a serialised item moves one at a time, not {quantity}", law=1, item=item, holder=source)
    if holder_now is None:
        if not source_external:
            raise PostingRejected(
                f"{item} is not yet in the ledger; it must first arrive from an external holder "
                "(supply:<country> or recovered:<source>)",
                law=1,
                item=item,
                holder=source,
            )
    elif holder_now != source:
        raise PostingRejected(f"{item} is held by {holder_now}, not by {source}", law=1, item=item, holder=source,
                              mentions=(holder_now,))


def check_serial_not_backdated(*, item: str, source: str, next_source: str | None, next_at: int | None) -> None:
    """Law 1 for a back-dated movement: a later movement exists, so inserting this one would
    leave that later movement coming from a holder that no longer has the item."""
    if next_source is not None and next_at is not None:
        raise PostingRejected(
            f"{item} moved again at {iso(next_at)} from {next_source}; a movement before that "
            "would break its custody chain (record a correction after it instead)",
            law=1,
            item=item,
            holder=source,
            mentions=(next_source,),
        )


def check_non_negative(*, item: str, holder: str, quantity: int, balance_at: int, later_deltas: Iterable[int]) -> None:
    """Law 2 for taking ``quantity`` from a real holder at a moment.

    Args:
        balance_at: the holder's balance of the item at the movement's moment.
        later_deltas: the changes to that balance from every later movement, in occurrence order.
    """
    running = balance_at - quantity
    if running < 0:
        raise PostingRejected(
            f"{holder} holds {balance_at} of {item} at that moment; cannot move {quantity}",
            law=2,
            item=item,
            holder=holder,
        )
    for delta in later_deltas:
        running += delta
        if running < 0:
            raise PostingRejected(
                f"back-dating this would leave {holder} with a negative balance of {item} later on",
                law=2,
                item=item,
                holder=holder,
            )


class _Same(dict):
    """A mapping of every key to itself, for :meth:`Replay.apply` (codes given directly)."""

    def get(self, key, default=None):  # noqa: ANN001, ANN201, ARG002
        return key


_SAME = _Same()


class Replay:
    """Replay entries in occurrence order, keeping balances and custody, collecting problems.

    This is the reference for law 5: whatever balances the storage keeps must equal
    :attr:`balances` after replaying every entry.
    """

    def __init__(self, is_external: Callable[[str], bool], is_serial: Callable[[str], bool]) -> None:
        self._is_external = is_external
        self._is_serial = is_serial
        self.balances: defaultdict[tuple[str, str], int] = defaultdict(int)
        self.custody: dict[str, str] = {}
        self.problems: list[LedgerProblem] = []

    def apply(self, seq: int, item: str, quantity: int, source: str, target: str) -> None:
        """Apply one movement and record any law it breaks."""
        self.apply_rows([(seq, item, quantity, source, target, None)], _SAME, _SAME)

    def apply_rows(self, rows: Iterable[tuple], items: Mapping, holders: Mapping) -> bool:
        """Apply many movements, given as (seq, item id, quantity, source id, target id,
        occurred_at) with maps from ids to keys and codes; return whether they came in
        occurrence order. One loop rather than a call per movement: verify replays millions.

        A row whose values have the wrong type (a tampered database) is reported, not raised.
        """
        balances, custody, problems = self.balances, self.custody, self.problems
        is_serial, is_external = self._is_serial, self._is_external
        item_of, holder_of = items.get, holders.get
        last_at = None
        in_order = True
        for seq, item_id, quantity, source_id, target_id, occurred in rows:
            try:
                item, source, target = item_of(item_id), holder_of(source_id), holder_of(target_id)
                if occurred is not None:
                    if last_at is not None and occurred < last_at:
                        in_order = False
                    else:
                        last_at = occurred
                # each law's own check runs where its cheap test fails, and names the problem
                if quantity <= 0 or source == target:
                    self._report(seq, check_nets_to_zero, item=item, quantity=quantity, source=source, target=target)
                if is_serial(item):
                    holder = custody.get(item)
                    if holder != source or quantity != 1:
                        self._report(seq, check_serial_custody, item=item, quantity=quantity, source=source,
                                     holder_now=holder, source_external=is_external(source))
                    custody[item] = target
                key = (source, item)
                before = balances[key]
                balances[key] = before - quantity
                if before < quantity and not is_external(source):
                    self._report(seq, check_non_negative, item=item, holder=source, quantity=quantity,
                                 balance_at=before, later_deltas=())
                balances[(target, item)] += quantity
            except (TypeError, ValueError) as exc:
                problems.append(LedgerProblem("laws", f"cannot be replayed: a value has the wrong type ({exc})", seq))
        return in_order

    def _report(self, seq: int, law: Callable[..., None], **facts: object) -> None:
        """Run a law's check, the one posting runs, and record the problem it names, if any."""
        try:
            law(**facts)
        except PostingRejected as exc:
            self.problems.append(LedgerProblem(f"law {exc.law}", exc.detail, seq, exc.item, exc.holder))

    def nonzero_balances(self) -> dict[tuple[str, str], int]:
        """Return the balances that are not zero."""
        return {k: v for k, v in self.balances.items() if v != 0}
