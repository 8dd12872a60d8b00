"""Reading the data files: broken or hostile files are refused in one line naming the file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot import datafiles
from bot.config import DATA_DIR
from bot.datafiles import MAX_DEPTH, DataFileError, read_yaml
from bot.troubleshooting import load_tree
from bot.workshops import load_workshops

TREE = load_tree(DATA_DIR / "troubleshooting.yaml")

PARSERS = sorted({yaml.SafeLoader, datafiles.Loader}, key=lambda parser: parser.__name__)
"""libyaml's parser when PyYAML has it, and the pure-Python one it falls back to."""

LOADERS: dict[str, Callable[[Path], object]] = {
    "troubleshooting": load_tree,
    "workshops": lambda path: load_workshops(path, TREE, ZoneInfo("Europe/Moscow")),
}

WORKSHOP = """\
  - code: {code}
    name: {{en: Workshop, ru: Мастерская}}
    city: Moscow
    address: Tverskaya St 1
    lat: 55.75
    lon: 37.61
    phone: "+7 495 000 00 00"
    categories: [phone]
    hours: {{mon: "09:00-18:00"}}
"""


def refusal(load: Callable[[Path], object], path: Path) -> str:
    """The message an operator reads, after checking that it is one line naming the file."""
    with pytest.raises(DataFileError) as caught:
        load(path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    return message


@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_a_file_that_is_not_utf8_is_refused_naming_the_byte_offset(
    tmp_path: Path, kind: str
) -> None:
    path = tmp_path / f"{kind}.yaml"
    head = b"# edited in Notepad\n"
    path.write_bytes(head + "city: Москва\n".encode("cp1251"))

    message = refusal(LOADERS[kind], path)

    assert "not UTF-8" in message
    assert f"offset {len(head) + len(b'city: ')}" in message


@pytest.fixture(params=PARSERS, ids=lambda parser: parser.__name__)
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> type:
    monkeypatch.setattr(datafiles, "Loader", request.param)
    return request.param


@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_a_file_nested_fifty_thousand_levels_deep_is_refused(
    tmp_path: Path, kind: str, parser: type
) -> None:
    path = tmp_path / f"{kind}.yaml"
    path.write_text(f"{kind}: " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")

    message = refusal(LOADERS[kind], path)

    # libyaml may stop at its own limit of 1,000 while it looks ahead: one line all the same.
    assert "nest" in message
    assert "line 1" in message


def test_nesting_built_up_through_aliases_is_refused_like_written_nesting(tmp_path: Path) -> None:
    lines = ["levels:", "  - &level0 []"]
    lines += [f"  - &level{n} [*level{n - 1}]" for n in range(1, MAX_DEPTH + 5)]
    path = tmp_path / "workshops.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    message = refusal(LOADERS["workshops"], path)

    assert f"deeper than {MAX_DEPTH}" in message


def test_nesting_as_deep_as_allowed_still_loads(tmp_path: Path, parser: type) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n", encoding="utf-8")

    value = read_yaml(path)

    for _ in range(MAX_DEPTH - 1):
        assert isinstance(value, list)
        value = value[0]
    assert value == []


@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_a_file_that_is_not_valid_yaml_is_refused_naming_line_and_column(
    tmp_path: Path, kind: str
) -> None:
    path = tmp_path / f"{kind}.yaml"
    path.write_text("categories: [phone\nnodes: {", encoding="utf-8")

    message = refusal(LOADERS[kind], path)

    assert "not valid YAML" in message
    assert "line 2, column 6" in message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("workshops: !!python/object/apply:os.system [echo]\n", "tag"),
        ("workshops: !!set {a, b}\n", "tag"),
        ("workshops: [*nowhere]\n", "nowhere"),
        ("---\nworkshops: []\n---\nworkshops: []\n", "more than one document"),
        ("workshops:\n  ? [a, b]\n  : c\n", "key"),
        ("workshops:\n  <<: [1, 2]\n", "'<<'"),
        ("workshops:\n  opened: 2024-13-45\n", "2024-13-45"),
    ],
)
def test_yaml_the_data_files_never_need_is_refused_in_one_line(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "workshops.yaml"
    path.write_text(text, encoding="utf-8")

    message = refusal(LOADERS["workshops"], path)

    assert problem in message


SAMPLES = [
    "",
    "# only a comment\n",
    "a: 1\nb: 1.5\nc: true\nd: null\ne: ~\nf: 0x1F\ng: 1:30\nh: 2024-05-01\ni: '07'\nj: yes\n",
    "times: [09:00-18:00, '10:00-14:00', \"11:00\"]\nempty: {}\nnone: []\nk: !!str 12\n",
    "base: &base {mon: 09:00-18:00, tue: 09:00-18:00}\nshop:\n  <<: *base\n  tue: closed\n",
    "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  z: 3\nd: *a\n",
    "- &s Москва\n- *s\n- {? complex : key}\n- !!binary aGk=\n- 2001-12-14t21:59:43.10-05:00\n",
    "\ufeffkey: value with a BOM before it\n",
    "same: 1\nsame: 2\n",
    "- - - nested\n    - block\n  - style\n",
    "text: |\n  two\n  lines\nfolded: >\n  one\n  line\n",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_files_read_exactly_as_yaml_safe_load_reads_them(
    tmp_path: Path, text: str, parser: type
) -> None:
    path = tmp_path / "sample.yaml"
    path.write_text(text, encoding="utf-8")

    assert read_yaml(path) == yaml.safe_load(text)


def test_each_item_of_a_top_level_list_is_handed_over_as_soon_as_it_is_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "workshops.yaml"
    path.write_text(
        "workshops: [{code: A}, &b {code: B}, *b]\nother: [{code: C}]\n", encoding="utf-8"
    )
    seen: list[tuple[str, int, object]] = []

    def each(section: str, index: int, item: object) -> object:
        seen.append((section, index, item))
        return f"{section}#{index}"

    loaded = read_yaml(path, each)

    assert seen == [
        ("workshops", 0, {"code": "A"}),
        ("workshops", 1, {"code": "B"}),
        ("workshops", 2, {"code": "B"}),
        ("other", 0, {"code": "C"}),
    ]
    assert loaded == {
        "workshops": ["workshops#0", "workshops#1", "workshops#2"],
        "other": ["other#0"],
    }


def test_a_bad_workshop_far_down_a_big_file_is_named_by_its_code(tmp_path: Path) -> None:
    good = "".join(WORKSHOP.format(code=f"W{n:04d}") for n in range(200))
    bad = WORKSHOP.format(code="BAD-1").replace("lat: 55.75", "lat: 95")
    path = tmp_path / "workshops.yaml"
    path.write_text("workshops:\n" + good + bad, encoding="utf-8")

    message = refusal(LOADERS["workshops"], path)

    assert "workshops entry 'BAD-1'" in message
    assert "field 'lat'" in message


@pytest.mark.parametrize("offset", [(1 << 20) - 1, 3_000_001])
def test_a_bad_byte_far_into_a_big_file_is_found_at_its_offset(
    tmp_path: Path, offset: int
) -> None:
    # At 1 MiB - 1 the broken letter straddles two of the reader's chunks.
    filler = (b"# " + b"x" * 77 + b"\n") * (offset // 80 + 1)
    path = tmp_path / "workshops.yaml"
    path.write_bytes(filler[:offset] + "Мо".encode()[:1] + b" \nworkshops: []\n")

    message = refusal(LOADERS["workshops"], path)

    assert f"byte 0xd0 at offset {offset}" in message


BOMB = "".join(
    f"  - &b{n} [{', '.join([f'*b{n - 1}'] * 9)}]\n" for n in range(1, 10)
)  # *b9 stands for 9**9 (387 million) copies of b0 if spelt out


@pytest.mark.parametrize("field", ["code", "hours"])
def test_a_billion_items_made_of_aliases_are_refused_without_being_spelt_out(
    tmp_path: Path, field: str
) -> None:
    bad = WORKSHOP.format(code="BOMB").replace(
        "code: BOMB" if field == "code" else 'hours: {mon: "09:00-18:00"}',
        "code: *b9" if field == "code" else "hours: {mon: *b9}",
    )
    path = tmp_path / "workshops.yaml"
    path.write_text(f"anchors:\n  - &b0 [x]\n{BOMB}workshops:\n{bad}", encoding="utf-8")

    message = refusal(LOADERS["workshops"], path)

    assert len(message) < 300 + len(str(path))
