"""Holders: the tree, external holders, contingents' countries, sites' coordinates."""

from __future__ import annotations

import itertools

import pytest

from wam.domain.errors import InvalidInput
from wam.domain.holders import (
    TREE_ORDER,
    HolderKind,
    check_parent,
    external_family,
    external_holder,
    is_external,
    make_holder,
)

LEVELS = list(TREE_ORDER)  # organisation ... person


def holder_of(kind: HolderKind, code: str | None = None):  # noqa: ANN201
    extra = {"country": "BGD"} if kind is HolderKind.CONTINGENT else {}
    parent = None if kind is HolderKind.ORGANISATION else "UN"
    return make_holder(code=code or f"H-{kind.value}", name=kind.value.title(), kind=kind.value, parent=parent, **extra)


def test_it_orders_the_tree_from_organisation_to_person():
    assert [k.value for k in sorted(TREE_ORDER, key=TREE_ORDER.get)] == [
        "organisation", "mission", "sector", "contingent", "site", "store", "person",
    ]


@pytest.mark.parametrize(("upper", "lower"), list(itertools.combinations(LEVELS, 2)))
def test_it_accepts_any_parent_above_the_child(upper, lower):
    check_parent(holder_of(lower), holder_of(upper))  # levels may be skipped


@pytest.mark.parametrize(("upper", "lower"), list(itertools.combinations(LEVELS, 2)))
def test_it_refuses_a_parent_below_the_child(upper, lower):
    with pytest.raises(InvalidInput) as refused:
        check_parent(holder_of(upper), holder_of(lower))
    assert refused.value.field == "parent"
    assert f"a {upper.value} cannot sit under a {lower.value}" in refused.value.message


@pytest.mark.parametrize("kind", LEVELS)
def test_it_refuses_a_parent_of_the_same_level(kind):
    with pytest.raises(InvalidInput, match="cannot sit under"):
        check_parent(holder_of(kind, "A"), holder_of(kind, "B"))


def test_it_refuses_an_external_parent():
    store = make_holder(code="GAO-ARM", name="Gao armoury", kind="store", parent="lost")
    with pytest.raises(InvalidInput, match="external holder cannot be a parent") as refused:
        check_parent(store, external_holder("lost"))
    assert refused.value.field == "parent"


@pytest.mark.parametrize("kind", [k.value for k in LEVELS if k is not HolderKind.ORGANISATION])
def test_it_needs_a_parent_below_the_organisation(kind):
    extra = {"country": "BGD"} if kind == "contingent" else {}
    with pytest.raises(InvalidInput, match=f"a {kind} needs a parent") as refused:
        make_holder(code="X-1", name="X", kind=kind, **extra)
    assert refused.value.field == "parent"


def test_it_lets_an_organisation_be_a_root():
    un = make_holder(code="UN", name="United Nations", kind="organisation")
    assert un.parent is None and not un.external


def test_it_refuses_a_holder_as_its_own_parent():
    with pytest.raises(InvalidInput, match="its own parent"):
        make_holder(code="GAO", name="Gao", kind="site", parent="GAO")


@pytest.mark.parametrize(
    ("code", "family"),
    [
        ("supply:BGD", "supply"),
        ("expended", "expended"),
        ("lost", "lost"),
        ("destroyed", "destroyed"),
        ("handed-over:MLI", "handed-over"),
        ("recovered:FAMa", "recovered"),
        ("recovered:weapons-amnesty/2024", "recovered"),
        ("count-adjustment", "count-adjustment"),
    ],
)
def test_it_recognises_external_holders(code, family):
    assert external_family(code) == family
    assert is_external(code)
    holder = make_holder(code=code, name="ignored", kind="store")
    assert holder.kind is HolderKind.EXTERNAL and holder.external and holder.parent is None


@pytest.mark.parametrize("code",
                         ["GAO-ARM", "supply", "supply:", "LOST", "lost:GAO", "handed-over", "recovered:-x", "UN"])
def test_it_treats_other_codes_as_real(code):
    assert external_family(code) is None
    assert not is_external(code)


def test_it_reads_the_country_from_a_supply_holder():
    assert external_holder("supply:SEN").country == "SEN"
    assert external_holder("lost").country is None


