"""Research records (services/research.py) on SQLite and PostgreSQL: quantities as minimum and maximum, sources
with reliability and claims, confidential sources kept but never shown outside their scope, the exchange layout
(export, import all or nothing, naming line and field, and the round trip), ACLED events linked to incidents,
and wam verify finding an altered research record."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest

from tests.factories import T0
from tests.services.test_records import bypass
from wam.domain import research as rules
from wam.domain.access import Grant, Role
from wam.domain.errors import InvalidInput
from wam.services import incidents, research

SECRET = "interview with a staff officer of the battalion, Juba, 2016"


def fields(**over: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "started_at": "2015-10-26", "mission": "unmiss", "organisation": "UN", "country": "SSD",
        "place": "Kaka", "admin1": "Upper Nile", "contingents": [["Bangladeshi contingent", "BGD"]],
        "circumstance": "convoy_escort", "mechanism": "seizure_detention", "ownership": "COE",
        "perpetrator": "SPLA-IO", "quantities": "small_arms=16;light_weapons=2;rounds=3000-3500;fuel_litres=55000",
        "sources": [{"citation": "theeastafrican.co.ke, 9 Nov 2017", "kind": "media", "date": "2017-11-09",
                     "reliability": "medium"},
                    {"citation": SECRET, "kind": "interview", "reliability": "high", "confidential": True}],
        "verification_status": "reported"}
    out.update(over)
    return out


def test_a_research_record_keeps_quantities_sources_and_what_is_derived(ledger) -> None:  # noqa: ANN001
    rid = research.record(ledger, actor="rita", **fields())
    assert rid == "RES-000001"
    [row] = research.listing(ledger, confidential=True)
    assert (row["id"], row["record"], row["mission"], row["countries"], row["started_at"]) == (
        "RES-000001", "research", "UNMISS", ["BGD"], "2015-10-26T00:00:00.000000Z")
    assert (row["weapons_lost"], row["weapons_lost_max"], row["rounds_lost"], row["rounds_lost_max"]) == (
        18, 18, 3000, 3500)
    assert row["notable"] is True and row["board_of_inquiry_required"] is None
    assert (row["reported_by"], row["verification_status"], row["time_precision"]) == ("rita", "reported", "day")
    shown = research.show(ledger, rid, confidential=True)
    assert shown["fields"]["quantities"][-1] == ["fuel_litres", 55000, 55000]
    assert [s["reliability"] for s in shown["sources"]] == ["medium", "high"]
    assert ledger.verify().ok


def test_notable_is_derived_from_the_minimums_at_and_around_the_thresholds(ledger) -> None:  # noqa: ANN001
    cases = [("weapons=10", False), ("weapons=11", True), ("small_arms=6;light_weapons=5", True),
             ("weapons=2+", False), ("weapons=5-40", False), ("rounds=500", False), ("rounds=501", True),
             ("rounds=100-5000", False)]
    for quantities, _ in cases:
        research.record(ledger, actor="rita", **fields(quantities=quantities, sources=["a press report"]))
    rows = research.listing(ledger)
    assert [r["notable"] for r in rows] == [want for _, want in cases]
    assert rows[3]["weapons_lost_max"] is None  # "2+": at least two, no maximum known


@pytest.mark.parametrize(("over", "field"), [
    ({"quantities": "rounds=300-200"}, "quantities"),
    ({"quantities": "rifles=3"}, "quantities"),
    ({"quantities": "weapons=3;weapons=4"}, "quantities"),
    ({"sources": []}, "sources"),
    ({"sources": [{"citation": "x", "reliability": "certain"}]}, "sources"),
    ({"sources": [{"citation": "x", "secret": True}]}, "sources"),
    ({"verification_status": "true"}, "verification_status"),
    ({"perpetrator": None, "perpetrator_claim": True}, "perpetrator"),
    ({"country": None, "place": None, "admin1": None}, "place"),
    ({"started_at": "2015-13-01"}, "started_at"),
])
def test_a_bad_field_is_refused_naming_it(ledger, over, field) -> None:  # noqa: ANN001
    with pytest.raises(InvalidInput) as caught:
        research.record(ledger, actor="rita", **fields(**over))
    assert caught.value.field == field
    assert research.listing(ledger) == []


def test_a_claim_and_a_partial_date_are_kept(ledger) -> None:  # noqa: ANN001
    rid = research.record(ledger, actor="rita", **fields(
        started_at="2015-06", perpetrator="al-Shabaab", perpetrator_claim=True, verification_status="claimed",
        sources=[{"citation": "al-Shabaab statement", "kind": "perpetrator", "claim": True}]))
    shown = research.show(ledger, rid)
    assert shown["time_precision"] == "month" and shown["started_at"].startswith("2015-06-01T00:00")
    assert shown["fields"]["perpetrator_claim"] is True and shown["sources"][0]["claim"] is True


def test_a_confidential_source_is_kept_but_shown_only_in_its_scope(ledger) -> None:  # noqa: ANN001
    rid = research.record(ledger, actor="rita", **fields())
    researcher = rules.sees_confidential([Grant(Role.RESEARCHER)])
    admin = rules.sees_confidential([Grant(Role.ADMINISTRATOR)])
    assert (researcher, admin, rules.sees_confidential(None)) == (False, True, False)
    assert not rules.sees_confidential([Grant(Role.ADMINISTRATOR, "MINUSMA")])  # an administrator of one mission
    outside = json.dumps([research.show(ledger, rid, confidential=False),
                          research.listing(ledger, confidential=False, full=True)])
    assert SECRET not in outside and "theeastafrican" in outside
    assert SECRET in json.dumps(research.show(ledger, rid, confidential=True))
    for fmt in ("csv", "json"):
        text = research.export(research.register_rows(ledger, full=True), fmt)
        assert SECRET not in text and "theeastafrican" in text
    with pytest.raises(AssertionError):  # an export refuses a row read in the confidential scope
        research.export(research.listing(ledger, confidential=True, full=True), "csv")
    with ledger.engine.connect() as conn:  # kept
        assert SECRET in json.dumps(research.records.latest(conn, rules.RECORD_KIND, rid).data)


def test_a_confidential_record_is_out_of_sight_outside_its_scope(ledger) -> None:  # noqa: ANN001
    rid = research.record(ledger, actor="rita", **fields(confidentiality="confidential"))
    assert research.listing(ledger) == [] and research.register_rows(ledger, full=True) == []
    with pytest.raises(research.NotFound):
        research.show(ledger, rid)
    assert research.show(ledger, rid, confidential=True)["id"] == rid


def test_filters_keep_research_records_by_their_facts(ledger) -> None:  # noqa: ANN001
    research.record(ledger, actor="rita", **fields())
    research.record(ledger, actor="rita", **fields(mission="AMISOM", country="SOM", contingents=["KDF:KEN"],
                                                   mechanism="armed_attack_overrun", quantities="weapons=3",
                                                   started_at="2016-01-15"))

    def ids(**given: Any) -> list[str]:
        return [r["id"] for r in research.listing(ledger, incidents.Filters(**given))]

    assert ids(mission="amisom") == ["RES-000002"]
    assert ids(country="BGD") == ["RES-000001"]
    assert ids(mechanism="seizure_detention") == ["RES-000001"]
    assert ids(notable=True) == ["RES-000001"]
    assert ids(since=T0.replace(year=2016)) == ["RES-000002"]
    assert ids(step="reported") == []  # no workflow


def test_verify_finds_an_altered_research_record(ledger) -> None:  # noqa: ANN001
    rid = research.record(ledger, actor="rita", **fields())
    assert ledger.verify().ok
    with ledger.engine.connect() as conn:
        body = research.records.latest(conn, rules.RECORD_KIND, rid).data
    body["fields"]["quantities"][0][1] = 1
    from wam.domain.records import canonical_json

    bypass(ledger.engine, "UPDATE records SET body = :body WHERE kind = 'research:incident'",
           body=canonical_json(body))
    assert not ledger.verify().ok
    assert research.show(ledger, rid)["weapons_lost"] == 3  # what a reader would now see: verify says it is altered


# the exchange layout ------------------------------------------------------------------------------

def test_export_then_import_gives_the_same_register(ledger, tmp_path) -> None:  # noqa: ANN001
    from tests.builders import fresh_ledger

    research.record(ledger, actor="rita", **fields())
    research.record(ledger, actor="rita", **fields(started_at="2000-05", mission="UNAMSIL", quantities="vehicles=13",
                                                   narrative='13 APCs, "commandeered"; 300 hostages\nby the RUF',
                                                   mechanism="hostage_taking_capture", verification_status="reported",
                                                   sources=["nnbw.com (AP)", "strategypage.com, 2000-05-04"]))
    for fmt in ("csv", "json"):
        exported = research.export(research.register_rows(ledger, full=True), fmt)
        with fresh_ledger() as other:
            assert research.import_text(other, exported, fmt, actor="ivan") == ["RES-000001", "RES-000002"]
            again = research.export(research.register_rows(other, full=True), fmt)
            assert _without_who(again, fmt) == _without_who(exported, fmt)
            assert research.record(other, actor="ivan", **fields()) == "RES-000003"


def _without_who(text: str, fmt: str) -> list[dict[str, Any]]:
    rows = json.loads(text)["incidents"] if fmt == "json" else list(csv.DictReader(io.StringIO(text)))
    return [{k: v for k, v in row.items() if k not in ("reported_by", "reported_at", "updated_at")} for row in rows]


def test_a_loss_incidents_row_imports_as_a_research_record(world) -> None:  # noqa: ANN001
    from tests.builders import fresh_ledger

    incidents.report(world.ledger, actor="alice", lines=[[world.rifles[0].key, 1, "GAO-ARM"],
                                                         [world.rounds.key, 600, "GAO-ASP"]],
                     started_at=T0 + timedelta(days=30), site="GAO", mission="MINUSMA", circumstance="fixed_site",
                     mechanism="theft_burglary", ownership="COE", sources=["SINREP 2024-061"])
    exported = research.export(research.register_rows(world.ledger, full=True), "csv")
    [row] = list(csv.DictReader(io.StringIO(exported)))
    assert (row["record"], row["quantities"], row["site"]) == ("loss", "weapons=1;rounds=600", "GAO")
    with fresh_ledger() as other:
        [rid] = research.import_text(other, exported, "csv", actor="ivan")
        shown = research.show(other, rid)
    assert (rid, shown["fields"]["source_id"], shown["weapons_lost"], shown["rounds_lost"], shown["notable"]) == (
        "RES-000001", "INC-000001", 1, 600, True)
    assert shown["fields"]["place"] == "GAO" and shown["sources"][0]["citation"] == "SINREP 2024-061"


def test_an_import_is_all_or_nothing_and_names_each_bad_line_and_field(ledger) -> None:  # noqa: ANN001
    header = ",".join(research.COLUMNS)
    good = _csv_row(id="RES-000010", started_at="2014-04-14", mission="UNMISS", place="Bor",
                    circumstance="riverine_movement", mechanism="ambush", quantities="small_arms=20;rounds=3000",
                    sources="theeastafrican.co.ke")
    bad_mechanism = _csv_row(started_at="2014-12-12", mission="UNAMID", place="Gharabshi", mechanism="robbery",
                             sources="sudantribune.com")
    bad_quantity = _csv_row(started_at="2015-09-01", mission="AMISOM", place="Janaale", quantities="weapons=many",
                            sources="longwarjournal.org", narrative="two\nlines")
    no_source = _csv_row(started_at="2016-01-15", mission="AMISOM", place="El Adde")
    text = "\n".join([header, good, bad_mechanism, bad_quantity, no_source]) + "\n"
    with pytest.raises(research.ImportRefused) as caught:
        research.import_text(ledger, text, "csv", actor="ivan")
    assert caught.value.problems == [
        "line 3, field 'mechanism': 'robbery' is not one of " + ", ".join(rules.loss.Mechanism),
        "line 4, field 'quantities': 'many' is not a quantity (20, 16-20 or 2+)",
        "line 6, field 'sources': a research record cites at least one source"]  # line 5 is the narrative's second
    assert research.listing(ledger) == []
    research.import_text(ledger, "\n".join([header, good]) + "\n", "csv", actor="ivan")
    with pytest.raises(research.ImportRefused) as caught:  # the id is taken now
        research.import_text(ledger, "\n".join([header, good]) + "\n", "csv", actor="ivan")
    assert caught.value.problems == ["line 2, field 'id': RES-000010 is already a research record"]
    other = good.replace("RES-000010", "RES-000011")
    research.import_text(ledger, "\n".join([header, other]) + "\n", "csv", actor="ivan")
    fresh = good.replace("RES-000010", "RES-000012")
    with pytest.raises(research.ImportRefused) as caught:  # every taken id is named, not the first
        research.import_text(ledger, "\n".join([header, good, fresh, other]) + "\n", "csv", actor="ivan")
    assert caught.value.problems == ["line 2, field 'id': RES-000010 is already a research record",
                                     "line 4, field 'id': RES-000011 is already a research record"]
    assert [r["id"] for r in research.listing(ledger)] == ["RES-000010", "RES-000011"]


def test_a_json_import_names_the_line_each_bad_incident_begins_on(ledger) -> None:  # noqa: ANN001
    text = json.dumps({"incidents": [
        {"started_at": "2014-04-14", "mission": "UNMISS", "place": "Bor", "sources": ["a"]},
        {"started_at": "2014-04-14", "mission": "UNMISS", "place": "Bor", "sources": ["a"], "colour": "red"},
        {"started_at": "2014-04-14", "mission": "UNMISS", "place": "Bor", "sources": ["a"], "latitude": 95,
         "longitude": 1}]}, indent=1)
    with pytest.raises(research.ImportRefused) as caught:
        research.import_text(ledger, text, "json", actor="ivan")
    starts = [i + 1 for i, line in enumerate(text.splitlines()) if line.strip() == "{"]
    assert caught.value.problems == [
        f"line {starts[2]}, field 'colour': not a column of the layout (docs/incidents.md)",
        f"line {starts[3]}, field 'latitude': must be from -90 to 90"]
    assert research.listing(ledger) == []
    with pytest.raises(research.ImportRefused) as caught:
        research.import_text(ledger, '{"incidents": [\n{"mission": }]}', "json", actor="ivan")
    assert caught.value.problems[0].startswith("line 2, field 'file': not JSON")


def _csv_row(**values: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([values.get(c, "") for c in research.COLUMNS])
    return buffer.getvalue()[:-1]


# ACLED --------------------------------------------------------------------------------------------

ACLED_HEADER = ("event_id_cnty,event_date,year,event_type,sub_event_type,actor1,assoc_actor_1,actor2,assoc_actor_2,"
                "country,admin1,admin2,location,latitude,longitude,geo_precision,source,notes,fatalities")


def acled(*rows: str) -> str:
    return "\n".join([ACLED_HEADER, *rows]) + "\n"


def test_acled_attacks_on_peacekeepers_are_linked_to_the_incidents_they_caused(ledger) -> None:  # noqa: ANN001
    kaka = research.record(ledger, actor="rita", **fields(latitude=10.1, longitude=32.2))
    janaale = research.record(ledger, actor="rita", **fields(started_at="2015-09-01", mission="AMISOM", country="SOM",
                                                             place="Janaale", admin1="Lower Shabelle"))
    text = acled(
        # the attack at Kaka the day after (within 25 km): linked
        'SSD1,27 October 2015,2015,Battles,Armed clash,SPLA-IO: Sudan People\'s Liberation Army-In Opposition,,'
        'UNMISS: United Nations Mission in South Sudan (2011-),,South Sudan,Upper Nile,Panyikang,Kaka,10.15,32.25,'
        '1,Radio Tamazuj,"SPLA-IO detained a UNMISS convoy, seized weapons",0',
        # Janaale, by name (no coordinates on the record), written the other way round
        'SOM2,2015-09-01,2015,Explosions/Remote violence,Suicide bomb,Al Shabaab,,Military Forces of Uganda (1986-),'
        'AMISOM: African Union Mission in Somalia (2007-2022),Somalia,Lower Shabelle,Marka,Janaale,,,2,LWJ,'
        'SVBIED then assault on the base,12',
        # peacekeepers, but far from any incident: not linked
        'SSD3,27 October 2015,2015,Battles,Armed clash,SPLA-IO,,UNMISS,,South Sudan,Jonglei,Bor,Bor,6.2,31.55,1,x,,0',
        # at Kaka but no peacekeepers: not an attack on peacekeepers
        'SSD4,27 October 2015,2015,Battles,Armed clash,SPLA-IO,,SPLA,,South Sudan,Upper Nile,Panyikang,Kaka,10.15,'
        '32.25,1,x,,3',
        # a protest naming the UN: not an attack
        'SSD5,26 October 2015,2015,Protests,Peaceful protest,Protesters (South Sudan),,UNMISS,,South Sudan,'
        'Upper Nile,Panyikang,Kaka,10.15,32.25,1,x,,0')
    done = research.import_acled(ledger, text, actor="ivan")
    assert (done["events"], done["written"], done["attacks_on_peacekeepers"]) == (5, 5, 3)
    assert done["links"] == {"SSD1": [kaka], "SOM2": [janaale]}
    shown = research.show(ledger, kaka)
    assert [e["event_id_cnty"] for e in shown["events"]] == ["SSD1"]
    assert shown["events"][0]["event_date"] == "2015-10-27" and shown["events"][0]["mission"] == "UNMISS"
    assert research.import_acled(ledger, text, actor="ivan")["written"] == 0  # unchanged: not written again
    assert ledger.verify().ok


def test_acled_links_a_loss_incident_of_the_register(world) -> None:  # noqa: ANN001
    reported = incidents.report(world.ledger, actor="alice", lines=[[world.rifles[0].key, 1, "GAO-ARM"]],
                                started_at=T0 + timedelta(days=30), site="GAO", place="Gao", mission="MINUSMA",
                                circumstance="fixed_site", mechanism="armed_attack_overrun", ownership="COE")
    day = (T0 + timedelta(days=30)).date().isoformat()
    done = research.import_acled(world.ledger, acled(
        f"MLI9,{day},2024,Battles,Armed clash,JNIM,,MINUSMA: United Nations Multidimensional Integrated "
        "Stabilization Mission in Mali (2013-2023),,Mali,Gao,Gao,Gao,,,1,x,,2"), actor="ivan")
    assert done["links"] == {"MLI9": [reported.number]}
    assert [e["event_id_cnty"] for e in incidents.full(world.ledger, reported.number)["events"]] == ["MLI9"]


def test_an_acled_file_with_bad_rows_imports_nothing_and_names_them(ledger) -> None:  # noqa: ANN001
    text = acled("SSD1,31 December 2020,2020,Battles,Armed clash,A,,B,,South Sudan,,,Bor,6.2,31.5,1,x,,0",
                 "SSD2,31 Dec 20,2020,Battles,Armed clash,A,,B,,South Sudan,,,Bor,6.2,31.5,1,x,,0",
                 "SSD3,2020-12-31,2020,Battles,Armed clash,A,,B,,South Sudan,,,Bor,96.2,31.5,1,x,,0",
                 "SSD1,2020-12-31,2020,Battles,Armed clash,A,,B,,South Sudan,,,Bor,6.2,31.5,1,x,,zero")
    with pytest.raises(research.ImportRefused) as caught:
        research.import_acled(ledger, text, actor="ivan")
    assert caught.value.problems == [
        "line 3, field 'event_date': '31 Dec 20' is not a date (2020-12-31 or 31 December 2020)",
        "line 4, field 'latitude': must be from -90 to 90",
        "line 5, field 'fatalities': 'zero' is not a whole number"]
    assert research.events(ledger) == []
    with pytest.raises(research.ImportRefused) as caught:
        research.import_acled(ledger, "event_id_cnty,event_date\nX,2020-01-01\n", actor="ivan")
    assert caught.value.problems[0] == "line 1, field 'event_type': a column of the ACLED layout is missing"


@pytest.mark.parametrize("started, words", [("1800-01-01", "before 1945-01-01"), ("2999-01-01", "in the future")])
def test_a_research_record_dated_before_any_peace_operation_or_in_the_future_is_refused(started, words) -> None:
    """Found by a README trial: rows dated 1800 and 2099 were imported without complaint."""
    from datetime import UTC, datetime

    from wam.domain import research as rules
    from wam.domain.errors import InvalidInput

    fields = {"started_at": started, "mission": "UNMISS", "country": "SSD", "sources": [{"citation": "x"}]}
    with pytest.raises(InvalidInput) as refused:
        rules.clean_fields(fields, now=datetime(2026, 12, 2, tzinfo=UTC))
    assert refused.value.field == "started_at" and words in refused.value.message
    assert rules.clean_fields({**fields, "started_at": "2014-04-14"}, now=datetime(2026, 12, 2, tzinfo=UTC))
