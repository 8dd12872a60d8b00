"""The parts file: the bundled one, and every way a bad edit is refused with the file, the
entry and the field named; request codes as staff type them."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.config import DATA_DIR
from bot.datafiles import DataFileError
from bot.parts import Catalogue, load_parts, normalize_request_code
from bot.troubleshooting import TroubleshootingTree, load_tree
from bot.workshops import Network, load_workshops

PART: dict[str, Any] = {
    "sku": "WP-DRAIN-PUMP",
    "name": {"en": "Drain pump", "ru": "Сливной насос"},
    "categories": ["washer"],
    "price": 2500.00,
    "min_stock": {"HQ": 10, "MSK-NORTH": 2},
}


@pytest.fixture(scope="module")
def tree() -> TroubleshootingTree:
    return load_tree(DATA_DIR / "troubleshooting.yaml")


@pytest.fixture(scope="module")
def network(tree: TroubleshootingTree) -> Network:
    return load_workshops(DATA_DIR / "workshops.yaml", tree, ZoneInfo("Europe/Moscow"))


def load(tmp_path: Path, tree: TroubleshootingTree, network: Network, *parts: Any) -> Catalogue:
    path = tmp_path / "parts.yaml"
    path.write_text(yaml.safe_dump({"parts": list(parts)}, allow_unicode=True), encoding="utf-8")
    return load_parts(path, tree, network)


def changed(**fields: Any) -> dict[str, Any]:
    part = copy.deepcopy(PART)
    part.update(fields)
    return part


def test_the_bundled_parts_file_has_parts_for_every_bundled_category(
    tree: TroubleshootingTree, network: Network
) -> None:
    catalogue = load_parts(DATA_DIR / "parts.yaml", tree, network)
    covered = {category for part in catalogue.parts.values() for category in part.categories}
    assert covered == set(tree.categories)
    pump = catalogue.get("wp-drain-pump")
    assert pump is not None and pump.price == Decimal("2500.00") and pump.price_minor == 250000


def test_the_issue_example_part_loads_with_its_minimums(
    tmp_path: Path, tree: TroubleshootingTree, network: Network
) -> None:
    catalogue = load(tmp_path, tree, network, PART)
    assert catalogue.parts["WP-DRAIN-PUMP"].min_stock == {"HQ": 10, "MSK-NORTH": 2}
    assert [p.sku for p in catalogue.matching("насос")] == ["WP-DRAIN-PUMP"]


@pytest.mark.parametrize(
    ("part", "entry", "field", "problem"),
    [
        (changed(sku="wp drain"), "parts entry 'wp drain'", "sku", "should match pattern"),
        (changed(categories=["toaster"]), "parts entry 'WP-DRAIN-PUMP'", "categories.0",
         "'toaster' is not a category"),
        (changed(min_stock={"NOWHERE": 1}), "parts entry 'WP-DRAIN-PUMP'",
         "min_stock.NOWHERE", "neither HQ nor a workshop code"),
        (changed(price=-1), "parts entry 'WP-DRAIN-PUMP'", "price", "greater than or equal"),
        (changed(price="12.345"), "parts entry 'WP-DRAIN-PUMP'", "price", "decimal places"),
        (changed(min_stock={"HQ": -1}), "parts entry 'WP-DRAIN-PUMP'", "min_stock.HQ",
         "greater than or equal"),
        ({k: v for k, v in PART.items() if k != "name"}, "parts entry 'WP-DRAIN-PUMP'", "name",
         "Field required"),
    ],
)  # fmt: skip
def test_a_malformed_part_is_refused_naming_the_file_the_entry_and_the_field(
    tmp_path: Path,
    tree: TroubleshootingTree,
    network: Network,
    part: dict[str, Any],
    entry: str,
    field: str,
    problem: str,
) -> None:
    with pytest.raises(DataFileError) as refused:
        load(tmp_path, tree, network, part)
    assert refused.value.path == tmp_path / "parts.yaml"
    assert (refused.value.entry, refused.value.field) == (entry, field)
    assert problem in refused.value.problem


def test_a_sku_given_twice_is_refused(
    tmp_path: Path, tree: TroubleshootingTree, network: Network
) -> None:
    with pytest.raises(DataFileError) as refused:
        load(tmp_path, tree, network, PART, changed(price=10))
    assert str(refused.value).endswith(
        "parts.yaml: parts entry 'WP-DRAIN-PUMP': field 'sku': duplicate sku"
    )


def test_request_codes_are_read_as_staff_type_them() -> None:
    assert normalize_request_code("pr-7k2q9d") == "PR-7K2Q9D"
    assert normalize_request_code("7K2Q9D") == "PR-7K2Q9D"
    assert normalize_request_code("PR-7K2Q9") is None
    assert normalize_request_code("SR-7K2Q9D") is None