@pytest.mark.parametrize("code", ["supply:bgd", "supply:BD", "supply:BGDX", "supply:B1D"])
def test_it_refuses_supply_without_an_iso3_country(code):
    with pytest.raises(InvalidInput, match="ISO 3166 alpha-3"):
        make_holder(code=code, name="x", kind="store")


def test_it_refuses_a_real_code_as_external():
    with pytest.raises(InvalidInput, match="not an external holder") as refused:
        external_holder("GAO-ARM")
    assert refused.value.field == "holder"


def test_it_refuses_external_as_a_kind():
    with pytest.raises(InvalidInput, match="named by their code") as refused:
        make_holder(code="DUMP", name="Dump", kind="external", parent="UN")
    assert refused.value.field == "kind"


def test_it_refuses_an_unknown_kind_and_lists_the_kinds():
    with pytest.raises(InvalidInput) as refused:
        make_holder(code="GAO", name="Gao", kind="camp", parent="UN")
    assert refused.value.field == "kind"
    assert "organisation, mission, sector, contingent, site, store, person" in refused.value.message


def test_it_reads_kinds_in_any_case():
    assert make_holder(code="GAO", name="Gao", kind=" Site ", parent="UN").kind is HolderKind.SITE


def test_it_needs_a_country_for_a_contingent():
    with pytest.raises(InvalidInput, match="contributing country") as refused:
        make_holder(code="BGD-BATT", name="Bangladesh battalion", kind="contingent", parent="MINUSMA")
    assert refused.value.field == "country"


@pytest.mark.parametrize("country", ["BD", "B1D", "12A", "BGDX", "Bangladesh"])
def test_it_refuses_a_country_that_is_not_iso3(country):
    with pytest.raises(InvalidInput) as refused:
        make_holder(code="BGD-BATT", name="Bangladesh battalion", kind="contingent", parent="MINUSMA", country=country)
    assert refused.value.field == "country"


def test_it_upper_cases_the_country():
    contingent = make_holder(code="BGD-BATT", name="Bangladesh battalion", kind="contingent", parent="MINUSMA",
                             country=" bgd ")
    assert contingent.country == "BGD"


def test_it_keeps_a_sites_coordinates_as_numbers():
    gao = make_holder(code="GAO", name="Gao camp", kind="site", parent="BGD-BATT", latitude="16.27", longitude=" -0.04")
    assert (gao.latitude, gao.longitude) == (16.27, -0.04)


def test_it_leaves_coordinates_out_when_blank():
    gao = make_holder(code="GAO", name="Gao camp", kind="site", parent="BGD-BATT", latitude=" ", longitude="")
    assert gao.latitude is None and gao.longitude is None


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [
        ("16.27", None, "longitude"),
        (None, "-0.04", "latitude"),
        ("90.5", "0", "latitude"),
        ("-91", "0", "latitude"),
        ("0", "180.01", "longitude"),
        ("0", "-181", "longitude"),
        ("north", "0", "latitude"),
        ("0", "1,5", "longitude"),
    ],
)
def test_it_refuses_bad_coordinates(latitude, longitude, field):
    with pytest.raises(InvalidInput) as refused:
        make_holder(code="GAO", name="Gao camp", kind="site", parent="BGD-BATT", latitude=latitude, longitude=longitude)
    assert refused.value.field == field


@pytest.mark.parametrize("latitude, longitude", [(90, 180), (-90, -180), (0, 0)])
def test_it_accepts_coordinates_at_the_limits(latitude, longitude):
    site = make_holder(code="POLE", name="Pole", kind="site", parent="UN", latitude=latitude, longitude=longitude)
    assert (site.latitude, site.longitude) == (latitude, longitude)


@pytest.mark.parametrize("code", ["GAO ARM", "-GAO", "GAO#1", "A" * 65, "GAO\x1fARM", "é-store"])
def test_it_refuses_bad_codes(code):
    with pytest.raises(InvalidInput) as refused:
        make_holder(code=code, name="x", kind="store", parent="GAO")
    assert refused.value.field == "code"


@pytest.mark.parametrize("code", ["GAO-ARM", "a", "A" * 64, "MINUSMA/SEC.EAST_1"])
def test_it_accepts_good_codes(code):
    assert make_holder(code=code, name="x", kind="store", parent="GAO").code == code


def test_it_needs_a_name():
    with pytest.raises(InvalidInput, match="required") as refused:
        make_holder(code="GAO", name="  ", kind="site", parent="UN")
    assert refused.value.field == "name"
