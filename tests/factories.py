"""Builders for test data in the domain's own language.

``build_world`` makes a small mission, the same every time::

    UN (organisation)
      MINUSMA (mission)
        SEC-EAST (sector)
          BGD-BATT (contingent, BGD)
            GAO (site)  > GAO-ARM (store) > PTE-RAHMAN (person)
                        > GAO-ASP (store: ammunition)
          SEN-BATT (contingent, SEN)
            ANSONGO (site) > ANSONGO-ARM (store) > SGT-DIOP (person)
      UNMISS (mission)
        NPL-BATT (contingent, NPL)
          JUBA (site) > JUBA-ARM (store)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from wam.domain.holders import make_holder
from wam.domain.materiel import Item, make_item
from wam.domain.documents import DOCUMENT_KINDS, TYPE_OF_KIND
from wam.domain.errors import PostingRejected
from wam.domain.movements import Entry, Movement, make_movement

T0 = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)

HOLDERS = [
    ("UN", "United Nations", "organisation", None, None),
    ("MINUSMA", "MINUSMA", "mission", "UN", None),
    ("SEC-EAST", "Sector East", "sector", "MINUSMA", None),
    ("BGD-BATT", "Bangladesh battalion", "contingent", "SEC-EAST", "BGD"),
    ("GAO", "Gao camp", "site", "BGD-BATT", None),
    ("GAO-ARM", "Gao armoury", "store", "GAO", None),
    ("GAO-ASP", "Gao ammunition point", "store", "GAO", None),
    ("PTE-RAHMAN", "Private Rahman", "person", "GAO-ARM", None),
    ("SEN-BATT", "Senegal battalion", "contingent", "SEC-EAST", "SEN"),
    ("ANSONGO", "Ansongo camp", "site", "SEN-BATT", None),
    ("ANSONGO-ARM", "Ansongo armoury", "store", "ANSONGO", None),
    ("SGT-DIOP", "Sergeant Diop", "person", "ANSONGO-ARM", None),
    ("UNMISS", "UNMISS", "mission", "UN", None),
    ("NPL-BATT", "Nepal battalion", "contingent", "UNMISS", "NPL"),
    ("JUBA", "Juba camp", "site", "NPL-BATT", None),
    ("JUBA-ARM", "Juba armoury", "store", "JUBA", None),
]


@dataclass
class World:
    ledger: object
    rifles: list[Item]
    rounds: Item

    def move(self, kind: str, item: Item, source: str, target: str, *, quantity: int = 1, days: float = 0,
             **extra) -> Entry:
        movement = make_movement(kind=kind, item=item.key, quantity=quantity, source=source, target=target,
                                 occurred_at=T0 + timedelta(days=days), actor="armourer", **extra)
        return post(self.ledger, movement)


def post(ledger, movement: Movement) -> Entry:  # noqa: ANN001
    """Post ``movement`` as its path would: a kind that cites a document through its register
    (:func:`take_document`), any other through ``Ledger.post``."""
    if movement.kind in DOCUMENT_KINDS:
        from wam.services import documents

        number = documents.run(ledger, lambda uow: take_document(uow, movement))
        doc_type = TYPE_OF_KIND[movement.kind]
        return documents.entries(ledger, documents.get(ledger, doc_type.name, number))[-1]
    return ledger.post(movement)  # type: ignore[no-any-return]


def post_many(ledger, movements: Iterable[Movement]) -> int:  # noqa: ANN001
    """Post a batch in one transaction, as ``Ledger.post_many`` does, each movement of a document
    kind through its register (:func:`take_document`). Returns how many were posted."""
    from wam.services import documents

    def work(uow: documents.UnitOfWork) -> int:
        count = 0
        for count, movement in enumerate(movements, start=1):
            try:
                if movement.kind in DOCUMENT_KINDS:
                    take_document(uow, movement)
                else:
                    uow.post(movement)
            except PostingRejected as exc:  # named by its position, as Ledger.post_many names it
                exc.args = (f"movement {count}: {exc.message}",)
                exc.message = exc.args[0]
                raise
        return count

    return documents.run(ledger, work)


def take_document(uow, movement: Movement) -> str:  # noqa: ANN001
    """Post a loss, recovery, adjustment or disposal as its register does, in the unit of work
    ``uow`` (:func:`document_steps`). Returns the document's number."""
    number = None
    for step in document_steps(movement, taken=lambda t, n: uow.get(t, n) is not None):
        number = uow.take(step.type, step.step, actor=step.actor, number=step.number or number,
                          occurred_at=step.occurred_at, **step.given).number
    return str(number)


