"""Posting movements: law checks, hash chain, balances, in one transaction.

The same code posts one movement from a form and a million from a file. Steps, for each
movement in order:

1. Resolve the source, target and item (external holders are created on first use).
2. Check the rules of the kind that need the ledger (persons, reversals).
3. Check the laws. The common case, a movement at or after the item's latest movement,
   needs only the current balance and custody, kept in memory for the batch. A back-dated
   movement is checked against the item's stored history (pending rows are flushed first).
4. Give it the next seq and link its hash to the previous one.
5. Update the in-memory balances and custody.

Rows go to the database in chunks, written by a second thread while the next chunk is
checked; balances and the chain head are written at the end, in the same transaction, and the
head is moved with a compare-and-set so that a concurrent writer is detected rather than
silently forked.

On SQLite a chunk of fast-path rows travels as one JSON document and one blob of hashes,
inserted by a single statement (``INSERT .. SELECT .. FROM json_each``). The driver binds
``executemany`` parameters row by row holding the GIL, so a writer thread using it takes the
GIL back from the checking thread once per row and the two barely overlap; one statement per
chunk runs entirely inside SQLite, with the GIL released.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from hashlib import sha256
from json import JSONEncoder
from operator import itemgetter

from sqlalchemy import Connection, func, select, text, update

from wam.domain.chain import NONE, canonical_bytes, link
from wam.domain.errors import ConcurrentAppend, InvalidInput, NotFound, PostingRejected
from wam.domain.holders import HolderKind
from wam.domain.materiel import Shape
from wam.domain.movements import MAX_QUANTITY, TEXT_LIMITS, Entry, Movement, MovementKind
from wam.domain.rules import RULES, Reads, Rule, check_all, fast_kinds
from wam.domain.storage import BLOCKED_KINDS
from wam.domain.text import is_clean
from wam.storage import bulk
from wam.storage import tables as t

from .catalog import Catalog, HolderRef, ItemRef
from .marks import forget_after
from .rule_facts import LedgerFacts as _Facts
from .storage_state import StorageState

CHUNK = 5000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_KIND_TEXT = {kind: kind.value for kind in MovementKind}
_DOCUMENT_MAX, _WITNESS_MAX, _NOTE_MAX = TEXT_LIMITS["document"], TEXT_LIMITS["witness"], TEXT_LIMITS["note"]
# Indexes a bulk load into an empty ledger builds once at the end rather than row by row:
# those whose keys arrive in an order scattered over the whole index (an item's history: as
# many insertion points as items), and a holder's (source_time, target_time): no check of the
# posting reads them, and building them from sorted keys at the end costs less than keeping
# them row by row (200,000 receipts from 60 stores' suppliers: 0.2 s less on SQLite). The
# global id's index is kept as rows are written, on the writer thread: its keys arrive in order.
_DEFERRABLE = ("ix_entries_item_time", "ix_entries_reverses", "ix_entries_time", "ix_entries_quantity",
               "ix_entries_source_time", "ix_entries_target_time")
_READ_BACK = ("ix_entries_item_time", "ix_entries_reverses")  # those the posting's own queries use

# The fast path (Poster.post_stream) remembers, under a key of these fields, that a movement's
# rules that read only fields and ends were checked; it requires the ``presence`` fields it
# cannot key by value to be absent (reverses) or checks them itself (document, witness, note);
# and it implements the fast forms of the rules named in FAST_INLINE. Which kinds it may serve
# is derived from these and the rules (domain.rules.fast_kinds), never listed by hand.
FAST_KEY_VALUES = ("kind", "source", "target", "actor", "reason")
FAST_KEY_PRESENCE = ("document", "witness", "note", "reverses")
FAST_INLINE = frozenset({"fields", "lots only", "law 1 order", "law 1 custody", "law 2", "suspended lot", "storage"})

_JSON = JSONEncoder(separators=(",", ":")).encode
# A fast-path row reaches SQLite as (see _json_insert_sql): its integers, fixed-width decimal
# text, 20 characters each (a sign and 19 digits: every 64-bit integer), cut out by position;
# its text fields, in a JSON array; its hashes, 64 bytes. Cutting integers out of fixed-width
# text costs SQLite half of what finding them in JSON does.
_INT_FIELDS = ("seq", "item_id", "quantity", "source_id", "target_id", "occurred_at")
_TEXT_FIELDS = ("kind", "actor", "witness", "document", "note", "reason")
_INT_WIDTH = 20
_INTS = "%+020d" * len(_INT_FIELDS)
#: a fast-path row, as the fast path builds it
_FAST_FIELDS = ("seq", "kind", "item_id", "quantity", "source_id", "target_id", "occurred_at", "actor", "witness",
                "document", "note", "reason")
_texts_of = itemgetter(*(_FAST_FIELDS.index(f) for f in _TEXT_FIELDS))
_ints_of = itemgetter(*(_FAST_FIELDS.index(f) for f in _INT_FIELDS))

_ENTRY_COLUMNS = (
    "seq", "origin_id", "origin_seq", "kind", "item_id", "quantity", "source_id", "target_id",
    "occurred_at", "recorded_at", "actor", "witness", "document", "note", "reason", "reverses",
    "prev_hash", "hash",
)


@dataclass
class _BatchState:
    """What the batch knows of the ledger: loaded lazily, updated as movements are accepted."""

    # The ledger was empty when the batch began: nothing to load, and a balance that falls to
    # zero is forgotten rather than kept (there is no stored row to delete), so that memory
    # follows what is held, not every (holder, item) pair a weapon ever passed through.
    fresh: bool
    balances: dict[tuple[int, int], int] = field(default_factory=dict)
    # each (holder, item) pair's balance as read from the database (0: no row), so that a pair
    # that ends where it began (a weapon issued and returned) is not written again
    stored: dict[tuple[int, int], int] = field(default_factory=dict)
    # per item: the holder of its latest movement, None if it has none (then it has no latest
    # time either: an item whose custody is None and that is absent from last_at has no
    # history, and its first movement is served by the fast path)
    custody: dict[int, int | None] = field(default_factory=dict)
    last_at: dict[int, int] = field(default_factory=dict)
    # items registered in this transaction (a ledger that is not fresh): no entry, no stored balance
    new_items: set[int] = field(default_factory=set)
    reversed_uids: set[str] = field(default_factory=set)


class Poster:
    """Posts a stream of movements in one transaction on ``conn``."""

    def __init__(self, conn: Connection, catalog: Catalog, *, ledger_id: int, ledger_uuid: str, recorded_at: int,
                 rules: tuple[Rule, ...] = RULES) -> None:
        self.conn = conn
        self.rules = rules
        self._fast_kinds, self._early_rules, self._late_rules = _plan(rules)
        self.catalog = catalog
        self.ledger_id = ledger_id
        self.ledger_uuid = ledger_uuid
        self.recorded_at = recorded_at
        head_query = select(t.chain_head.c.seq, t.chain_head.c.hash).where(t.chain_head.c.id == 1)
        if conn.dialect.name == "postgresql":
            head_query = head_query.with_for_update()  # writers queue here, not at commit
        head = conn.execute(head_query).one()
        self.start_seq = self.seq = head.seq
        self.start_hash = self.prev = bytes(head.hash)
        self.state = _BatchState(fresh=head.seq == 0)
        self.storage = StorageState(self)
        self._deferred: list = []
        # monthly balance marks exist: movements before a holder's marks make them stale
        self._marks = not self.state.fresh and conn.execute(select(t.mark_sets.c.holder_id).limit(1)).first() is not None
        self._mark_floor: dict[int, int | None] = {}
        self._stale: dict[int, int] = {}
        self._writer = None
        self._in_flight = None
        self.rows: list[tuple] = []
        self.fast_rows: list[tuple] = []  # narrow rows of the fast path (_FAST_FIELDS)
        self.fast_hashes: list[bytes] = []  # their prev_hash and hash, in turn
        self._json_sql = _json_insert_sql(conn)
        self._copy = conn.dialect.name == "postgresql"  # entries by COPY (wam.storage.bulk says why)
        self._dropped_keys: list[tuple[str, str, str]] = []
        self.entries: list[Entry] = []
        self.keep_entries = False
        self._ends: dict[tuple, tuple[HolderRef, HolderRef]] = {}
        self._items = catalog._items
        self._recorded_text = str(recorded_at)
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        self._insert_sql = f"INSERT INTO entries ({', '.join(_ENTRY_COLUMNS)}) VALUES ({', '.join([mark] * len(_ENTRY_COLUMNS))})"
        self._delete_sql = f"DELETE FROM balances WHERE holder_id = {mark} AND item_id = {mark}"
        self._upsert_sql = (
            f"INSERT INTO balances (holder_id, item_id, quantity) VALUES ({mark}, {mark}, {mark}) "
            "ON CONFLICT (holder_id, item_id) DO UPDATE SET quantity = excluded.quantity"
        )

    # state, loaded lazily -----------------------------------------------------------------
    def _balance(self, holder_id: int, item_id: int) -> int:
        key = (holder_id, item_id)
        value = self.state.balances.get(key)
        if value is None:
            value = 0
            if not self.state.fresh and item_id not in self.state.new_items:
                self.drain()
                row = self.conn.execute(
                    select(t.balances.c.quantity).where(t.balances.c.holder_id == holder_id, t.balances.c.item_id == item_id)
                ).first()
                value = self.state.stored[key] = row.quantity if row else 0
            self.state.balances[key] = value
        return value

    def _custodian(self, item_id: int) -> int | None:
        if item_id in self.state.custody:
            return self.state.custody[item_id]
        holder = None
        if not self.state.fresh:
            # the holder is the target of the item's latest movement, as the replay has it
            self.drain()
            holder = self.conn.execute(
                select(t.entries.c.target_id)
                .where(t.entries.c.item_id == item_id)
                .order_by(t.entries.c.occurred_at.desc(), t.entries.c.seq.desc())
                .limit(1)
            ).scalar()
        self.state.custody[item_id] = holder
        return holder

    def _last_at(self, item_id: int) -> int | None:
        if item_id in self.state.last_at:
            return self.state.last_at[item_id]
        last = None
        if not self.state.fresh and item_id not in self.state.new_items:
            self.drain()
            last = self.conn.execute(select(text("max(occurred_at)")).select_from(t.entries).where(t.entries.c.item_id == item_id)).scalar()
        if last is not None:
            self.state.last_at[item_id] = last
        return last

    # posting -----------------------------------------------------------------------------
    def post(self, mv: Movement) -> None:
        """Check and append one movement (written at the next flush)."""
        self.post_stream((mv,), numbered=False)

    def post_stream(self, movements: Iterable[Movement], on_each: Callable[[], None] | None = None, *,
                    numbered: bool = True) -> int:
        """Check and append every movement of ``movements`` in order; return how many.

        The fast path serves the common case of a bulk import: a movement whose kind, ends
        and references were already fully checked once in this batch (so are cached), of a
        known item, not back-dated, that the in-memory balance or custody allows. Anything
        else takes :meth:`_post_checked`, which checks everything and raises the precise error
        (``numbered``: naming the movement's position in the stream).

        One loop over the stream, with the batch's state in local variables: at a million
        movements, a method call and a dozen attribute lookups per movement are a fifth of
        the time.
        """
        state = self.state
        balances, last_at, custody, fresh = state.balances, state.last_at, state.custody, state.fresh
        ends_cache, items, fast_rows, hashes = self._ends, self._items, self.fast_rows, self.fast_hashes
        uuid, recorded_text, marks, keep = self.ledger_uuid, self._recorded_text, self._marks, self.keep_entries
        expenditure, serial_shape = MovementKind.EXPENDITURE, Shape.SERIAL
        # the storage rules' fast forms: a lot entering a store is served when the rule surely
        # accepts it (StorageState.passes), and an issue, transfer or expenditure of a lot that
        # was ever suspended takes the checked path
        storage = self.storage
        store_kind, blocked, status_ids, store_passes = HolderKind.STORE, BLOCKED_KINDS, storage.status_ids, storage.passes
        store_last = storage.store_last
        seq, prev = self.seq, self.prev
        number = 0
        last_moment, last_when = None, 0
        for mv in movements:
            number += 1
            kind, item_key, quantity, source_code, target_code, occurred_at, actor, witness, document, note, reason, rev = mv
            # keyed on the presence of free references, not their text, so that a document per
            # patrol does not grow the cache; their text is checked here instead
            ends = ends_cache.get((kind, source_code, target_code, actor, reason, document is None, witness is None))
            item = items.get(item_key)
            if (
                ends is not None and item is not None and rev is None
                and type(quantity) is int and 0 < quantity <= MAX_QUANTITY
                and type(occurred_at) is datetime and occurred_at.tzinfo is not None
                and (document is None or is_clean(document, _DOCUMENT_MAX))
                and (witness is None or is_clean(witness, _WITNESS_MAX))
                and (note is None or is_clean(note, _NOTE_MAX))
            ):
                item_id = item.id
                if occurred_at is not last_moment:  # a file's rows often share their time: one conversion
                    last_moment, last_when = occurred_at, (occurred_at - _EPOCH) // _MICROSECOND
                when = last_when
                last = last_at.get(item_id)
                # not back-dated: at or after the item's latest movement, or the item has none
                # (no latest time, and known to be held by no one: see _BatchState.custody)
                if (when >= last) if last is not None else (fresh or custody.get(item_id, -1) is None):
                    source, target = ends
                    src_key, dst_key = (source.id, item_id), (target.id, item_id)
                    src = balances.get(src_key)
                    if src is None:
                        src = 0 if fresh else self._balance(source.id, item_id)
                    dst = balances.get(dst_key)
                    if dst is None:
                        dst = 0 if fresh else self._balance(target.id, item_id)
                    serial = item.shape is serial_shape
                    # law 1 custody (held by the source, or by no one and coming from outside),
                    # lots only, law 2 (the source holds enough, or is outside the ledger)
                    if (quantity == 1 and kind is not expenditure and (
                        custody.get(item_id, -1) == source.id if last is not None else source.external
                    )) if serial else ((src >= quantity or source.external)
                                       and (kind not in blocked or item_id not in status_ids())
                                       and (target.kind is not store_kind or store_passes(target, item_id, quantity,
                                                                                           when))):
                        # accepted: append, link, update the state
                        seq += 1
                        kind_text = _KIND_TEXT[kind]
                        # chain.canonical_bytes, inlined (a test checks that both give the same bytes)
                        canonical = (
                            f"\x1e{seq}\x1f{uuid}\x1f{seq}\x1f{kind_text}\x1f{item_key}\x1f{quantity}\x1f{source_code}\x1f"
                            f"{target_code}\x1f{when}\x1f{recorded_text}\x1f{actor}\x1f{NONE if witness is None else witness}"
                            f"\x1f{NONE if document is None else document}\x1f{NONE if note is None else note}"
                            f"\x1f{NONE if reason is None else reason}"
                            f"\x1f{NONE}"
                        ).encode()
                        digest = sha256(prev + canonical).digest()
                        fast_rows.append((seq, kind_text, item_id, quantity, source.id, target.id, when, actor, witness,
                                          document, note, reason))
                        hashes.append(prev)
                        hashes.append(digest)
                        if keep:
                            self.entries.append(Entry(seq, uuid, seq, kind_text, item_key, quantity, source_code,
                                                      target_code, when, self.recorded_at, actor, witness, document, note,
                                                      reason, None, prev, digest))
                        prev = digest
                        left = src - quantity
                        if left or not fresh:
                            balances[src_key] = left
                        else:  # see _BatchState.fresh
                            del balances[src_key]
                        balances[dst_key] = dst + quantity
                        last_at[item_id] = when
                        if serial:
                            custody[item_id] = target.id
                        elif source.id in store_last or target.kind is store_kind:  # a lot left or entered a store
                            storage.moved(item_id, source.id, target.id, when)
                        if marks:
                            self._touch_marks(source.id, when)
                            self._touch_marks(target.id, when)
                        if len(fast_rows) >= CHUNK:
                            self.seq, self.prev = seq, prev
                            self.flush(background=True)
                        if on_each is not None:
                            on_each()
                        continue
            self.seq, self.prev = seq, prev
            try:
                self._post_checked(mv)
            except PostingRejected as exc:
                if numbered:
                    exc.args = (f"movement {number}: {exc.message}",)
                    exc.message = exc.args[0]
                raise
            except InvalidInput as exc:
                if not numbered:
                    raise
                raise InvalidInput(exc.detail, field=exc.field, row=exc.row if exc.row is not None else number) from None
            seq, prev = self.seq, self.prev
            if on_each is not None:
                on_each()
        self.seq, self.prev = seq, prev
        return number

    def holder_code(self, holder_id: int) -> str:
        """The code of the holder with ``holder_id`` (read once, after the writer thread is idle)."""
        ref = self.catalog._holders_by_id.get(holder_id)
        if ref is None:
            self.drain()
            ref = self.catalog.holder_by_id(self.conn, holder_id)
        return ref.code

    def registered(self, item_ids: Iterable[int]) -> None:
        """Items registered in this transaction: they have no history and no stored balance, so
        their state is known without a query (and their first movement takes the fast path)."""
        state = self.state
        if state.fresh:  # nothing is stored: the batch knows that already
            return
        for item_id in item_ids:
            state.new_items.add(item_id)
            state.custody.setdefault(item_id, None)

    def preload(self, movements: list[Movement]) -> None:
        """Load, a query per 500 items rather than one or more per movement, the state that the
        laws will ask about for ``movements`` (the next chunk of an import) and that the batch
        does not know yet: the latest time and custodian of each item it has not moved, and the
        balance of each (holder, item) pair it has not touched. The values are those that the
        lazy loaders above would read (the stored ones: balances are written at :meth:`finish`,
        and an item or pair the batch has moved is in its state, which is kept). Unknown codes
        are left to the checked path, which names them. tests/services/test_import_preload.py
        shows that imports with and without it agree."""
        state = self.state
        if state.fresh:
            return
        holders, items, balances, last_at = self.catalog._holders, self._items, state.balances, state.last_at
        new_items = state.new_items
        latest: set[int] = set()
        pairs: dict[int, set[int]] = {}
        for mv in movements:
            item = items.get(mv.item)
            if item is None or item.id in new_items:  # unknown, or known to have no history
                continue
            if item.id not in last_at:
                latest.add(item.id)
            for code in (mv.source, mv.target):
                holder = holders.get(code)
                if holder is None:
                    self.drain()  # the connection is ours alone while we read
                    try:
                        holder = self.catalog.holder(self.conn, code)
                    except NotFound:
                        continue
                if (holder.id, item.id) not in balances:
                    pairs.setdefault(item.id, set()).add(holder.id)
        # plain SQL and tuples: a chunk of 5,000 rows reads up to 15,000, and SQLAlchemy's Row
        # objects and statement building cost more than the database does
        if not latest and not pairs:  # all known (a stock import's new items): no query, no wait for the writer
            return
        self.drain()  # the connection is ours alone while we read
        mark = "?" if self.conn.dialect.paramstyle == "qmark" else "%s"
        run = self.conn.exec_driver_sql
        custody = state.custody
        ids = sorted(latest)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join([mark] * len(chunk))
            for item_id, target_id, when in run(
                    "SELECT item_id, target_id, occurred_at FROM (SELECT item_id, target_id, occurred_at, "
                    "row_number() OVER (PARTITION BY item_id ORDER BY occurred_at DESC, seq DESC) AS n "
                    f"FROM entries WHERE item_id IN ({marks})) AS ranked WHERE n = 1", tuple(chunk)).fetchall():
                last_at[item_id] = when
                custody.setdefault(item_id, target_id)
            for item_id in chunk:
                custody.setdefault(item_id, None)  # no entry: held by no one
        ids = sorted(pairs)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join([mark] * len(chunk))
            held = {(holder_id, item_id): quantity for holder_id, item_id, quantity in run(
                f"SELECT holder_id, item_id, quantity FROM balances WHERE item_id IN ({marks})", tuple(chunk)).fetchall()}
            stored = state.stored
            for item_id in chunk:
                for holder_id in pairs[item_id]:
                    key = (holder_id, item_id)
                    if key not in balances:
                        balances[key] = stored[key] = held.get(key, 0)

    def _touch_marks(self, holder_id: int, when: int) -> None:
        """Note that the holder's marks after ``when`` are stale (deleted in :meth:`finish`)."""
        floor = self._mark_floor.get(holder_id, -1)
        if floor == -1:
            self.drain()
            floor = self.conn.execute(
                select(func.max(t.mark_sets.c.boundary)).where(t.mark_sets.c.holder_id == holder_id)
            ).scalar()
            self._mark_floor[holder_id] = floor
        if floor is not None and when < floor:
            earlier = self._stale.get(holder_id)
            self._stale[holder_id] = when if earlier is None else min(earlier, when)
            self._mark_floor[holder_id] = when  # what remains is at or before ``when``

    def _post_checked(self, mv: Movement) -> None:
        """Check every rule of one movement, append it, and prime the fast path's caches."""
        facts = _Facts(self, mv)
        # the rules that read only the movement come first: a movement that is wrong in itself
        # is told so before its holders and item are looked up (and external ones created)
        check_all(facts, self._early_rules)
        holders = self.catalog._holders
        if mv.source not in holders or mv.target not in holders or mv.item not in self._items:
            # a look-up, or an external holder created: the connection must be ours alone. Every
            # other query of the checked path waits for the writer thread itself (the lazy
            # loaders, write_pending, holder_code), so a movement whose facts are all in memory
            # does not wait for the chunk being written.
            self.drain()
        source, target, item = facts.resolve()
        check_all(facts, self._late_rules)
        if mv.reverses is not None:
            self.state.reversed_uids.add(mv.reverses)
        when = facts.when

        seq = self.seq = self.seq + 1
        prev = self.prev
        kind = mv.kind.value
        values = (seq, self.ledger_uuid, seq, kind, item.key, mv.quantity, source.code, target.code,
                  when, self.recorded_at, mv.actor, mv.witness, mv.document, mv.note, mv.reason, mv.reverses)
        digest = link(prev, canonical_bytes(values))
        self.rows.append((seq, self.ledger_id, seq, kind, item.id, mv.quantity, source.id, target.id, when,
                          self.recorded_at, mv.actor, mv.witness, mv.document, mv.note, mv.reason, mv.reverses,
                          prev, digest))
        if self.keep_entries:
            self.entries.append(Entry(*values, prev_hash=prev, hash=digest))
        self.prev = digest
        self._apply(when, item, source, target, mv.quantity)
        if self._marks:
            self._touch_marks(source.id, when)
            self._touch_marks(target.id, when)
        if mv.kind in self._fast_kinds:
            self._ends[(mv.kind, mv.source, mv.target, mv.actor, mv.reason, mv.document is None, mv.witness is None)] = (source, target)
        if len(self.rows) >= CHUNK:
            self.flush(background=True)

    def _apply(self, when: int, item: ItemRef, source: HolderRef, target: HolderRef, quantity: int) -> None:
        state = self.state
        balances = state.balances
        src_key, dst_key = (source.id, item.id), (target.id, item.id)
        src = balances.get(src_key)
        left = (self._balance(*src_key) if src is None else src) - quantity
        if left or not state.fresh:
            balances[src_key] = left
        else:
            balances.pop(src_key, None)
        dst = balances.get(dst_key)
        balances[dst_key] = (self._balance(*dst_key) if dst is None else dst) + quantity
        last = state.last_at.get(item.id)
        if last is None or when >= last:
            state.last_at[item.id] = when
            if item.shape is Shape.SERIAL:
                state.custody[item.id] = target.id
        if item.shape is not Shape.SERIAL:
            self.storage.moved(item.id, source.id, target.id, when)

    # writing -----------------------------------------------------------------------------
    def defer_indexes(self) -> None:
        """For a bulk load into an empty ledger: drop the item-history indexes of ``entries`` now
        and build them once in :meth:`finish`, in the same transaction.

        Building an index from a million sorted keys is several times faster than inserting a
        million keys at random places in it. Only for an empty ledger, where no check needs
        the indexes: the laws are then checked against the batch's own state. On PostgreSQL the
        foreign keys of ``entries`` and ``balances`` are dropped too and added back in
        :meth:`finish`, which checks each in one query rather than one per row.
        """
        if not self.state.fresh or self._deferred:
            return
        self._deferred = [ix for ix in t.entries.indexes if ix.name in _DEFERRABLE]
        for index in self._deferred:
            index.drop(self.conn)
        if self._copy:  # PostgreSQL checks a foreign key per row: add them back once, in finish
            self._dropped_keys = bulk.drop_foreign_keys(self.conn, ("entries", "balances"))

    def flush(self, *, background: bool = False) -> None:
        """Write the pending entry rows: in the background while posting goes on (a full
        chunk of a bulk load), or now (the end of a batch, or a query that must see them).

        In the background, a writer thread inserts the chunk while the next one is checked
        and hashed: the driver releases the GIL while SQLite works, so two cores share the
        load. Only one chunk is in flight, and every other use of the connection waits for it
        first (:meth:`drain`). A batch that never fills a chunk (a form's movement) never
        starts the thread.
        """
        if not self.rows and not self.fast_rows:
            return
        jobs: list[Job] = []
        if self.fast_rows:
            if self._json_sql is not None:
                rows = self.fast_rows
                params = (_JSON([_texts_of(r) for r in rows]), b"".join(self.fast_hashes),
                          "".join([_INTS % _ints_of(r) for r in rows]).encode(), self.ledger_id, self.recorded_at)
                jobs.append((self._json_sql, params, False))
            else:
                self.rows.extend(self._expand_fast_rows())
            self.fast_rows.clear()  # in place: post_stream holds these lists
            self.fast_hashes.clear()
        if self.rows:
            jobs.append((_COPY_ENTRIES if self._copy else self._insert_sql, self.rows, True))
            self.rows = []
        self._run(jobs, background=background)

    def submit(self, jobs: list[tuple[str, object, bool]]) -> None:
        """Run (sql, parameters, whether executemany) jobs on the writer thread, in order with the
        entries (a bulk import's new items, before the entries that cite them); every later use of
        the connection waits for them (:meth:`drain`)."""
        self._run(jobs, background=True)

    def _run(self, jobs: Sequence[Job], *, background: bool) -> None:
        """Run (sql, parameters, whether executemany) jobs on the connection's driver cursor: now,
        or on the writer thread (after the chunk in flight, if any)."""
        self.drain()
        cursor = self.conn.connection.driver_connection.cursor()
        if not background:
            with self._lost_race():
                _write_rows(cursor, jobs)
            return
        if self._writer is None:
            from concurrent.futures import ThreadPoolExecutor

            self._writer = ThreadPoolExecutor(1, thread_name_prefix="wam-writer")
        self._in_flight = self._writer.submit(_write_rows, cursor, jobs)

    def _expand_fast_rows(self) -> list[tuple]:
        """The fast path's rows as full entry rows (for a driver without the JSON insert)."""
        ledger_id, recorded_at, hashes = self.ledger_id, self.recorded_at, self.fast_hashes
        return [
            (seq, ledger_id, seq, kind, item_id, quantity, source_id, target_id, when, recorded_at, actor, witness,
             document, note, reason, None, hashes[2 * n], hashes[2 * n + 1])
            for n, (seq, kind, item_id, quantity, source_id, target_id, when, actor, witness, document, note, reason)
            in enumerate(self.fast_rows)
        ]

    def write_pending(self) -> None:
        """Write every pending row now, for a query that must see them."""
        self.flush()
        self.drain()

    def drain(self) -> None:
        """Wait for the chunk being written, if any; raise its error here."""
        if self._in_flight is None:
            return
        future, self._in_flight = self._in_flight, None
        with self._lost_race():
            future.result()

    @contextmanager
    def _lost_race(self) -> Iterator[None]:
        """An entry's seq or global id already taken: another writer appended first."""
        try:
            yield
        except self.conn.dialect.dbapi.IntegrityError as exc:
            raise ConcurrentAppend("another writer appended to the ledger at the same time; try again") from exc

    def __enter__(self) -> Poster:
        return self

    def __exit__(self, kind, error, trace) -> None:  # noqa: ANN001
        # Before the caller's transaction rolls back, the writer thread must be idle.
        try:
            self.close()
        except Exception:
            if kind is None:
                raise

    def close(self) -> None:
        """Stop the writer thread (after draining); called whether the batch succeeded or not."""
        try:
            self.drain()
        finally:
            if self._writer is not None:
                self._writer.shutdown()
                self._writer = None

    def _write_balances(self, *, background: bool = False) -> None:
        """Write the batch's balances: now, or on the writer thread (:meth:`forget_items`: the
        next chunk is read and checked meanwhile, and every later query waits for it)."""
        balances = self.state.balances
        if balances:
            # Every key in the batch's balances was touched by a movement (keys are loaded only
            # when one needs them), so each is written unless it ends as it was read from the
            # database (a weapon issued and returned; a zero read there has no row to delete).
            # A zero balance is deleted rather than kept: the table then holds only what is
            # held, and reads of it stay short.
            stored = self.state.stored
            held = [(h, i, q) for (h, i), q in balances.items() if q != 0 and stored.get((h, i)) != q]
            emptied = [(h, i) for (h, i), q in balances.items() if q == 0 and stored.get((h, i), 1) != 0]
            jobs: list[Job] = []
            bulk_ = self._copy and len(held) + len(emptied) >= _COPY_BALANCES
            if held:
                jobs.append((_UPSERT_BALANCES if bulk_ else self._upsert_sql, held, True))
            if emptied:
                jobs.append((_DELETE_BALANCES if bulk_ else self._delete_sql, emptied, True))
            self._run(jobs, background=background)

    def forget_items(self) -> None:
        """Write the batch's state of its items and forget it, so that memory stays flat however
        long an import's file: the pending rows and every balance the batch holds are written
        (as :meth:`finish` writes them), the deferred indexes are built, and the state of each
        item and the catalog's cached item ids are dropped. From then on the batch reads an
        item's state back from the database as for a ledger that held entries when it began
        (the lazy loaders and :meth:`preload`), and reads what it wrote: the same state.
        tests/services/test_import_preload.py imports with and without forgetting after every
        chunk and compares."""
        self.flush()
        self.drain()
        # the indexes the state is read back through (an item's history, a reversal's original);
        # the others stay deferred to finish
        for index in [ix for ix in self._deferred if ix.name in _READ_BACK]:
            index.create(self.conn)
            self._deferred.remove(index)
        if self._copy:  # the reads from now on are planned with statistics that count these rows
            self._write_balances()
            bulk.analyze(self.conn, _ANALYZED)
        else:
            self._write_balances(background=True)  # its lists are built now: the state can be dropped
        state = self.state
        state.balances.clear()
        state.stored.clear()
        state.custody.clear()
        state.last_at.clear()
        state.new_items.clear()
        state.fresh = False  # what the batch wrote is stored now: read it back, keep zero balances
        self.storage.forget()
        self._items.clear()  # the catalog's cache (ids are read again when needed)

    def finish(self) -> int:
        """Write what is pending, the balances and the new head. Returns the number posted."""
        self.flush()
        self.close()
        if self._stale:
            forget_after(self.conn, self._stale)
        for index in self._deferred:
            index.create(self.conn)
        self._deferred = []
        self._write_balances()
        if self._dropped_keys:
            bulk.restore_foreign_keys(self.conn, self._dropped_keys)
            self._dropped_keys = []
        if self._copy and self.seq - self.start_seq >= _ANALYZE_AFTER:
            bulk.analyze(self.conn, _ANALYZED)
        moved = self.conn.execute(
            update(t.chain_head)
            .where(t.chain_head.c.id == 1, t.chain_head.c.seq == self.start_seq, t.chain_head.c.hash == self.start_hash)
            .values(seq=self.seq, hash=self.prev)
        ).rowcount
        if moved != 1:
            raise ConcurrentAppend("the ledger head moved while posting; try again")
        return self.seq - self.start_seq


@dataclass(frozen=True, slots=True)
class CopyInto:
    """A writer job's statement that sends its rows to ``table`` by ``COPY`` (PostgreSQL): appends
    them; or with ``key``, inserts or updates them by that key (``upsert``) or deletes the rows of
    those keys (the rows are keys then)."""

    table: str
    columns: tuple[str, ...]
    key: tuple[str, ...] = ()
    delete: bool = False

    def run(self, dbapi_conn, rows) -> None:  # noqa: ANN001
        if self.delete:
            bulk.delete_rows(dbapi_conn, self.table, self.columns, rows)
        elif self.key:
            bulk.upsert_rows(dbapi_conn, self.table, self.columns, rows, conflict=self.key)
        else:
            bulk.copy_rows(dbapi_conn, self.table, self.columns, rows)


_COPY_ENTRIES = CopyInto("entries", _ENTRY_COLUMNS)
_UPSERT_BALANCES = CopyInto("balances", ("holder_id", "item_id", "quantity"), key=("holder_id", "item_id"))
_DELETE_BALANCES = CopyInto("balances", ("holder_id", "item_id"), key=("holder_id", "item_id"), delete=True)
_COPY_BALANCES = 64  # from this many balances on, through COPY (a form's two go by one statement)
# After a batch of this many entries, PostgreSQL's statistics are gathered (wam.storage.bulk.analyze)
_ANALYZE_AFTER = 10_000
_ANALYZED = ("items", "entries", "balances", "records")
Job = tuple[str | CopyInto, object, bool]  # (statement, parameters, whether executemany)


def _write_rows(cursor, jobs: Sequence[Job]) -> None:  # noqa: ANN001
    """Run on the writer thread: each job is (sql, parameters, whether executemany)."""
    try:
        for sql, params, many in jobs:
            if isinstance(sql, CopyInto):
                sql.run(cursor.connection, params)
            elif many:
                cursor.executemany(sql, params)
            else:
                cursor.execute(sql, params)
    finally:
        cursor.close()


def _json_insert_sql(conn: Connection) -> str | None:
    """The statement inserting a chunk of fast-path rows in one go, or None where the database
    cannot (not SQLite, or an SQLite without JSON functions).

    Parameters: 1, the rows' text fields as a JSON array of arrays (:data:`_TEXT_FIELDS`); 2,
    their prev_hash and hash, 64 bytes per row; 3, their integers (:data:`_INT_FIELDS`), as
    fixed-width text; 4, the ledger id; 5, recorded_at. The origin of a locally posted entry is
    this ledger and its own seq.
    """
    if conn.dialect.name != "sqlite":
        return None
    if _SQLITE_JSON:  # asked once per process: every connection uses the same SQLite library
        return _SQLITE_JSON[0]
    try:
        conn.exec_driver_sql("SELECT json_extract('[1]', '$[0]')").scalar()
    except conn.dialect.dbapi.OperationalError:
        _SQLITE_JSON.append(None)
        return None
    row_width = _INT_WIDTH * len(_INT_FIELDS)
    values = {name: f"json_extract(j.value, '$[{n}]')" for n, name in enumerate(_TEXT_FIELDS)}
    values.update({name: f"CAST(substr(?3, j.key * {row_width} + {n * _INT_WIDTH + 1}, {_INT_WIDTH}) AS INTEGER)"
                   for n, name in enumerate(_INT_FIELDS)})
    values.update(origin_id="?4", origin_seq=values["seq"], recorded_at="?5", reverses="NULL",
                  prev_hash="substr(?2, j.key * 64 + 1, 32)", hash="substr(?2, j.key * 64 + 33, 32)")
    _SQLITE_JSON.append(f"INSERT INTO entries ({', '.join(_ENTRY_COLUMNS)}) "
                        f"SELECT {', '.join(values[c] for c in _ENTRY_COLUMNS)} FROM json_each(?1) AS j")
    return _SQLITE_JSON[0]


_SQLITE_JSON: list[str | None] = []  # the answer of _json_insert_sql on SQLite, once known


def post_all(poster: Poster, movements: Iterable[Movement], on_each: Callable[[], None] | None = None) -> int:
    """Post every movement through ``poster``; a rejected one names its position in the stream."""
    with poster:
        return _post_all(poster, movements, on_each)


def _post_all(poster: Poster, movements: Iterable[Movement], on_each: Callable[[], None] | None) -> int:
    poster.defer_indexes()
    poster.post_stream(movements, on_each)
    return poster.finish()


@cache
def _plan(rules: tuple[Rule, ...]) -> tuple[frozenset[MovementKind], tuple[Rule, ...], tuple[Rule, ...]]:
    """For a set of rules: the kinds the fast path may serve, the rules that read only the
    movement (run before its holders and item are looked up) and the others, in their order."""
    kinds = fast_kinds(rules, values=FAST_KEY_VALUES, presence=FAST_KEY_PRESENCE, inline=FAST_INLINE)
    early = tuple(r for r in rules if r.reads <= {Reads.FIELDS})
    return kinds, early, tuple(r for r in rules if r not in early)
