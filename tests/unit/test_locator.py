"""Finding workshops: distances, the nearest few, and places typed by people."""

from __future__ import annotations

import random
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.config import DATA_DIR
from bot.locator import MAX_CHOICES, Locator, Nearby, Point, distance_km
from bot.troubleshooting import load_tree
from bot.workshops import Workshop, load_workshops


def nearest(workshops: list[Workshop], category: str, here: Point) -> list[Nearby]:
    return Locator(workshops).nearest(category, here)


def locate(typed: str, workshops: list[Workshop]) -> Point | None:
    place = Locator(workshops).locate(typed)
    return place.point if place is not None else None


MOSCOW = Point(55.7558, 37.6173)
SAINT_PETERSBURG = Point(59.9343, 30.3351)


def make_workshop(code: str, lat: float, lon: float, categories: list[str]) -> Workshop:
    data: dict[str, Any] = {
        "code": code,
        "name": code,
        "city": {"en": "Testville", "ru": "Тестовск"},
        "address": f"{code} street",
        "lat": lat,
        "lon": lon,
        "phone": "+7 000",
        "categories": categories,
        "hours": {"mon": "09:00-18:00"},
    }
    return Workshop(**data)


@pytest.fixture(scope="module")
def bundled() -> list[Workshop]:
    tree = load_tree(DATA_DIR / "troubleshooting.yaml")
    network = load_workshops(DATA_DIR / "workshops.yaml", tree, ZoneInfo("Europe/Moscow"))
    return list(network.workshops.values())


def centre_of(workshops: list[Workshop], city_en: str) -> Point:
    members = [w for w in workshops if isinstance(w.city, dict) and w.city["en"] == city_en]
    return Point(
        sum(w.lat for w in members) / len(members), sum(w.lon for w in members) / len(members)
    )


def test_moscow_to_saint_petersburg_is_about_634_km() -> None:
    assert distance_km(MOSCOW, SAINT_PETERSBURG) == pytest.approx(634, abs=5)


def test_distance_is_symmetric_and_zero_to_the_same_place() -> None:
    assert distance_km(MOSCOW, SAINT_PETERSBURG) == pytest.approx(
        distance_km(SAINT_PETERSBURG, MOSCOW)
    )
    assert distance_km(MOSCOW, MOSCOW) == 0


def test_nearest_lists_workshops_closest_first() -> None:
    far = make_workshop("FAR", 55.0, 40.0, ["phone"])
    near = make_workshop("NEAR", 55.0, 37.7, ["phone"])
    middle = make_workshop("MIDDLE", 55.0, 38.5, ["phone"])

    found = nearest([far, near, middle], "phone", Point(55.0, 37.6))

    assert [item.workshop.code for item in found] == ["NEAR", "MIDDLE", "FAR"]
    assert [item.km for item in found] == sorted(item.km for item in found)


def test_nearest_keeps_only_workshops_serving_the_category() -> None:
    phones = make_workshop("PHONES", 55.0, 37.7, ["phone"])
    shoes = make_workshop("SHOES", 55.0, 37.61, ["footwear"])
    both = make_workshop("BOTH", 55.0, 38.0, ["footwear", "phone"])

    found = nearest([phones, shoes, both], "phone", Point(55.0, 37.6))

    assert [item.workshop.code for item in found] == ["PHONES", "BOTH"]


def test_nearest_returns_at_most_five_workshops_the_closest_ones() -> None:
    workshops = [make_workshop(f"W{i}", 55.0, 37.0 + i * 0.1, ["phone"]) for i in range(8)]

    found = nearest(list(reversed(workshops)), "phone", Point(55.0, 36.9))

    assert MAX_CHOICES == 5
    assert [item.workshop.code for item in found] == ["W0", "W1", "W2", "W3", "W4"]


def test_nearest_to_saint_petersburg_for_a_washer_is_the_ligovsky_workshop(
    bundled: list[Workshop],
) -> None:
    found = nearest(bundled, "washer", SAINT_PETERSBURG)

    assert found[0].workshop.code == "SPB-LIGOVSKY"
    assert found[0].km < 5
    assert all("washer" in item.workshop.categories for item in found)


def test_nearest_finds_nothing_for_a_category_nobody_serves(bundled: list[Workshop]) -> None:
    assert nearest(bundled, "bicycle", MOSCOW) == []


@pytest.mark.parametrize("typed", ["moscow", "MOSCOW", "  Moscow! "])
def test_locate_matches_a_city_name_whatever_the_case(bundled: list[Workshop], typed: str) -> None:
    assert locate(typed, bundled) == centre_of(bundled, "Moscow")


