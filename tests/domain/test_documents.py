"""The documents' domain: each type's rules, the one transition function, replay and citations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wam.domain import documents as d
from wam.domain.errors import InvalidInput
from wam.domain.movements import MovementKind

RIFLE = "W|NORINCO|TYPE 56|56-00001"
ROUNDS = "L|POF|7.62X39MM BALL|POF-2021-07"
WHEN = datetime(2024, 3, 2, 10, tzinfo=UTC)
DESTRUCTION = {"method": "destruction", "destruction": "cutting", "witness": "Capt. Diallo"}


def draft(**given: object) -> d.Document:
    return d.apply(d.DISPOSAL, None, "draft", "alice",
                   {"number": "DSP-1", "lines": [[RIFLE, 1, "GAO-ARM"]], **DESTRUCTION, **given})


def executed() -> list[d.Document]:
    drafted = draft()
    approved = d.apply(d.DISPOSAL, drafted, "approve", "bob", {})
    return [drafted, approved, d.apply(d.DISPOSAL, approved, "execute", "bob", {"occurred_at": WHEN})]


def stored(docs: list[d.Document], steps: list[str], actors: list[str], given: list[dict]) -> list[d.StoredStep]:
    return [d.StoredStep(seq, "document:disposal", doc.number, d.record_body(d.DISPOSAL, step, g, doc), actor)
            for seq, (doc, step, actor, g) in enumerate(zip(docs, steps, actors, given, strict=True), start=1)]


def test_a_destruction_goes_to_destroyed_and_a_handover_to_the_host_state() -> None:
    assert draft().lines == (d.Line(RIFLE, 1, "GAO-ARM", "destroyed"),)
    handover = d.apply(d.DISPOSAL, None, "draft", "alice", {
        "number": "H-1", "lines": [{"item": ROUNDS, "quantity": "250", "from": "GAO-ASP"}], "method": "Handover",
        "host_state": "mli", "receipt": "PN-117", "authority": "Police nationale"})
    assert handover.lines == (d.Line(ROUNDS, 250, "GAO-ASP", "handed-over:MLI"),)
    assert handover.fields == {"method": "handover", "host_state": "MLI", "receipt": "PN-117",
                               "authority": "Police nationale"}


@pytest.mark.parametrize(("given", "field", "row"), [
    ({"method": "burial"}, "method", None),
    ({"destruction": "magic"}, "destruction", None),
    ({"witness": None}, "witness", None),
    ({"method": "handover", "host_state": "Mali", "receipt": "R"}, "host_state", None),
    ({"method": "handover", "host_state": "MLI"}, "receipt", None),
    ({"lines": []}, "lines", None),
    ({"lines": "x"}, "lines", None),
    ({"lines": [[RIFLE, 1, "GAO-ARM"], [RIFLE, 1, "GAO-ARM"]]}, "item", 2),
    ({"lines": [[RIFLE, 0, "GAO-ARM"]]}, "quantity", 1),
    ({"lines": [[RIFLE, "two", "GAO-ARM"]]}, "quantity", 1),
    ({"lines": [[RIFLE, 1, "lost"]]}, "from", 1),
    ({"lines": [[RIFLE, 1, ""]]}, "from", 1),
    ({"lines": [[RIFLE]]}, "lines", 1),
    ({"lines": [["", 1, "GAO-ARM"]]}, "item", 1),
    ({"number": "DSP 1"}, "number", None),
    ({"number": None}, "number", None),
    ({"number": "../../x"}, "number", None),  # found by a README trial: it went into every list and address
    ({"number": "DSP-1<script>"}, "number", None),
    ({"number": "-1"}, "number", None),
])
def test_a_draft_names_the_field_and_row_it_refuses(given: dict, field: str, row: int | None) -> None:
    with pytest.raises(InvalidInput) as refused:
        draft(**given)
    assert (refused.value.field, refused.value.row) == (field, row)


def test_document_numbers_as_people_write_them_are_accepted() -> None:
    for number in ("DSP-1", "INC-MONUSCO-2018-0001", "BOI/12/2024", "H.2024_07"):
        assert draft(number=number).number == number


def test_the_steps_follow_the_states() -> None:
    drafted, approved, done = executed()
    assert [x.state for x in (drafted, approved, done)] == ["drafted", "approved", "executed"]
    assert done.by == {"draft": "alice", "approve": "bob", "execute": "bob"} and done.drafted_by == "alice"
    assert done.occurred_at == WHEN
    with pytest.raises(d.DocumentRefused, match="is drafted; execute needs it approved"):
        d.apply(d.DISPOSAL, drafted, "execute", "bob", {})
    with pytest.raises(d.DocumentRefused, match="is executed; execute needs it approved"):
        d.apply(d.DISPOSAL, done, "execute", "bob", {"occurred_at": WHEN})
    with pytest.raises(d.DocumentRefused, match="alice drafted DSP-1: someone else must approve it"):
        d.apply(d.DISPOSAL, drafted, "approve", "alice", {})
    with pytest.raises(d.DocumentRefused, match="has no step 'destroy'"):
        d.apply(d.DISPOSAL, drafted, "destroy", "bob", {})
    with pytest.raises(d.DocumentRefused, match="begins with 'draft'"):
        d.apply(d.DISPOSAL, None, "approve", "bob", {})
    with pytest.raises(d.DocumentRefused, match="is a disposal, not a incident"):
        d.apply(d.INCIDENT, drafted, "post", "bob", {})
    with pytest.raises(InvalidInput, match="say when it happened"):
        d.apply(d.DISPOSAL, approved, "execute", "bob", {})
    with pytest.raises(InvalidInput, match="give a date and time"):
        d.apply(d.DISPOSAL, approved, "execute", "bob", {"occurred_at": "yesterday"})
    cancelled = d.apply(d.DISPOSAL, approved, "cancel", "alice", {"reason": " drafted twice "})
    assert cancelled.state == "cancelled" and cancelled.fields["reason"] == "drafted twice"


def test_a_posting_step_gives_one_movement_a_line() -> None:
    done = executed()[-1]
    [movement] = d.movements(d.DISPOSAL, done, "bob")
    assert (movement.kind, movement.item, movement.source, movement.target, movement.witness, movement.document,
            movement.occurred_at) == (MovementKind.DISPOSAL, RIFLE, "GAO-ARM", "destroyed", "Capt. Diallo", "DSP-1",
                                      WHEN)
    with pytest.raises(InvalidInput, match="say when it happened"):
        d.movements(d.DISPOSAL, draft(), "bob")


def test_the_minimal_types_fit_their_kinds() -> None:
    incident = d.apply(d.INCIDENT, None, "report", "alice", {"number": "INC-1", "lines": [[RIFLE, 1, "PTE-X"]]})
    assert incident.lines[0].target == "lost" and d.TYPE_OF_KIND[MovementKind.LOSS] is d.INCIDENT
    recovery = d.apply(d.RECOVERY, None, "register", "alice",
                       {"number": "REC-1", "lines": [[RIFLE, 1, "lost"], [ROUNDS, 9, "recovered:FAMa"]], "to": "A"})
    assert [x.target for x in recovery.lines] == ["A", "A"]
    with pytest.raises(InvalidInput) as refused:
        d.apply(d.RECOVERY, None, "register", "alice", {"number": "R", "lines": [[RIFLE, 1, "GAO-ARM"]], "to": "A"})
    assert (refused.value.field, refused.value.row) == ("from", 1)
    with pytest.raises(InvalidInput, match="field 'to'"):
        d.apply(d.RECOVERY, None, "register", "alice", {"number": "R", "lines": [[RIFLE, 1, "lost"]], "to": "lost"})
    count = d.apply(d.COUNT, None, "count", "qm", {"number": "C-1", "store": "ASP",
                                                   "lines": [[ROUNDS, 5, "ASP"], [ROUNDS, 2, "count-adjustment"]]})
    assert [(x.source, x.target) for x in count.lines] == [("ASP", "count-adjustment"), ("count-adjustment", "ASP")]
    with pytest.raises(InvalidInput, match="needs the count's store"):
        d.apply(d.COUNT, None, "count", "qm", {"number": "C", "lines": [[ROUNDS, 2, "count-adjustment"]]})
    with pytest.raises(InvalidInput, match="from a holder or from count-adjustment"):
        d.apply(d.COUNT, None, "count", "qm", {"number": "C", "lines": [[ROUNDS, 2, "lost"]]})
    assert d.COUNT.states == ("counted", "approved", "counting", "reconciled", "posted", "cancelled")
    assert d.COUNT.posted_states == {"posted"}


def test_the_generic_paths_refusal_names_the_register() -> None:
    for kind in d.DOCUMENT_KINDS:
        with pytest.raises(d.DocumentRequired) as refused:
            d.refuse_generic(kind, row=4)
        assert refused.value.field == "kind" and refused.value.row == 4
        assert refused.value.params["command"] == d.TYPE_OF_KIND[kind].command
    d.refuse_generic(MovementKind.TRANSFER)  # any other kind passes
    with pytest.raises(InvalidInput, match="not a document type"):
        d.document_type("memo")
    assert d.type_of_record("holder") is None and d.type_of_record("document:memo") is None


def test_replay_gives_each_document_its_state_and_flags_a_step_out_of_turn() -> None:
    docs = executed()
    good = stored(docs, ["draft", "approve", "execute"], ["alice", "bob", "bob"], [{}, {}, {"occurred_at": WHEN}])
    found, problems = d.replay(good)
    assert problems == [] and found[("disposal", "DSP-1")] == docs[-1]
    # approval skipped: the execution's record is written around the services
    skipped, problems = d.replay([good[0], d.StoredStep(2, good[2].kind, good[2].ref, good[2].body, good[2].actor)])
    assert skipped[("disposal", "DSP-1")].state == "drafted"
    assert ["execute needs it approved" in p.message for p in problems] == [True]
    # the drafter approving, and a stored state that is not what its step gives
    by_drafter = d.StoredStep(2, good[1].kind, good[1].ref, good[1].body, "alice")
    forged = dict(good[1].body, document={**good[1].body["document"], "state": "executed"})
    _, problems = d.replay([good[0], by_drafter])
    assert "someone else must approve it" in problems[0].message
    _, problems = d.replay([good[0], d.StoredStep(2, good[1].kind, good[1].ref, forged, "bob")])
    assert "is not what its step gives" in problems[0].message
    _, problems = d.replay([d.StoredStep(1, "document:disposal", "DSP-1", {"step": "draft"}, "alice")])
    assert "cannot be read" in problems[0].message
    _, problems = d.replay([d.StoredStep(1, "document:disposal", "DSP-2", good[0].body, "alice")])
    assert "records document DSP-1" in problems[0].message
    assert d.replay([d.StoredStep(1, "holder", "GAO", {}, None)]) == ({}, [])


def test_citations_resolve_to_exactly_the_lines_of_a_posted_document() -> None:
    drafted, _, done = executed()
    line = (RIFLE, 1, "GAO-ARM", "destroyed")
    assert d.check_citations({("disposal", "DSP-1"): done}, {("disposal", "DSP-1"): [line]}) == []
    messages = [p.message for p in d.check_citations({("disposal", "DSP-1"): done},
                                                     {("disposal", "DSP-1"): [line, line]})]
    assert messages == ["2 disposal entries citing disposal certificate DSP-1 do not match its lines "
                        "(1 not on it or posted twice, 0 of its lines not posted)"]
    messages = [p.message for p in d.check_citations({("disposal", "DSP-1"): drafted},
                                                     {("disposal", "DSP-1"): [line]})]
    assert messages == ["1 disposal entry cites disposal certificate DSP-1, which is drafted, not executed"]
    messages = [p.message for p in d.check_citations({}, {("loss", None): [line]})]
    assert messages == ["1 loss entry cites loss incident None, which does not exist"]
    messages = [p.message for p in d.check_citations({("disposal", "DSP-1"): done}, {})]
    assert messages == ["disposal certificate DSP-1 is executed but no disposal entry cites it"]
