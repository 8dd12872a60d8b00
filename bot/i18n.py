"""Languages the bot speaks and texts that come in several languages."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator


class Lang(StrEnum):
    EN = "en"
    RU = "ru"


def language_for(language_code: str | None) -> Lang:
    """Russian for Russian-language Telegram clients, English for everyone else."""
    if language_code and language_code.lower().split("-")[0] == "ru":
        return Lang.RU
    return Lang.EN


def preferred(chosen: str | None, client_language: str | None) -> Lang:
    """The language someone chose with /language, else the one their Telegram app uses."""
    if chosen in (Lang.EN.value, Lang.RU.value):
        return Lang(chosen)
    return language_for(client_language)


def _non_empty(value: str | dict[str, str]) -> str | dict[str, str]:
    texts = [value] if isinstance(value, str) else list(value.values())
    if not texts or not all(text.strip() for text in texts):
        raise ValueError("text must not be empty")
    return value


LocalizedText = Annotated[str | dict[str, str], AfterValidator(_non_empty)]
"""A plain string, or a `{language: text}` map, as data files write it."""


def pick(text: str | dict[str, str], lang: Lang) -> str:
    """The text in `lang`, falling back to English and then to any language given."""
    if isinstance(text, str):
        return text
    return text.get(lang.value) or text.get(Lang.EN.value) or next(iter(text.values()))


def variants(text: str | dict[str, str]) -> list[str]:
    """Every language version, for matching what a user typed."""
    return [text] if isinstance(text, str) else list(text.values())