@pytest.mark.parametrize("typed", ["Москва", "москва", "Санкт-Петербург"])
def test_locate_matches_a_city_name_typed_in_russian(bundled: list[Workshop], typed: str) -> None:
    expected = "Moscow" if typed.lower() == "москва" else "Saint Petersburg"

    assert locate(typed, bundled) == centre_of(bundled, expected)


def test_locate_forgives_a_small_typo_in_a_city_name(bundled: list[Workshop]) -> None:
    assert locate("moskow", bundled) == centre_of(bundled, "Moscow")


@pytest.mark.parametrize("typed", ["Moskwa", "Moskva"])
def test_locate_forgives_other_latin_spellings_of_moscow(
    bundled: list[Workshop], typed: str
) -> None:
    assert locate(typed, bundled) == centre_of(bundled, "Moscow")


def test_locate_understands_a_russian_city_name_written_in_latin_letters(
    bundled: list[Workshop],
) -> None:
    assert locate("Sankt-Peterburg", bundled) == centre_of(bundled, "Saint Petersburg")


def test_locate_finds_the_workshop_from_an_address_fragment(bundled: list[Workshop]) -> None:
    tverskaya = next(w for w in bundled if w.code == "MSK-CENTER")
    nevsky = next(w for w in bundled if w.code == "SPB-NEVSKY")

    assert locate("Tverskaya", bundled) == Point(tverskaya.lat, tverskaya.lon)
    assert locate("невский проспект", bundled) == Point(nevsky.lat, nevsky.lon)


@pytest.mark.parametrize("typed", ["qwertyuiop", "Berlin", "x", "", "!!!"])
def test_locate_returns_none_for_a_place_we_do_not_serve(
    bundled: list[Workshop], typed: str
) -> None:
    assert locate(typed, bundled) is None


def test_the_grid_search_finds_exactly_what_a_full_scan_finds() -> None:
    rng = random.Random(7)
    workshops = [
        Workshop(
            code=f"W-{n}",
            name=f"W{n}",
            city="C",
            address=f"A{n}",
            lat=rng.uniform(-70, 75),
            lon=rng.uniform(-180, 180),
            phone="123",
            categories=["phone"],
            hours={"mon": "09:00-18:00"},  # type: ignore[arg-type]
        )
        for n in range(2000)
    ]
    locator = Locator(workshops)
    for _ in range(200):
        here = Point(rng.uniform(-80, 80), rng.uniform(-180, 180))
        scanned = sorted((distance_km(here, Point(w.lat, w.lon)), w.code) for w in workshops)
        found = [(item.km, item.workshop.code) for item in locator.nearest("phone", here)]
        assert found == scanned[:MAX_CHOICES]


@pytest.mark.parametrize(
    ("lat", "lon", "on_earth"),
    [
        (55.75, 37.61, True),
        (-90.0, 180.0, True),
        (float("inf"), 37.61, False),
        (float("nan"), 0.0, False),
        (0.0, float("-inf"), False),
        (90.5, 0.0, False),
        (0.0, -180.5, False),
    ],
)
def test_only_a_finite_latitude_and_longitude_in_range_are_a_place_on_earth(
    lat: float, lon: float, on_earth: bool
) -> None:
    assert Point(lat, lon).on_earth is on_earth


def test_the_offer_keeps_only_workshops_within_reach() -> None:
    near = make_workshop("NEAR", 55.0, 37.7, ["phone"])
    far = make_workshop("FAR", 55.0, 40.0, ["phone"])

    offer = Locator([near, far]).offer("phone", Point(55.0, 37.6), reach_km=150)

    assert [item.workshop.code for item in offer.near] == ["NEAR"]
    assert offer.nearest is not None and offer.nearest.workshop.code == "NEAR"


def test_with_nothing_within_reach_the_offer_still_names_the_nearest() -> None:
    novosibirsk = make_workshop("NSK", 55.03, 82.92, ["phone"])
    kazan = make_workshop("KZN", 55.79, 49.12, ["phone"])

    offer = Locator([kazan, novosibirsk]).offer("phone", Point(43.11, 131.87), reach_km=150)

    assert offer.near == []
    assert offer.nearest is not None and offer.nearest.workshop.code == "NSK"
    assert 3500 < offer.nearest.km < 4000


def test_nobody_repairing_the_category_is_an_empty_offer_without_a_nearest() -> None:
    offer = Locator([make_workshop("W", 55.0, 37.0, ["phone"])]).offer(
        "bicycle", MOSCOW, reach_km=150
    )

    assert offer.near == [] and offer.nearest is None
