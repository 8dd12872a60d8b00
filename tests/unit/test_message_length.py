"""How long messages are measured and cut the way Telegram counts them."""

from __future__ import annotations

import html

import pytest

from bot.fake_telegram.server import parse_html
from bot.message_length import MAX_TEXT, split_message, utf16_len


def seen(part: str) -> str:
    """What Telegram shows of an HTML part; raises like Telegram on broken markup."""
    plain, _ = parse_html(part)
    return plain


def test_a_long_message_is_split_between_lines_within_telegrams_limit() -> None:
    lines = [f"<b>SR-{n:06d}</b> · received · Washing machine" for n in range(300)]
    parts = split_message("\n".join(lines), limit=1000)
    assert len(parts) > 1
    assert all(utf16_len(seen(part)) <= 1000 for part in parts)
    assert "\n".join(parts).splitlines() == lines


def test_a_single_huge_line_is_cut_hard() -> None:
    parts = split_message("x" * 2500, limit=1000)
    assert [len(part) for part in parts] == [1000, 1000, 500]


def test_emoji_count_two_units_each_as_in_telegram() -> None:
    assert utf16_len("😀" * 2100) == 4200
    parts = split_message(" ".join(["😀"] * 2100))
    assert len(parts) == 2
    assert all(utf16_len(seen(part)) <= MAX_TEXT for part in parts)
    assert " ".join(parts) == " ".join(["😀"] * 2100)


def test_an_emoji_run_with_no_spaces_is_cut_between_emoji() -> None:
    parts = split_message("😀" * 2100)
    assert [utf16_len(part) for part in parts] == [4096, 104]
    assert "".join(parts) == "😀" * 2100


@pytest.mark.parametrize(
    "cluster",
    ["🇷🇺", "👍🏽", "👩‍🔧", "e\u0301", "❤️"],
    ids=["flag", "skin tone", "zero-width joiner", "combining accent", "variation selector"],
)
def test_a_word_cut_hard_is_never_cut_inside_one_drawn_character(cluster: str) -> None:
    parts = split_message(cluster * 40, limit=23)
    assert len(parts) > 1
    assert all(part == cluster * (len(part) // len(cluster)) for part in parts), parts
    assert "".join(parts) == cluster * 40


def test_an_entity_at_the_boundary_is_never_cut_in_two() -> None:
    message = "x" * 998 + "&amp;" * 10
    parts = split_message(message, limit=1000)
    assert parts == ["x" * 998 + "&amp;" * 2, "&amp;" * 8]
    assert "".join(seen(part) for part in parts) == "x" * 998 + "&" * 10


def test_escaped_text_is_counted_after_parsing_so_4096_less_than_signs_fit_one_message() -> None:
    message = html.escape("<" * MAX_TEXT)
    assert split_message(message) == [message]
    assert seen(message) == "<" * MAX_TEXT


def test_tags_open_across_a_cut_are_closed_and_reopened_in_the_next_part() -> None:
    words = [f"word{n:04d}" for n in range(600)]
    message = f"<b>Title</b>\n<b>bold <i>{' '.join(words)}</i> tail</b>"
    parts = split_message(message, limit=1000)
    assert len(parts) > 3
    shown = []
    for part in parts[1:]:
        plain, entities = parse_html(part)
        assert utf16_len(plain) <= 1000
        kinds = {e["type"] for e in entities if e["length"] == utf16_len(plain)}
        assert "bold" in kinds, part[:60]
        shown.append(plain)
    assert " ".join(shown) == f"bold {' '.join(words)} tail"
    assert parts[1].startswith("<b>bold <i>word0000") and parts[-1].endswith("</i> tail</b>")
    assert all(part.startswith("<b><i>") for part in parts[2:])


def test_a_short_message_is_left_as_it_is() -> None:
    message = "<b>Hello</b> &amp; welcome 😀"
    assert split_message(message) == [message]
