"""Loading the YAML data files head office edits, with errors an operator can act on.

A file is read event by event (by libyaml's parser when PyYAML has it) straight into plain
dicts and lists. Nothing recurses, so nesting depth is checked as the events arrive and a
broken or hostile file is refused in one line; and the entries of a big list can be turned
into models one at a time, so thousands of workshops are never held twice over in memory.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

MAX_DEPTH = 50
"""Lists and mappings inside one another; our formats need fewer than ten."""

Loader: type[yaml.CSafeLoader | yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser is many times faster and leaner than the pure-Python one."""

_CHUNK = 1 << 20
_SHARED = 4096

EachItem = Callable[[str, int, Any], Any]
"""Called with (section, index, item) for each item of a top-level list; its result is kept."""

_TAG = "tag:yaml.org,2002:"
_STR, _MERGE, _VALUE = f"{_TAG}str", f"{_TAG}merge", f"{_TAG}value"
_SCALAR_TAGS = {f"{_TAG}{name}" for name in ("str", "int", "float", "bool", "null")} | {
    f"{_TAG}timestamp",
    f"{_TAG}binary",
}
_COLLECTION_TAGS = {None, "!", f"{_TAG}map", f"{_TAG}seq"}
_MERGE_KEY = object()
"""The unquoted key `<<`, which merges other mappings into the one it is in."""


class DataFileError(Exception):
    """A data file that cannot be used: names the file, the entry and the field."""

    def __init__(self, path: Path, entry: str, field: str, problem: str) -> None:
        self.path, self.entry, self.field, self.problem = path, entry, field, problem
        super().__init__(f"{path}: {entry}: field '{field}': {problem}")


class _Refused(Exception):
    """YAML the data files never need, with where it is."""

    def __init__(self, problem: str, event: Any) -> None:
        mark = event.start_mark
        super().__init__(f"{problem} (line {mark.line + 1}, column {mark.column + 1})")


def read_yaml(path: Path, each: EachItem | None = None) -> Any:
    """The file's content as plain data, like `yaml.safe_load`.

    With `each`, every item of a list directly under a top-level key is replaced by
    `each(key, index, item)` the moment it has been read.

    Aliases share what their anchor made, as with PyYAML: a few lines can make a list that
    would take billions of items to write out, so never put a value read into a message.
    """
    try:
        with path.open("rb") as stream:
            problem = _not_utf8(stream)
            if problem is not None:
                raise DataFileError(path, "file", "-", problem)
            stream.seek(0)
            loader = Loader(stream)
            try:
                return _Reader(loader, each).read()
            finally:
                loader.dispose()
    except OSError as error:
        raise DataFileError(path, "file", "-", f"cannot be read ({error.strerror})") from error
    except _Refused as error:
        raise DataFileError(path, "file", "-", str(error)) from error
    except yaml.YAMLError as error:
        raise DataFileError(path, "file", "-", f"is not valid YAML: {_one_line(error)}") from error


def _not_utf8(stream: BinaryIO) -> str | None:
    """Where the file stops being UTF-8, if it does; read in chunks, never held whole."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    while True:
        chunk = stream.read(_CHUNK)
        pending = len(decoder.getstate()[0])  # an unfinished character from the last chunk
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            at = offset - pending + error.start
            byte = error.object[error.start]
            return f"is not UTF-8 text: byte 0x{byte:02x} at offset {at} (save it as UTF-8)"
        if not chunk:
            return None
        offset += len(chunk)


def _one_line(error: yaml.YAMLError) -> str:
    """PyYAML's message without the lines of the file it quotes."""
    if not isinstance(error, yaml.MarkedYAMLError):
        return " ".join(str(error).split())
    mark = error.problem_mark or error.context_mark
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
    context = f", {error.context}" if error.context else ""
    return " ".join(f"{error.problem}{context}".split()) + where


