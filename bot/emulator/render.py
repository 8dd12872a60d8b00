"""Telegram messages as the emulator's page shows them: entities back to HTML, media as links.

The fake Bot API stores what Telegram would: plain text plus entities (offsets in UTF-16 code
units). The page gets safe HTML built here from those, never the bot's original markup, so
what it shows is what a Telegram client would show.
"""

from __future__ import annotations

import html
import itertools
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

JSONDict = dict[str, Any]

_SIMPLE_TAGS = {
    "bold": "b",
    "italic": "i",
    "underline": "u",
    "strikethrough": "s",
    "code": "code",
    "blockquote": "blockquote",
    "expandable_blockquote": "blockquote",
}
_SAFE_SCHEMES = ("http://", "https://", "mailto:", "tg://")


def map_url(latitude: float, longitude: float) -> str:
    """An OpenStreetMap page with a marker on the point."""
    query = urlencode({"mlat": f"{latitude:.6f}", "mlon": f"{longitude:.6f}"})
    return f"https://www.openstreetmap.org/?{query}#map=16/{latitude:.5f}/{longitude:.5f}"


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _safe_href(url: str) -> str | None:
    candidate = url.strip()
    if candidate.lower().startswith(_SAFE_SCHEMES):
        return candidate
    if "://" not in candidate and "." in candidate and " " not in candidate:
        return "https://" + candidate  # Telegram links "example.com" too
    return None


@dataclass
class _Span:
    entity: JSONDict
    start: int  # Python string indices
    end: int
    order: int = field(default=0)


def _utf16_to_index(text: str) -> dict[int, int]:
    """UTF-16 offset -> Python index, for every character boundary of `text`."""
    positions: dict[int, int] = {}
    offset = 0
    for index, char in enumerate(text):
        positions[offset] = index
        offset += 2 if ord(char) > 0xFFFF else 1
    positions[offset] = len(text)
    return positions


def _open_tag(span: _Span, text: str) -> tuple[str, str]:
    entity = span.entity
    kind = entity.get("type")
    if kind in _SIMPLE_TAGS:
        tag = _SIMPLE_TAGS[kind]
        return f"<{tag}>", f"</{tag}>"
    if kind == "pre":
        language = entity.get("language")
        if language:
            return f'<pre><code class="language-{_escape(str(language))}">', "</code></pre>"
        return "<pre>", "</pre>"
    if kind == "spoiler":
        return '<span class="tg-spoiler">', "</span>"
    if kind in ("text_link", "url", "email"):
        if kind == "text_link":
            target = str(entity.get("url", ""))
        elif kind == "email":
            target = "mailto:" + text[span.start : span.end]
        else:
            target = text[span.start : span.end]
        href = _safe_href(target)
        if href is None:
            return f'<span class="tg-link" title="{_escape(target)}">', "</span>"
        return (
            f'<a href="{_escape(href)}" target="_blank" rel="noopener noreferrer">',
            "</a>",
        )
    if kind == "text_mention":
        user = entity.get("user") or {}
        return f'<span class="tg-mention" title="user {_escape(str(user.get("id", "")))}">', (
            "</span>"
        )
    if kind in ("bot_command", "mention", "hashtag", "cashtag", "phone_number"):
        return f'<span class="tg-{kind.replace("_", "-")}">', "</span>"
    return "", ""


def entities_to_html(text: str, entities: list[JSONDict] | None) -> str:
    """Rebuild HTML from plain text and Telegram entities; everything else is escaped.

    Entities may nest (bold inside a link) or, from other clients, overlap; overlapping
    ones are closed and reopened around each other so the HTML is always well formed.
    """
    if not entities:
        return _escape(text)
    positions = _utf16_to_index(text)
    spans: list[_Span] = []
    for number, entity in enumerate(entities):
        try:
            offset, length = int(entity["offset"]), int(entity["length"])
        except (KeyError, TypeError, ValueError):
            continue
        start, end = positions.get(offset), positions.get(offset + length)
        if start is None or end is None or end <= start:
            continue
        if _open_tag(_Span(entity, start, end), text) == ("", ""):
            continue
        spans.append(_Span(entity, start, end, number))
    if not spans:
        return _escape(text)
    cuts = sorted({0, len(text)} | {s.start for s in spans} | {s.end for s in spans})
    out: list[str] = []
    stack: list[_Span] = []
    for here, following in itertools.pairwise(cuts):
        active = {id(s) for s in spans if s.start <= here and s.end >= following}
        # Close down to the deepest span that is over, then reopen what must go on.
        keep = 0
        while keep < len(stack) and id(stack[keep]) in active:
            keep += 1
        reopen = [s for s in stack[keep:] if id(s) in active]
        for span in reversed(stack[keep:]):
            out.append(_open_tag(span, text)[1])
        del stack[keep:]
        starting = [s for s in spans if s.start == here and id(s) in active]
        starting.sort(key=lambda s: (-s.end, s.order))
        for span in [*reopen, *starting]:
            out.append(_open_tag(span, text)[0])
            stack.append(span)
        out.append(_escape(text[here:following]))
    for span in reversed(stack):
        out.append(_open_tag(span, text)[1])
    return "".join(out)


