"""How long Telegram counts a message, and where a long one may be cut.

Telegram limits a text to 4096 UTF-16 code units after it has parsed the HTML: an emoji
outside the Basic Multilingual Plane counts two, `&amp;` counts one and tags count nothing.
Counting Python characters instead lets 2,100 emoji through, and counting the HTML source
cuts 4,096 escaped `<` into several messages.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from enum import Enum, auto

MAX_TEXT = 4096
"""Telegram's limit for the text of one message, in UTF-16 code units after parsing."""
MAX_CAPTION = 1024
"""The same for the caption of a photo."""

_TOKEN_RE = re.compile(
    r"(?P<tag></?[a-zA-Z][^>]*>)"
    r"|(?P<entity>&(?:[a-zA-Z]+|#[0-9]+|#[xX][0-9a-fA-F]+);)"
    r"|(?P<line>\n)"
    r"|(?P<space>[^\S\n])"
    r"|(?P<word>[^<&\s]+)"
    r"|(?P<other>.)",
    re.DOTALL,
)
_TAG_NAME_RE = re.compile(r"</?([a-zA-Z0-9-]+)")
_ZWJ = "\u200d"
_JOINING_CATEGORIES = frozenset({"Mn", "Mc", "Me", "Sk", "Cf"})
"""Marks, variation selectors, emoji modifiers and tags, and joiners: drawn with the character
before them."""
_REGIONAL_INDICATORS = "".join(chr(code) for code in range(0x1F1E6, 0x1F200))


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for limits and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


class _Kind(Enum):
    OPEN = auto()
    CLOSE = auto()
    LINE = auto()
    SPACE = auto()
    ENTITY = auto()
    WORD = auto()


@dataclass
class _Token:
    source: str
    units: int
    kind: _Kind


def split_message(message: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut an HTML message into parts Telegram takes, each with its tags balanced.

    Cuts fall between lines where possible, else between words, and only inside a word
    longer than a whole message; never inside a tag or an entity such as `&amp;`.
    """
    if utf16_len(message) <= limit:
        return [message]
    tokens = _tokenize(message)
    parts = [_render(tokens, start, end, stack) for start, end, stack in _cuts(tokens, limit)]
    return [part for part, visible in parts if visible] or [message]


def _tokenize(message: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN_RE.finditer(message):
        source, group = match.group(), match.lastgroup
        if group == "tag":
            kind = _Kind.CLOSE if source.startswith("</") else _Kind.OPEN
            tokens.append(_Token(source, 0, kind))
        elif group == "entity":
            tokens.append(_Token(source, utf16_len(html.unescape(source)), _Kind.ENTITY))
        elif group == "line":
            tokens.append(_Token(source, 1, _Kind.LINE))
        elif group == "space":
            tokens.append(_Token(source, 1, _Kind.SPACE))
        else:
            tokens.append(_Token(source, utf16_len(source), _Kind.WORD))
    return tokens


def _cuts(tokens: list[_Token], limit: int) -> list[tuple[int, int, list[str]]]:
    """Each part as (first token, token after the last, opening tags in force at its start).

    A line break or space a cut falls on is dropped: Telegram would trim it anyway.
    """
    cuts: list[tuple[int, int, list[str]]] = []
    stack: list[str] = []
    start = index = units = 0
    last_line = last_space = None
    while index < len(tokens):
        token = tokens[index]
        if units + token.units <= limit:
            if token.kind is _Kind.LINE:
                last_line = index
            elif token.kind is _Kind.SPACE:
                last_space = index
            units += token.units
            index += 1
            continue
        if token.kind is _Kind.LINE or (token.kind is _Kind.SPACE and last_line is None):
            end, resume = index, index + 1
        elif (breaking := last_line if last_line is not None else last_space) is not None:
            end, resume = breaking, breaking + 1
        else:
            end = resume = max(_cut_word(tokens, index, limit - units), start + 1)
        cuts.append((start, end, list(stack)))
        _follow_tags(stack, tokens[start:resume])
        start = index = resume
        units = 0
        last_line = last_space = None
    cuts.append((start, len(tokens), list(stack)))
    return cuts


def _cut_word(tokens: list[_Token], index: int, room: int) -> int:
    """Split the word at `index` so its head fills `room`; the index after the head."""
    word = tokens[index].source
    if tokens[index].kind is not _Kind.WORD:
        return index
    taken = head = 0
    while head < len(word) and taken + utf16_len(word[head]) <= room:
        taken += utf16_len(word[head])
        head += 1
    cut = head
    while 0 < cut < len(word) and _continues(word, cut):
        cut -= 1
    head = cut or head
    if head == 0:
        return index
    tokens[index : index + 1] = [
        _Token(word[:head], utf16_len(word[:head]), _Kind.WORD),
        _Token(word[head:], utf16_len(word[head:]), _Kind.WORD),
    ]
    return index + 1


def _continues(word: str, at: int) -> bool:
    """Whether `word[at]` is drawn as one with the character before it, so no cut falls there.

    Accents and other marks, emoji skin tones and variation selectors, the zero-width
    joiner of family and profession emoji, and the second half of a flag.
    """
    char, before = word[at], word[at - 1]
    if _ZWJ in (char, before) or unicodedata.category(char) in _JOINING_CATEGORIES:
        return True
    flag_halves = len(word[:at]) - len(word[:at].rstrip(_REGIONAL_INDICATORS))
    return char in _REGIONAL_INDICATORS and flag_halves % 2 == 1


def _follow_tags(stack: list[str], tokens: list[_Token]) -> None:
    """Open and close tags on `stack` as `tokens` do."""
    for token in tokens:
        if token.kind is _Kind.OPEN:
            stack.append(token.source)
        elif token.kind is _Kind.CLOSE and stack:
            stack.pop()


def _render(tokens: list[_Token], start: int, end: int, open_tags: list[str]) -> tuple[str, bool]:
    """The part's HTML, with tags open at its end closed and those open at its start reopened."""
    stack = list(open_tags)
    body = tokens[start:end]
    _follow_tags(stack, body)
    closing = [f"</{_tag_name(tag)}>" for tag in reversed(stack)]
    visible = any(token.kind in (_Kind.ENTITY, _Kind.WORD) for token in body)
    return "".join([*open_tags, *(token.source for token in body), *closing]), visible


def _tag_name(tag: str) -> str:
    match = _TAG_NAME_RE.match(tag)
    assert match is not None  # the token pattern only lets named tags through
    return match.group(1)
