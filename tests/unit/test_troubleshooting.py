"""The troubleshooting tree: the bundled file, and every way a bad edit is refused."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import DATA_DIR
from bot.datafiles import DataFileError
from bot.i18n import Lang, pick
from bot.troubleshooting import BOOK, TroubleshootingTree, load_tree

BUNDLED = DATA_DIR / "troubleshooting.yaml"

VALID: dict[str, Any] = {
    "categories": [
        {"id": "phone", "title": {"en": "Phone", "ru": "Телефон"}, "start": "ph_start"},
    ],
    "nodes": [
        {
            "id": "ph_start",
            "text": "What is wrong?",
            "options": [
                {"label": "Not charging", "next": "ph_port"},
                {"label": "Something else", "next": "book"},
            ],
        },
        {"id": "ph_port", "fix": "Clean the port.", "next": "ph_cable"},
        {
            "id": "ph_cable",
            "fix": {"en": "Try another cable.", "ru": "Другой кабель."},
            "next": "book",
        },
    ],
}


def tree_data() -> dict[str, Any]:
    return copy.deepcopy(VALID)


def write(tmp_path: Path, data: Any, name: str = "tree.yaml") -> Path:
    path = tmp_path / name
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        load_tree(path)
    return caught.value


def assert_names(error: DataFileError, path: Path, entry: str, field: str) -> None:
    message = str(error)
    assert str(path) in message
    assert entry in message
    assert f"field '{field}'" in message
    assert (error.path, error.entry, error.field) == (path, entry, field)


def fixes_reachable(tree: TroubleshootingTree, start: str) -> set[str]:
    return {
        node_id
        for node_id in tree.reachable_from(start)
        if (node := tree.node(node_id)) is not None and node.is_fix
    }


def test_the_bundled_tree_has_six_categories_each_with_at_least_four_reachable_fixes() -> None:
    tree = load_tree(BUNDLED)

    assert len(tree.categories) == 6
    for category in tree.categories.values():
        assert len(fixes_reachable(tree, category.start)) >= 4, category.id


def test_every_bundled_fix_leads_to_a_node_or_to_booking() -> None:
    tree = load_tree(BUNDLED)

    for node in tree.nodes.values():
        for target in node.targets():
            assert target == BOOK or tree.node(target) is not None


def test_a_valid_small_tree_loads_with_its_nodes_and_categories(tmp_path: Path) -> None:
    tree = load_tree(write(tmp_path, tree_data()))

    assert set(tree.categories) == {"phone"}
    assert set(tree.nodes) == {"ph_start", "ph_port", "ph_cable"}
    assert tree.reachable_from("ph_start") == {"ph_start", "ph_port", "ph_cable"}


def test_a_plain_string_and_a_language_map_are_both_accepted_as_text(tmp_path: Path) -> None:
    tree = load_tree(write(tmp_path, tree_data()))

    start, cable = tree.nodes["ph_start"], tree.nodes["ph_cable"]
    assert start.text is not None and cable.fix is not None
    assert pick(start.text, Lang.RU) == "What is wrong?"
    assert pick(cable.fix, Lang.EN) == "Try another cable."
    assert pick(cable.fix, Lang.RU) == "Другой кабель."


def test_book_is_accepted_as_the_target_of_an_option_and_of_a_fix(tmp_path: Path) -> None:
    tree = load_tree(write(tmp_path, tree_data()))

    assert tree.nodes["ph_start"].targets() == ["ph_port", BOOK]
    assert tree.nodes["ph_cable"].targets() == [BOOK]


def test_loading_refuses_an_option_leading_to_an_unknown_node(tmp_path: Path) -> None:
    data = tree_data()
    data["nodes"][0]["options"][1]["next"] = "ph_nowhere"
    path = write(tmp_path, data)

    error = refusal(path)

    assert_names(error, path, "nodes entry 'ph_start'", "options.1.next")
    assert "ph_nowhere" in str(error)


def test_loading_refuses_a_fix_leading_to_an_unknown_node(tmp_path: Path) -> None:
    data = tree_data()
    data["nodes"][2]["next"] = "ph_nowhere"
    path = write(tmp_path, data)

    error = refusal(path)

    assert_names(error, path, "nodes entry 'ph_cable'", "next")
    assert "ph_nowhere" in str(error)


def test_loading_refuses_a_category_starting_at_an_unknown_node(tmp_path: Path) -> None:
    data = tree_data()
    data["categories"][0]["start"] = "ph_begin"
    path = write(tmp_path, data)

    error = refusal(path)

    assert_names(error, path, "categories entry 'phone'", "start")
    assert "ph_begin" in str(error)


def test_loading_refuses_a_duplicate_node_id(tmp_path: Path) -> None:
    data = tree_data()
    data["nodes"].append({"id": "ph_port", "fix": "Again.", "next": "book"})
    path = write(tmp_path, data)

    error = refusal(path)

    assert_names(error, path, "nodes entry 'ph_port'", "id")
    assert "duplicate" in str(error)


def test_loading_refuses_a_duplicate_category_id(tmp_path: Path) -> None:
    data = tree_data()
    data["categories"].append({"id": "phone", "title": "Phone again", "start": "ph_start"})
    path = write(tmp_path, data)

    error = refusal(path)

    assert_names(error, path, "categories entry 'phone'", "id")
    assert "duplicate" in str(error)


def test_loading_refuses_a_cycle_naming_the_nodes_on_it(tmp_path: Path) -> None:
    data = tree_data()
    data["nodes"][2]["next"] = "ph_port"  # ph_port -> ph_cable -> ph_port
    path = write(tmp_path, data)

    error = refusal(path)

    message = str(error)
    assert str(path) in message
    assert "cycle" in message
    assert error.entry in {"nodes entry 'ph_port'", "nodes entry 'ph_cable'"}
    assert "ph_port -> ph_cable -> ph_port" in message or "ph_cable -> ph_port -> ph_cable" in (
        message
    )


def test_loading_refuses_a_node_that_nothing_leads_to(tmp_path: Path) -> None:
    data = tree_data()
    data["nodes"].append({"id": "ph_orphan", "fix": "Nobody sees this.", "next": "book"})
    path = write(tmp_path, data)

    error = refusal(path)

    assert_names(error, path, "nodes entry 'ph_orphan'", "id")
    assert "unreachable" in str(error)


def test_loading_refuses_a_node_with_both_a_fix_and_options(tmp_path: Path) -> None:
    data = tree_data()
    data["nodes"][1]["options"] = [{"label": "More", "next": "book"}]
    path = write(tmp_path, data)

    error = refusal(path)

    message = str(error)
    assert str(path) in message
    assert error.entry == "nodes entry 'ph_port'"
    assert "'fix'" in message and "'options'" in message


def test_loading_refuses_a_file_that_is_not_valid_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "categories: [phone\nnodes: {")

    error = refusal(path)

    assert str(path) in str(error)
    assert "not valid YAML" in str(error)


def test_loading_refuses_a_missing_file_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"

    error = refusal(path)

    assert str(path) in str(error)
    assert "cannot be read" in str(error)


def test_loading_refuses_a_file_without_nodes_naming_the_section(tmp_path: Path) -> None:
    data = tree_data()
    del data["nodes"]
    path = write(tmp_path, data)

    error = refusal(path)

    assert str(path) in str(error)
    assert "nodes" in str(error)


def test_a_category_may_carry_its_warranty_period_in_months(tmp_path: Path) -> None:
    data = tree_data()
    data["categories"][0]["warranty_months"] = 24

    tree = load_tree(write(tmp_path, data))

    category = tree.category("phone")
    assert category is not None and category.warranty_months == 24


def test_loading_refuses_a_warranty_period_that_is_not_a_positive_number_of_months(
    tmp_path: Path,
) -> None:
    data = tree_data()
    data["categories"][0]["warranty_months"] = 0
    path = write(tmp_path, data)

    error = refusal(path)

    assert_names(error, path, "categories entry 'phone'", "warranty_months")


def test_every_bundled_category_has_a_warranty_period() -> None:
    tree = load_tree(BUNDLED)

    assert all(category.warranty_months for category in tree.categories.values())