def file_url(file_id: str, name: str | None = None) -> str:
    url = f"/api/files/{quote(file_id, safe='')}"
    return f"{url}?{urlencode({'name': name})}" if name else url


def _inline_keyboard(message: JSONDict) -> list[list[JSONDict]]:
    markup = message.get("reply_markup") or {}
    rows: list[list[JSONDict]] = []
    for row in markup.get("inline_keyboard", []):
        buttons: list[JSONDict] = []
        for button in row:
            shown: JSONDict = {"text": str(button.get("text", ""))}
            if "callback_data" in button:
                shown["callback_data"] = str(button["callback_data"])
            elif "url" in button:
                href = _safe_href(str(button["url"]))
                if href is not None:
                    shown["url"] = href
            buttons.append(shown)
        if buttons:
            rows.append(buttons)
    return rows


def _preview(message: JSONDict) -> str:
    """A one-line plain-text preview of a quoted message."""
    body = message.get("text") or message.get("caption")
    if body:
        line = str(body).split("\n", 1)[0]
        return line if len(line) <= 80 else line[:79] + "…"
    for key, word in (
        ("photo", "🖼 Photo"),
        ("document", "📄 Document"),
        ("venue", "📍 Venue"),
        ("location", "📍 Location"),
        ("contact", "👤 Contact"),
        ("sticker", "Sticker"),
    ):
        if key in message:
            return word
    return "…"


def render_message(message: JSONDict, bot_id: int) -> JSONDict:
    """One stored message as the page draws it (see the API description in `app`)."""
    shown: JSONDict = {
        "message_id": int(message["message_id"]),
        "from_bot": message.get("from", {}).get("id") == bot_id,
        "date": int(message.get("date", 0)),
        "edited": "edit_date" in message,
    }
    if "text" in message:
        shown["html"] = entities_to_html(str(message["text"]), message.get("entities"))
    elif "caption" in message:
        shown["html"] = entities_to_html(str(message["caption"]), message.get("caption_entities"))
    keyboard = _inline_keyboard(message)
    if keyboard:
        shown["inline_keyboard"] = keyboard
    venue = message.get("venue")
    location = message.get("location")
    if isinstance(venue, dict):
        point = venue.get("location") or {}
        lat, lon = float(point.get("latitude", 0)), float(point.get("longitude", 0))
        shown["venue"] = {
            "title": str(venue.get("title", "")),
            "address": str(venue.get("address", "")),
            "latitude": lat,
            "longitude": lon,
            "map_url": map_url(lat, lon),
        }
    elif isinstance(location, dict):
        lat, lon = float(location.get("latitude", 0)), float(location.get("longitude", 0))
        shown["location"] = {"latitude": lat, "longitude": lon, "map_url": map_url(lat, lon)}
    contact = message.get("contact")
    if isinstance(contact, dict):
        name = " ".join(
            str(contact[key]) for key in ("first_name", "last_name") if contact.get(key)
        )
        shown["contact"] = {"name": name, "phone_number": str(contact.get("phone_number", ""))}
    photo = message.get("photo")
    if isinstance(photo, list) and photo:
        largest = max(
            photo, key=lambda size: int(size.get("width", 0)) * int(size.get("height", 0))
        )
        shown["photo"] = {
            "url": file_url(str(largest["file_id"])),
            "width": int(largest.get("width", 0)),
            "height": int(largest.get("height", 0)),
        }
    document = message.get("document")
    if isinstance(document, dict):
        name = str(document.get("file_name") or "document")
        shown["document"] = {
            "url": file_url(str(document["file_id"]), name),
            "file_name": name,
            "mime_type": str(document.get("mime_type") or "application/octet-stream"),
            "size": int(document.get("file_size", 0)),
        }
    other = next(
        (key for key in ("sticker", "voice", "audio", "video", "animation") if key in message),
        None,
    )
    if other is not None:
        shown["other"] = other
    quoted = message.get("reply_to_message")
    if isinstance(quoted, dict):
        shown["reply_to"] = {
            "message_id": int(quoted.get("message_id", 0)),
            "preview": _preview(quoted),
        }
    return shown


def reply_keyboard(markup: JSONDict | None) -> JSONDict | None:
    """The reply keyboard shown under the input field, buttons as objects."""
    if not markup or "keyboard" not in markup:
        return None
    rows = [
        [
            {
                "text": str(button.get("text", "")),
                "request_location": bool(button.get("request_location")),
                "request_contact": bool(button.get("request_contact")),
            }
            if isinstance(button, dict)
            else {"text": str(button), "request_location": False, "request_contact": False}
            for button in row
        ]
        for row in markup["keyboard"]
    ]
    placeholder = markup.get("input_field_placeholder")
    return {"rows": [row for row in rows if row], "placeholder": placeholder or None}
