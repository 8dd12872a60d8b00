"""The workshops file: the bundled network, and every way a bad edit is refused."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.config import DATA_DIR
from bot.datafiles import DataFileError
from bot.i18n import Lang, pick
from bot.troubleshooting import TroubleshootingTree, load_tree
from bot.workshops import load_workshops

BUNDLED = DATA_DIR / "workshops.yaml"
MOSCOW = ZoneInfo("Europe/Moscow")

WORKSHOP: dict[str, Any] = {
    "code": "TST-ONE",
    "name": {"en": "Test Workshop", "ru": "Тестовая мастерская"},
    "city": {"en": "Moscow", "ru": "Москва"},
    "address": "Tverskaya St 1",
    "lat": 55.75,
    "lon": 37.61,
    "phone": "+7 495 000 00 00",
    "categories": ["phone", "laptop"],
    "hours": {"mon": "09:00-18:00", "sat": "10:00-14:00"},
    "slot_minutes": 30,
    "slot_capacity": 2,
    "timezone": "Europe/Moscow",
}


@pytest.fixture(scope="module")
def tree() -> TroubleshootingTree:
    return load_tree(DATA_DIR / "troubleshooting.yaml")


def workshop(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(WORKSHOP)
    data.update(changes)
    return data


def write(tmp_path: Path, *workshops: dict[str, Any]) -> Path:
    path = tmp_path / "workshops.yaml"
    path.write_text(
        yaml.safe_dump({"workshops": list(workshops)}, allow_unicode=True), encoding="utf-8"
    )
    return path


def refusal(path: Path, tree: TroubleshootingTree) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        load_workshops(path, tree, MOSCOW)
    return caught.value


def assert_names(error: DataFileError, path: Path, entry: str, field: str) -> None:
    message = str(error)
    assert str(path) in message
    assert entry in message
    assert f"field '{field}'" in message
    assert (error.path, error.entry, error.field) == (path, entry, field)


def test_the_bundled_network_has_eight_workshops_in_three_cities_with_unique_codes(
    tree: TroubleshootingTree,
) -> None:
    raw_codes = [entry["code"] for entry in yaml.safe_load(BUNDLED.read_text("utf-8"))["workshops"]]

    network = load_workshops(BUNDLED, tree, MOSCOW)

    assert len(network.workshops) >= 8
    assert len({pick(w.city, Lang.EN) for w in network.workshops.values()}) >= 3
    assert len(raw_codes) == len(set(raw_codes)) == len(network.workshops)


def test_every_bundled_workshop_serves_only_known_categories_and_has_a_zone(
    tree: TroubleshootingTree,
) -> None:
    network = load_workshops(BUNDLED, tree, MOSCOW)

    for code, item in network.workshops.items():
        assert set(item.categories) <= set(tree.categories)
        assert isinstance(network.zone(code), ZoneInfo)


def test_a_valid_workshop_loads_with_its_hours_parsed(
    tmp_path: Path, tree: TroubleshootingTree
) -> None:
    network = load_workshops(write(tmp_path, workshop()), tree, MOSCOW)

    loaded = network.get("TST-ONE")
    assert loaded is not None
    assert str(loaded.hours["mon"]) == "09:00-18:00"
    assert set(loaded.hours) == {"mon", "sat"}
    assert loaded.where(Lang.RU) == "Tverskaya St 1, Москва"
    assert network.get("NOPE") is None


def test_a_workshop_without_a_timezone_gets_the_default_zone(
    tmp_path: Path, tree: TroubleshootingTree
) -> None:
    data = workshop()
    del data["timezone"]
    default = ZoneInfo("Asia/Yekaterinburg")

    network = load_workshops(write(tmp_path, data), tree, default)

    assert network.zone("TST-ONE") == default


def test_a_workshop_with_a_timezone_keeps_its_own_zone(
    tmp_path: Path, tree: TroubleshootingTree
) -> None:
    data = workshop(timezone="Asia/Novosibirsk")

    network = load_workshops(write(tmp_path, data), tree, MOSCOW)

    assert network.zone("TST-ONE") == ZoneInfo("Asia/Novosibirsk")


def test_loading_refuses_a_lowercase_code(tmp_path: Path, tree: TroubleshootingTree) -> None:
    path = write(tmp_path, workshop(code="tst-one"))

    assert_names(refusal(path, tree), path, "workshops entry 'tst-one'", "code")


@pytest.mark.parametrize(("field", "value"), [("lat", 91), ("lon", -181)])
def test_loading_refuses_coordinates_off_the_globe(
    tmp_path: Path, tree: TroubleshootingTree, field: str, value: float
) -> None:
    path = write(tmp_path, workshop(**{field: value}))

    assert_names(refusal(path, tree), path, "workshops entry 'TST-ONE'", field)


@pytest.mark.parametrize(
    ("hours", "problem"),
    [
        ({"mon": "9-18"}, "9-18"),
        ({"mon": "18:00-09:00"}, "closes before it opens"),
        ({"monday": "09:00-18:00"}, "unknown day 'monday'"),
    ],
)
def test_loading_refuses_bad_opening_hours(
    tmp_path: Path, tree: TroubleshootingTree, hours: dict[str, str], problem: str
) -> None:
    path = write(tmp_path, workshop(hours=hours))

    error = refusal(path, tree)

    assert_names(error, path, "workshops entry 'TST-ONE'", "hours")
    assert problem in str(error)


def test_loading_refuses_a_category_missing_from_the_tree(
    tmp_path: Path, tree: TroubleshootingTree
) -> None:
    path = write(tmp_path, workshop(categories=["phone", "bicycle"]))

    error = refusal(path, tree)

    assert_names(error, path, "workshops entry 'TST-ONE'", "categories.1")
    assert "bicycle" in str(error)


def test_loading_refuses_a_duplicate_code(tmp_path: Path, tree: TroubleshootingTree) -> None:
    path = write(tmp_path, workshop(), workshop(address="Elsewhere 2"))

    error = refusal(path, tree)

    assert_names(error, path, "workshops entry 'TST-ONE'", "code")
    assert "duplicate" in str(error)


def test_loading_refuses_an_unknown_timezone(tmp_path: Path, tree: TroubleshootingTree) -> None:
    path = write(tmp_path, workshop(timezone="Mars/Olympus_Mons"))

    error = refusal(path, tree)

    assert_names(error, path, "workshops entry 'TST-ONE'", "timezone")
    assert "Mars/Olympus_Mons" in str(error)


def test_loading_refuses_a_slot_longer_than_the_opening_hours(
    tmp_path: Path, tree: TroubleshootingTree
) -> None:
    path = write(tmp_path, workshop(hours={"mon": "09:00-10:00"}, slot_minutes=90))

    error = refusal(path, tree)

    assert str(path) in str(error)
    assert error.entry == "workshops entry 'TST-ONE'"
    assert "less than one 90-minute slot" in str(error)


def test_loading_names_the_second_entry_by_its_code(
    tmp_path: Path, tree: TroubleshootingTree
) -> None:
    path = write(tmp_path, workshop(), workshop(code="TST-TWO", lat=-95))

    assert_names(refusal(path, tree), path, "workshops entry 'TST-TWO'", "lat")
