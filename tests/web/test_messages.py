"""Error messages in French: the law, item and holder of a refusal, fields, not-found, and every
English phrasing of the domain's raise sites has a French text (so a reworded message shows up here)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.factories import rifle
from wam.domain.errors import InvalidInput, PostingRejected, WamError
from wam.web.i18n import Translator
from wam.web.messages import DETAILS, RULES, detail, field_name, localize

FR = {"Accept-Language": "fr-FR,fr;q=0.9"}
HELD = rifle("56-00009").key  # at GAO-ARM since the web world's set-up (transferred there from GAO)


def _bearer(personas, name: str, **extra: str) -> dict[str, str]:  # noqa: ANN001
    return {"Authorization": f"Bearer {personas[name].token}", **extra}


def test_it_names_the_law_item_and_holder_of_a_refusal_in_french(client, personas) -> None:  # noqa: ANN001
    body = {"kind": "transfer", "item": HELD, "source": "GAO-ASP", "target": "GAO-ARM"}
    english = client.post("/api/movements", headers=_bearer(personas, "quartermaster"), json=body)
    french = client.post("/api/movements", headers=_bearer(personas, "quartermaster", **FR), json=body)
    assert english.status_code == french.status_code == 409
    assert english.json()["error"]["message"] == f"law 1: {HELD} is held by GAO-ARM, not by GAO-ASP"
    error = french.json()["error"]
    assert error["code"] == "posting_rejected" and (error["law"], error["item"], error["holder"]) == (1, HELD,
                                                                                                      "GAO-ASP")
    assert error["message"] == (f"Refusé par la loi 1 (un article numéroté n’a qu’un détenteur à la fois) : {HELD} est "
                                f"détenu par GAO-ARM, non par GAO-ASP (article {HELD}, détenteur GAO-ASP)")
    overdraw = {"kind": "transfer", "item": "L|POF|7.62X39MM BALL|POF-2021-07", "quantity": 20_000,
                "source": "GAO-ASP", "target": "GAO-ARM"}
    message = client.post("/api/movements", headers=_bearer(personas, "quartermaster", **FR), json=overdraw).json()
    assert message["error"]["message"].startswith("Refusé par la loi 2 (aucun solde d’un détenteur n’est négatif) : "
                                                  "GAO-ASP détient 10000 de L|POF|7.62X39MM BALL|POF-2021-07")


def test_it_translates_invalid_input_and_not_found(client, personas) -> None:  # noqa: ANN001
    fr = _bearer(personas, "quartermaster", **FR)
    no_reason = client.post("/api/movements", headers=fr, json={
        "kind": "expenditure", "item": "L|POF|7.62X39MM BALL|POF-2021-07", "quantity": 5, "source": "GAO-ASP",
        "target": "expended"}).json()["error"]
    assert no_reason["field"] == "reason"
    assert no_reason["message"] == ("Saisie invalide dans le champ « motif » : un mouvement « Consommation » "
                                    "exige un motif (instruction, opérations, démonstration, essai, autre)")
    zero = client.post("/api/movements", headers=fr, json={"kind": "issue", "item": HELD, "source": "GAO-ARM",
                                                            "target": "PTE-RAHMAN", "quantity": 0}).json()["error"]
    assert zero == {"code": "invalid_input", "field": "quantity",
                    "message": "Saisie invalide dans le champ « quantité » : doit valoir au moins 1"}
    hidden = client.get("/api/holders/JUBA-ARM", headers=fr).json()
    missing = client.get("/api/holders/NO-SUCH", headers=fr).json()
    assert hidden["error"]["message"] == "Détenteur « JUBA-ARM » introuvable"
    assert missing["error"]["message"] == "Détenteur « NO-SUCH » introuvable"
    denied = client.post("/api/movements", headers=_bearer(personas, "armourer", **FR), json={
        "kind": "receipt", "item": rifle("56-00002").key, "source": "supply:BGD", "target": "GAO-ARM"})
    assert denied.json()["error"]["message"] == ("Non autorisé : votre rôle ne permet pas d’enregistrer un mouvement "
                                                 "« Réception » à GAO-ARM")


def test_it_translates_the_error_pages_and_forms(client, personas) -> None:  # noqa: ANN001
    from .conftest import sign_in

    csrf = sign_in(client, "quartermaster")
    client.get("/lang/fr")
    page = client.post("/record", data={"csrf": csrf, "kind": "issue", "source": "GAO-ARM", "target": "GAO-ASP",
                                        "serials": "56-00002"})
    assert page.status_code == 422 and "Saisie invalide à la ligne 1, champ « vers »" in page.text
    assert "une perception va à une personne ; GAO-ASP est de type « Magasin »" in page.text
    confirm = client.post("/movements/nothing:1/confirm", data={"csrf": csrf})
    assert confirm.status_code == 404 and "Mouvement « nothing:1 » introuvable" in confirm.text


def _raised(call) -> WamError:  # noqa: ANN001
    with pytest.raises(WamError) as caught:
        call()
    return caught.value


def _domain_errors() -> list[WamError]:
    """One error of each common phrasing, raised by the domain itself (not copied from it)."""
    from wam.domain import laws
    from wam.domain.access import make_grant
    from wam.domain.materiel import shape_of_key
    from wam.domain.movements import make_movement

    now = datetime(2024, 1, 1, tzinfo=UTC)
    base = {"kind": "transfer", "item": "W|A|B|1", "quantity": 1, "source": "S1", "target": "S2",
            "occurred_at": now, "actor": "a"}
    bad_movements = [
        {"kind": "teleport"}, {"quantity": "two"}, {"quantity": 0}, {"target": "S1"},
        {"occurred_at": now.replace(tzinfo=None)},
        {"item": ""}, {"note": "x" * 3000}, {"note": "a\x1fb"}, {"note": "a\u200bb"},
        {"kind": "receipt", "source": "S0"}, {"kind": "receipt", "source": "supply:BGD", "target": "lost"},
        {"source": "lost"}, {"kind": "expenditure", "target": "expended"}, {"kind": "expenditure", "target": "lost"},
        {"kind": "loss", "target": "lost"}, {"kind": "loss", "target": "expended"},
        {"kind": "recovery", "source": "recovered:FIELD"}, {"kind": "recovery", "source": "S0"},
        {"kind": "disposal", "target": "destroyed"}, {"kind": "disposal", "target": "handed-over:MLI"},
        {"kind": "disposal", "target": "lost"}, {"kind": "adjustment", "target": "count-adjustment"},
        {"kind": "adjustment", "target": "lost", "document": "C1"}, {"kind": "reversal"},
    ]
    errors = [_raised(lambda b=bad: make_movement(**{**base, **b})) for bad in bad_movements]
    errors += [
        _raised(lambda: laws.check_serial_custody(item="W|A|B|1", quantity=2, source="S1", holder_now="S1",
                                                  source_external=False)),
        _raised(lambda: laws.check_serial_custody(item="W|A|B|1", quantity=1, source="S1", holder_now=None,
                                                  source_external=False)),
        _raised(lambda: laws.check_serial_custody(item="W|A|B|1", quantity=1, source="S1", holder_now="S2",
                                                  source_external=False)),
        _raised(lambda: laws.check_serial_not_backdated(item="W|A|B|1", source="S1", next_source="S2", next_at=0)),
        _raised(lambda: laws.check_non_negative(item="L|A|B|1", holder="S1", quantity=5, balance_at=2,
                                                later_deltas=[])),
        _raised(lambda: laws.check_non_negative(item="L|A|B|1", holder="S1", quantity=1, balance_at=2,
                                                later_deltas=[-5])),
        _raised(lambda: make_grant(role="general")),
        _raised(lambda: make_grant(role="viewer", holder="X", country="BGD")),
        _raised(lambda: make_grant(role="viewer", country="BG")),
        _raised(lambda: shape_of_key("nonsense")),
        *_document_errors(),
    ]
    return errors


def _document_errors() -> list[WamError]:
    """The documents seam's refusals: a generic path given a register's kind, a step out of turn."""
    from wam.domain import documents as d

    drafted = d.apply(d.DISPOSAL, None, "draft", "alice", {
        "number": "DSP-1", "lines": [["W|A|B|1", 1, "S1"]], "method": "destruction", "destruction": "cutting",
        "witness": "W"})
    return [_raised(lambda: d.refuse_generic("disposal")), _raised(lambda: d.refuse_generic("adjustment")),
            _raised(lambda: d.apply(d.DISPOSAL, drafted, "execute", "bob", {})),
            _raised(lambda: d.apply(d.DISPOSAL, drafted, "approve", "alice", {})),
            d.DocumentRefused("disposal certificate DSP-1 exists already", number="DSP-1")]


def test_every_common_domain_phrasing_has_a_french_text() -> None:
    fr = Translator("fr")
    untranslated = [e.detail for e in _domain_errors() if detail(fr, e.detail) == e.detail]
    assert untranslated == []


def test_every_catalog_key_of_the_translations_exists_and_fills() -> None:
    fr, en = Translator("fr"), Translator("en")
    for _, key in [*DETAILS, *RULES]:
        assert key in fr.texts and key in en.texts, key
    for error in _domain_errors():
        assert localize(error, en) == error.message  # English: exactly as raised
        text = localize(error, fr)
        assert "{" not in text and text != error.message, text
        if isinstance(error, PostingRejected):
            assert text.startswith(f"Refusé par la loi {error.law} (") and f"article {error.item}" in text
        if isinstance(error, InvalidInput) and error.field:
            assert text.startswith(f"Saisie invalide dans le champ « {field_name(fr, error.field)} » : ")


def test_it_keeps_an_untranslated_detail_behind_a_french_phrase() -> None:
    error = InvalidInput("a brand-new complaint", field="note", row=3)
    assert localize(error, Translator("fr")) == "Saisie invalide à la ligne 3, champ « note » : a brand-new complaint"
    refused = PostingRejected("something new", law=None, item="W|A|B|1", holder="S1")
    assert localize(refused, Translator("fr")) == "Refusé : something new"


def test_it_names_fields_reasons_and_numbered_movements_in_french(client, personas) -> None:  # noqa: ANN001
    """Field names inside errors, the expenditure reasons and a "movement N:" prefix were left in English."""
    from .conftest import sign_in

    fr = Translator("fr")
    assert localize(InvalidInput("is required", field="serials"), fr) == (
        f"Saisie invalide dans le champ « numéros de série » : {fr('msg.required')}")
    assert detail(fr, "movement 2: source and target are the same holder") == (
        "mouvement 2 : " + fr("msg.same_holder"))
    csrf = sign_in(client, "quartermaster")
    client.get("/lang/fr")
    form = client.get("/record").text
    assert ">instruction</option>" in form and ">training</option>" not in form
    page = client.post("/record", data={"csrf": csrf, "kind": "issue", "source": "GAO-ARM", "target": "PTE-RAHMAN",
                                        "serials": "56-99999"})
    assert "champ « numéros de série »" in page.text and "« serials »" not in page.text
