"""The analyses' arithmetic (wam.domain.analysis): periods, breakdowns, rates, recovered materiel, and the
coarsening for publication: no published class points to fewer than k contingents, whatever the rows
(a hypothesis property), and nothing is lost but what is counted as suppressed."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from wam.domain import analysis as a


def _loss(id_: str, when: datetime, **over: object) -> a.Loss:
    return a.Loss(id=id_, record="loss", started_at=when, mission="MINUSMA", **over)  # type: ignore[arg-type]


def test_periods_and_over_time() -> None:
    assert a.periods(date(2023, 11, 5), date(2024, 2, 1), "month") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert a.periods(date(2023, 11, 5), date(2025, 1, 1), "year") == ["2023", "2024", "2025"]
    losses = [_loss("1", datetime(2024, 1, 3, tzinfo=UTC), weapons=2), _loss("2", datetime(2024, 3, 9, tzinfo=UTC))]
    found = a.over_time(losses, "month", date(2024, 1, 1), date(2024, 3, 31))
    assert {k: (v.incidents, v.weapons) for k, v in found.items()} == {"2024-01": (1, 2), "2024-02": (0, 0),
                                                                         "2024-03": (1, 0)}


def test_breakdowns_count_an_incident_under_each_country_and_category() -> None:
    when = datetime(2024, 1, 3, tzinfo=UTC)
    losses = [_loss("1", when, countries=("BGD", "SEN"), weapons=3, categories=(("rifle", 3),)),
              _loss("2", when, countries=("SEN",), weapons=1, rounds=50, categories=(("rifle", 1), ("ammunition", 50))),
              _loss("3", when)]
    by_country = {k: (v.incidents, v.weapons) for k, v in a.breakdown(losses, "country").items()}
    assert by_country == {"SEN": (2, 4), "BGD": (1, 3), a.UNKNOWN: (1, 0)}
    by_category = {k: v.quantity for k, v in a.breakdown(losses, "category").items()}
    assert by_category == {"rifle": 4, "ammunition": 50, a.UNKNOWN: 0}
    assert a.tally(losses).weapons == 4


def test_rates_and_strength() -> None:
    assert a.per_thousand(3, 1500) == 2.0 and a.per_thousand(3, 0) is None and a.per_thousand(1, None) is None
    assert a.mean_strength({"2024-01": 100, "2024-03": 300}, ["2024-01", "2024-02", "2024-03"]) == (200.0, 2)
    assert a.mean_strength({}, ["2024-01"]) == (None, 0)


def test_recovery_figures() -> None:
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    records = [a.Recovered("R1", "cache", t0, weapons=2, disposed_at=datetime(2024, 1, 11, tzinfo=UTC), traced=True,
                           answered=True, matches=(("INC-1", datetime(2023, 12, 2, tzinfo=UTC)),)),
               a.Recovered("R2", "cache", t0, weapons=1, traced=True),
               a.Recovered("R3", "checkpoint", t0, rounds=30)]
    found = a.recovery_figures(records)
    assert found["by_how"] == {"cache": {"records": 2, "weapons": 3, "rounds": 0},
                               "checkpoint": {"records": 1, "weapons": 0, "rounds": 30}}
    assert found["days_to_disposal"] == {"median": 10.0, "mean": 10.0}
    assert (found["share_traced"], found["share_answered"]) == (0.667, 0.5)
    assert found["matches"] == [{"recovery": "R1", "incident": "INC-1", "days_after_loss": 30.0}]


def _row(mission: str, place: str, moment: date, countries: frozenset[str]) -> a.Published:
    return a.Published(mission=mission, place=place, moment=moment, group="+".join(sorted(countries)) or "unknown",
                       contingents=frozenset(f"{mission}:{c}" for c in countries))


def test_coarsening_moves_small_classes_up_and_suppresses_what_cannot_reach_k() -> None:
    rows = [_row("M", "Gao", date(2024, 1, 5), frozenset({"BGD"})),
            _row("M", "Gao", date(2024, 1, 9), frozenset({"SEN"})),
            _row("M", "Kidal", date(2024, 2, 1), frozenset({"TCD"})), _row("N", "Juba", date(2024, 1, 1), frozenset())]
    kept, suppressed = a.coarsen(rows, 2)
    assert suppressed == 1  # N's row names no contingent: it can never reach 2
    assert sorted(r.key() for r in kept) == [("M", "", "2024-Q1", "*")] * 3
    assert a.smallest_class(kept) == 3
    assert a.coarsen(rows, 1)[1] == 1 and {r.level for r in a.coarsen(rows, 1)[0]} == {0}
    kept, suppressed = a.coarsen(rows, 4)
    assert (kept, suppressed) == ([], 4)


countries = st.frozensets(st.sampled_from(["BGD", "SEN", "TCD", "NPL", "IND", "PAK"]), max_size=3)
rows_strategy = st.lists(st.builds(_row, st.sampled_from(["M", "N"]), st.sampled_from(["Gao", "Kidal", "Juba", ""]),
                                   st.dates(date(2022, 1, 1), date(2025, 12, 31)), countries), max_size=40)


@settings(max_examples=200, deadline=None)
@given(rows_strategy, st.integers(1, 6))
def test_no_published_class_points_to_fewer_than_k_contingents(rows: list[a.Published], k: int) -> None:
    kept, suppressed = a.coarsen(rows, k)
    assert len(kept) + suppressed == len(rows)
    smallest = a.smallest_class(kept)
    assert smallest is None or smallest >= k
    for row in kept:  # a row is only ever made coarser, never finer nor moved to another mission
        assert row.key()[0] == row.mission and 0 <= row.level < len(a.LEVELS)
    if k == 1:  # every row pointing to a contingent stays as it is
        assert all(r.level == 0 for r in kept) and suppressed == sum(1 for r in rows if not r.contingents)


def test_early_warnings() -> None:
    when = datetime(2024, 1, 3, tzinfo=UTC)
    losses = [_loss("1", when, mechanism="ambush", place="Gao", weapons=2), _loss("2", when, mechanism="ambush"),
              _loss("3", when, mechanism="armed_attack_overrun", place="Gao"),
              _loss("4", when, mechanism="theft_burglary", place="Gao")]
    [attacks] = a.repeated_attacks(losses)
    assert (attacks.where, attacks.records, attacks.why["attacks"]) == ("Gao", ("1", "3"), 2)
    assert a.repeated_attacks(losses, at_least=3) == []
    [counts] = a.repeated_discrepancies([("GAO-ARM", "CNT-2", 1), ("GAO-ARM", "CNT-1", 2), ("GAO-ARM", "CNT-3", 0),
                                         ("JUBA-ARM", "CNT-4", 5)])
    assert (counts.where, counts.records, counts.why["discrepancies"]) == ("GAO-ARM", ("CNT-1", "CNT-2"), 3)
    months = ["2024-01", "2024-02", "2024-03", "2024-04"]
    spikes = a.expenditure_spikes({"GAO": {"2024-01": 100, "2024-02": 100, "2024-03": 400, "2024-04": 100},
                                   "JUBA": {"2024-02": 600}, "KIDAL": dict.fromkeys(months, 2000)}, months)
    assert [(w.where, w.why["month"]) for w in spikes] == [("JUBA", "2024-02")]  # GAO's 400: under the minimum
    assert a.expenditure_spikes({"JUBA": {"2024-02": 600}}, months[:2]) == []  # too few months to know the usual


def test_a_lot_used_while_suspended_is_a_warning_naming_its_movements() -> None:
    from wam.domain.storage import LotStatus

    day = 86_400_000_000
    changes = {"L|A": [LotStatus("suspended", 10 * day, "fuze notice", "J"), LotStatus("released", 20 * day, "ok")],
               "L|B": [LotStatus("recalled", 5 * day, "recall")]}
    moves = [("L|A", "ASP-1", "x:1", 100, 9 * day), ("L|A", "ASP-1", "x:2", 30, 12 * day),
             ("L|A", "ASP-2", "x:3", 5, 19 * day), ("L|A", "ASP-1", "x:4", 7, 21 * day),
             ("L|B", "ASP-3", "x:5", 1, 6 * day), ("L|C", "ASP-3", "x:6", 1, 6 * day)]
    found = {w.where: w for w in a.used_while_suspended(moves, changes)}
    assert set(found) == {"L|A", "L|B"}
    lot_a = found["L|A"]
    assert lot_a.records == ("x:2", "x:3") and lot_a.why["quantity"] == 35
    assert lot_a.why["holders"] == ["ASP-1", "ASP-2"] and lot_a.why["code"] == "J"
    assert found["L|B"].why["status"] == "recalled"


def test_spikes_compare_each_month_with_the_median_of_the_others() -> None:
    """The spikes found from one sorted list per unit are those of the definition: a month at least the minimum
    and more than factor times ``statistics.median`` of the unit's other months."""
    import random
    import statistics

    from wam.domain.analysis import expenditure_spikes

    chance = random.Random(14)
    for _ in range(300):
        months = [f"2024-{m:02d}" for m in range(1, chance.randint(3, 12) + 1)]
        monthly = {unit: {m: chance.choice([0, 0, 100, 200, 600, 900, 2000]) for m in months if chance.random() < 0.7}
                   for unit in ("GAO", "KIDAL")}
        expected = [(unit, m) for unit in sorted(monthly) for m in months
                    if monthly[unit].get(m, 0) >= 500 and monthly[unit].get(m, 0) > 3 * statistics.median(
                        [monthly[unit].get(o, 0) for o in months if o != m])]
        assert [(w.where, w.why["month"]) for w in expenditure_spikes(monthly, months)] == expected