def _path_to_posting(doc_type) -> list[str]:  # noqa: ANN001
    """The shortest run of steps from the type's first state to one its posting step is taken from."""
    paths = {doc_type.initial: []}
    todo = [doc_type.initial]
    while todo:
        state = todo.pop(0)
        if state in doc_type.posting.sources:
            return paths[state]
        for step in doc_type.steps.values():
            if state in step.sources and not step.posts and step.target not in paths:
                paths[step.target] = [*paths[state], step.name]
                todo.append(step.target)
    raise AssertionError(f"{doc_type.name}: no way to its posting step")


def document_steps(movement: Movement, *, approver: str = "officer",
                   taken: Callable[[str, str], bool] = lambda t, n: False) -> list:
    """The steps of a document of one line that posts ``movement``, as its register takes them:
    numbered as the movement cites it (unless ``taken(type, number)``: then the type's next
    number), every step to the posting one.

    A disposal to ``destroyed`` is a destruction witnessed by the movement's witness; to
    ``handed-over:<state>``, a handover whose receipt is the movement's document. An approval,
    when the type needs one, is ``approver``'s (or ``<approver>-2``'s, if the movement's actor
    is ``approver``).
    """
    from wam.services.documents import DocumentStep

    doc_type = TYPE_OF_KIND[movement.kind]
    fields: dict[str, object] = {"note": movement.note, "witness": movement.witness}
    source = movement.source
    if doc_type.name == "disposal":
        if movement.target == "destroyed":
            fields.update(method="destruction", destruction="other")
        else:
            fields.update(method="handover", host_state=movement.target.split(":", 1)[1], receipt=movement.document)
    elif doc_type.name == "recovery":
        fields["to"] = movement.target
    elif doc_type.name == "count" and source == "count-adjustment":
        fields["store"] = movement.target
    cited = movement.document
    number = cited if cited and not taken(doc_type.name, cited) else None
    when, actor = movement.occurred_at, movement.actor
    other = approver if approver != actor else f"{approver}-2"
    steps = [DocumentStep(doc_type.name, doc_type.draft, actor=actor, occurred_at=when, number=number,
                          lines=[[movement.item, movement.quantity, source]], **fields)]
    for step in _path_to_posting(doc_type):
        steps.append(DocumentStep(doc_type.name, step, actor=other, occurred_at=when, number=number))
    steps.append(DocumentStep(doc_type.name, doc_type.posting.name, actor=actor, occurred_at=when, number=number))
    return steps


def rifle(serial: str, model: str = "Type 56") -> Item:
    return make_item(type="weapon", make="Norinco", model=model, serial=serial, category="assault rifle",
                     calibre="7.62x39mm")


def ball_rounds(lot: str = "POF-2021-07") -> Item:
    return make_item(type="ammunition", make="POF", model="7.62x39mm ball", lot=lot, calibre="7.62x39mm",
                     hazard_division="1.4", compatibility_group="S", neq_kg="0.0016")


def build_world(ledger) -> World:  # noqa: ANN001
    ledger.add_holders(
        [make_holder(code=c, name=n, kind=k, parent=p, country=ctry) for c, n, k, p, ctry in HOLDERS]
    )
    rifles = [rifle(f"56-{n:05d}") for n in range(1, 4)]
    rounds = ball_rounds()
    ledger.register_items([*rifles, rounds])
    world = World(ledger, rifles, rounds)
    for r in rifles:
        world.move("receipt", r, "supply:BGD", "GAO-ARM")
    world.move("receipt", rounds, "supply:BGD", "GAO-ASP", quantity=10_000)
    return world
