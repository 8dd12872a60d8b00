"""Towns of the country from the offline GeoNames data, as customers type them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import bot.gazetteer
from bot.config import DATA_DIR
from bot.gazetteer import Gazetteer, GazetteerError, gazetteer_of
from bot.locator import Locator, Point, distance_km
from bot.troubleshooting import load_tree
from bot.workshops import Workshop, load_workshops

REPO_ROOT = Path(__file__).resolve().parents[2]
PODOLSK = Point(55.42419, 37.55472)
TULA = Point(54.19609, 37.61822)


@pytest.fixture(scope="module")
def russia() -> Gazetteer:
    return gazetteer_of("RU")


@pytest.fixture(scope="module")
def bundled() -> list[Workshop]:
    tree = load_tree(DATA_DIR / "troubleshooting.yaml")
    network = load_workshops(DATA_DIR / "workshops.yaml", tree, ZoneInfo("Europe/Moscow"))
    return list(network.workshops.values())


def found(gazetteer: Gazetteer, *names: str) -> Point | None:
    place = gazetteer.find(names)
    return place.point if place is not None else None


def test_the_bundled_data_holds_thousands_of_russian_towns_and_villages(
    russia: Gazetteer,
) -> None:
    assert len(russia) > 5000


@pytest.mark.parametrize(("typed", "where"), [("Подольск", PODOLSK), ("Podolsk", PODOLSK),
                                               ("Тула", TULA), ("tula", TULA)])
def test_a_town_is_found_by_its_russian_or_english_name(
    russia: Gazetteer, typed: str, where: Point
) -> None:
    assert found(russia, typed) == where


@pytest.mark.parametrize(("typed", "where"), [("Подольк", PODOLSK), ("podolks", PODOLSK),
                                               ("Тулла", TULA)])
def test_a_small_typo_in_a_town_name_is_forgiven(
    russia: Gazetteer, typed: str, where: Point
) -> None:
    assert found(russia, typed) == where


@pytest.mark.parametrize("typed", ["Atlantis", "qwertyuiop", "xy", "Wakanda"])
def test_a_name_of_no_town_in_the_country_is_not_found(russia: Gazetteer, typed: str) -> None:
    assert found(russia, typed) is None


def test_of_towns_sharing_a_name_the_one_where_more_people_live_is_meant(
    russia: Gazetteer,
) -> None:
    troitsk = found(russia, "Troitsk")  # in Moscow, Chelyabinsk and Novosibirsk regions

    assert troitsk is not None
    assert distance_km(troitsk, Point(54.0979, 61.5773)) < 10  # Chelyabinsk oblast, 78,000


def test_a_town_is_named_in_english_and_in_russian(russia: Gazetteer) -> None:
    place = russia.find(["Тула"])

    assert place is not None
    assert place.name == {"en": "Tula", "ru": "Тула"}


def write_geonames(path: Path, places: dict[str, dict[str, object]]) -> Path:
    path.write_text(json.dumps(places), encoding="ascii")
    return path


def place(geonameid: int, name: str, country: str, *others: str) -> dict[str, object]:
    return {
        "geonameid": geonameid,
        "name": name,
        "latitude": 50.0 + geonameid / 100,
        "longitude": 30.0,
        "countrycode": country,
        "population": 1000 * geonameid,
        "timezone": "Europe/Moscow",
        "admin1code": "01",
        "alternatenames": list(others),
    }


@pytest.mark.parametrize("read_size", [7, 64, 1 << 20])
def test_only_the_places_of_the_country_are_read_however_the_file_is_sliced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_size: int
) -> None:
    monkeypatch.setattr(bot.gazetteer, "READ_SIZE", read_size)
    path = write_geonames(
        tmp_path / "cities.json",
        {
            "1": place(1, "Alpha", "RU", 'Tricky "2": {"countrycode": "RU"} name', "Альфа"),
            "2": place(2, "Bravo", "UA", "Браво"),
            "3": place(3, "Charlie", "RU", "{Чарли}"),
            "4": place(4, "Delta", "KZ"),
        },
    )

    gazetteer = Gazetteer.load("RU", path)

    assert len(gazetteer) == 2
    assert found(gazetteer, "Альфа") == Point(50.01, 30.0)
    assert found(gazetteer, "Charlie") == Point(50.03, 30.0)
    assert found(gazetteer, "Bravo") is None


def test_a_country_without_places_in_the_data_is_refused(tmp_path: Path) -> None:
    path = write_geonames(tmp_path / "cities.json", {"1": place(1, "Alpha", "RU")})

    with pytest.raises(GazetteerError, match="no places of KZ"):
        Gazetteer.load("KZ", path)


def test_starting_the_bot_for_a_country_without_place_names_says_so_in_one_line(
    tmp_path: Path,
) -> None:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(REPO_ROOT),
        "BOT_TOKEN": "123:abc",
        "TELEGRAM_API_URL": "http://127.0.0.1:9/bot",
        "DEFAULT_REGION": "TA",  # Tristan da Cunha: phone numbers, but no town of 500
    }

    finished = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    lines = finished.stderr.strip().splitlines()
    assert finished.returncode == 2, finished.stderr
    assert len(lines) == 1, finished.stderr
    assert "no places of TA" in lines[0]


# The locator: workshop cities and addresses first, then any town of the country.


def locate(typed: str, workshops: list[Workshop], gazetteer: Gazetteer) -> Point | None:
    place = Locator(workshops, gazetteer).locate(typed)
    return place.point if place is not None else None


def centre_of(workshops: list[Workshop], city_en: str) -> Point:
    members = [w for w in workshops if isinstance(w.city, dict) and w.city["en"] == city_en]
    return Point(
        sum(w.lat for w in members) / len(members), sum(w.lon for w in members) / len(members)
    )


@pytest.mark.parametrize(
    "typed",
    ["Тверская 1, Москва", "Moscow, Arbat 10", "г. Москва, ул. Арбат, д. 10", "Москва, Кремль"],
)
def test_a_street_address_in_a_city_with_workshops_is_that_city(
    bundled: list[Workshop], russia: Gazetteer, typed: str
) -> None:
    assert locate(typed, bundled, russia) == centre_of(bundled, "Moscow")


@pytest.mark.parametrize(
    ("typed", "where"),
    [
        ("Подольск", PODOLSK),
        ("Tula", TULA),
        ("podolks", PODOLSK),
        ("ул. Ленина, 5, Подольск", PODOLSK),
        ("Московская обл., г. Подольск", PODOLSK),
        ("Tula, Lenina St 10", TULA),
    ],
)
def test_a_town_without_a_workshop_or_an_address_in_it_is_found_in_the_gazetteer(
    bundled: list[Workshop], russia: Gazetteer, typed: str, where: Point
) -> None:
    assert locate(typed, bundled, russia) == where


def test_a_workshop_address_still_finds_the_workshop(
    bundled: list[Workshop], russia: Gazetteer
) -> None:
    tverskaya = next(w for w in bundled if w.code == "MSK-CENTER")

    assert locate("Tverskaya", bundled, russia) == Point(tverskaya.lat, tverskaya.lon)


def test_a_town_named_like_the_start_of_a_workshop_street_is_the_town(
    russia: Gazetteer,
) -> None:
    workshop = Workshop(
        code="MSK-PUSHKINA",
        name="Pushkina",
        city={"en": "Moscow", "ru": "Москва"},
        address={"en": "Pushkina St 10", "ru": "ул. Пушкина, 10"},
        lat=55.76,
        lon=37.60,
        phone="+7 495 000 00 00",
        categories=["phone"],
        hours={"mon": "09:00-18:00"},  # type: ignore[arg-type]
    )

    pushkin = locate("Пушкин", [workshop], russia)

    assert pushkin is not None
    assert distance_km(pushkin, Point(59.714, 30.396)) < 5  # the town near Saint Petersburg


def test_a_long_text_is_not_searched_as_a_place(
    bundled: list[Workshop], russia: Gazetteer
) -> None:
    assert locate("Подольск, " * 30, bundled, russia) is None
    assert locate("Москва, " + "x, " * 70, bundled, russia) is None