class _Reader:
    """Plain data from a parser's events, with a depth limit that aliases cannot get round.

    Each open list or mapping is a flat list of the values read into it so far (a mapping's
    keys and values alternate), so adding a value is one `list.append`; a mapping becomes a
    dict when it ends.
    """

    def __init__(self, loader: yaml.CSafeLoader | yaml.SafeLoader, each: EachItem | None) -> None:
        self.loader, self.each = loader, each
        self.anchors: dict[str, tuple[Any, int]] = {}
        # Files repeat keys, days and hours thousands of times: each such scalar is resolved
        # once and its value shared. Repeated values show up early, so a bounded memo is enough.
        self.plain: dict[str, Any] = {}
        self.quoted: dict[str, str] = {}

    def read(self) -> Any:
        next_event, anchors, each = self.loader.get_event, self.anchors, self.each
        plain, quoted = self.plain, self.quoted
        frames: list[list[Any]] = []
        mappings: list[bool] = []
        heights: list[int] = []  # the deepest nesting inside each open frame so far
        frame_anchors: list[str | None] = []
        section, streamed = "", None  # the top-level list whose items go through `each`
        root: Any = None
        documents = 0
        while True:
            event = next_event()
            kind = type(event)
            if kind is ScalarEvent:
                text = event.value
                if event.tag is not None:
                    value = self.scalar(event)
                elif not event.implicit[0]:
                    value = quoted.get(text) or self.share(text)
                elif text in plain:
                    value = plain[text]
                else:
                    value = self.scalar(event)
                height, anchor = 0, event.anchor
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                items, height, anchor = frames.pop(), heights.pop() + 1, frame_anchors.pop()
                value = _mapping(items, event) if mappings.pop() else _sequence(items, event)
                if items is streamed:
                    streamed = None
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if len(frames) >= MAX_DEPTH:
                    raise _Refused(f"lists and mappings nest deeper than {MAX_DEPTH}", event)
                if event.tag not in _COLLECTION_TAGS:
                    raise _Refused(f"tag '{event.tag}' is not used in data files", event)
                items = []
                is_mapping = kind is MappingStartEvent
                if each is not None and not is_mapping and len(frames) == 1 and mappings[0]:
                    top = frames[0]
                    if len(top) % 2 and isinstance(top[-1], str):  # the value of a key
                        section, streamed = top[-1], items
                frames.append(items)
                mappings.append(is_mapping)
                heights.append(0)
                frame_anchors.append(event.anchor)
                continue
            elif kind is AliasEvent:
                if event.anchor not in anchors:
                    raise _Refused(f"alias '*{event.anchor}' has no anchor before it", event)
                (value, height), anchor = anchors[event.anchor], None
                if len(frames) + height > MAX_DEPTH:
                    raise _Refused(f"lists and mappings nest deeper than {MAX_DEPTH}", event)
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _Refused("holds more than one document", event)
                continue
            elif kind is StreamEndEvent:
                if root is _MERGE_KEY:
                    raise _Refused("'<<' merges mappings into a mapping", event)
                return root
            else:
                continue
            if anchor is not None:
                anchors[anchor] = (value, height)
            if not frames:
                root = value
                continue
            parent = frames[-1]
            if parent is streamed and each is not None:
                value = each(section, len(parent), value)
            parent.append(value)
            if height > heights[-1]:
                heights[-1] = height

    def share(self, text: str) -> str:
        if len(self.quoted) < _SHARED:
            self.quoted[text] = text
        return text

    def scalar(self, event: Any) -> Any:
        """A scalar's value by its tag, resolved as `yaml.safe_load` would."""
        text, tag = event.value, event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(ScalarNode, text, event.implicit)
        if tag in (_STR, _VALUE):
            value: Any = self.quoted.get(text) or self.share(text)
        elif tag == _MERGE:
            value = _MERGE_KEY
        elif tag in _SCALAR_TAGS:
            constructor = self.loader.yaml_constructors[tag]
            try:
                value = constructor(self.loader, ScalarNode(tag, text))
            except (ValueError, KeyError, AttributeError) as error:
                # PyYAML's own loader lets these escape as tracebacks (e.g. `2024-13-45`).
                problem = f"'{text}' is not a valid {tag.removeprefix(_TAG)}"
                raise _Refused(problem, event) from error
        else:
            raise _Refused(f"tag '{tag}' is not used in data files", event)
        if event.tag is None and len(self.plain) < _SHARED:
            self.plain[text] = value
        return value


def _sequence(items: list[Any], event: Any) -> list[Any]:
    if _MERGE_KEY in items:
        raise _Refused("'<<' merges mappings into a mapping", event)
    return items


def _mapping(items: list[Any], event: Any) -> dict[Any, Any]:
    """The dict of alternating keys and values, with any `<<` merged in."""
    keys, values = items[::2], items[1::2]
    if _MERGE_KEY in values:
        raise _Refused("'<<' merges mappings into a mapping", event)
    if _MERGE_KEY in keys:
        return _merged(keys, values, event)
    try:
        return dict(zip(keys, values, strict=True))
    except TypeError:
        raise _Refused("a key is a list or a mapping, not a plain value", event) from None


def _merged(keys: list[Any], values: list[Any], event: Any) -> dict[Any, Any]:
    """As PyYAML merges: explicit keys win, then the merged mappings in the order written."""
    sources: list[dict[Any, Any]] = []
    own: list[tuple[Any, Any]] = []
    for key, value in zip(keys, values, strict=True):
        if key is not _MERGE_KEY:
            own.append((key, value))
        elif isinstance(value, dict):
            sources.append(value)
        elif isinstance(value, list) and all(isinstance(item, dict) for item in value):
            sources.extend(reversed(value))  # the first mapping listed wins
        else:
            raise _Refused("'<<' merges a mapping or a list of mappings", event)
    merged: dict[Any, Any] = {}
    for source in sources:
        merged.update(source)
    try:
        merged.update(own)
    except TypeError:
        raise _Refused("a key is a list or a mapping, not a plain value", event) from None
    return merged


def parse_model(model: type[M], path: Path, raw: Any) -> M:
    """Validate `raw`, turning the first pydantic error into a `DataFileError`."""
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        loc = first["loc"]
        entry = str(loc[0]) if loc else "file"
        if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(raw, dict):
            items = raw.get(loc[0])
            item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
            entry = _entry_name(str(loc[0]), loc[1], item)
        raise DataFileError(path, entry, _field_name(loc), first["msg"]) from error


def parse_entry(adapter: TypeAdapter[T], path: Path, section: str, index: int, raw: Any) -> T:
    """Validate one entry of a section as it is read (see `read_yaml`'s `each`)."""
    try:
        return adapter.validate_python(raw)
    except ValidationError as error:
        first = error.errors()[0]
        raise DataFileError(
            path,
            _entry_name(section, index, raw),
            _field_name((section, index, *first["loc"])),
            first["msg"],
        ) from error


def _entry_name(section: str, index: int, item: Any) -> str:
    """Name the entry by its id, code or SKU when it has one, else by its position."""
    if isinstance(item, dict):
        key = item.get("id") or item.get("code") or item.get("sku")
        if key and isinstance(key, str | int):  # never a list spelt out: see `read_yaml`
            return f"{section} entry '{key}'"
    return f"{section} entry #{index + 1}"


def _field_name(loc: tuple[int | str, ...]) -> str:
    rest = [str(part) for part in loc[2:] if not str(part).startswith(("str", "dict["))]
    if rest:
        return ".".join(rest)
    return "(whole entry)" if len(loc) >= 2 else str(loc[0]) if loc else "-"
