"""How long answers are cut for Telegram."""

from __future__ import annotations

from bot.handlers.replies import split_message


def test_a_long_message_is_split_between_lines_within_telegrams_limit() -> None:
    lines = [f"<b>SR-{n:06d}</b> · received · Washing machine" for n in range(300)]
    parts = split_message("\n".join(lines), limit=1000)
    assert len(parts) > 1
    assert all(len(part) <= 1000 for part in parts)
    assert "\n".join(parts).splitlines() == lines


def test_a_single_huge_line_is_cut_hard() -> None:
    parts = split_message("x" * 2500, limit=1000)
    assert [len(part) for part in parts] == [1000, 1000, 500]
