"""An in-process fake of the Telegram Bot API.

It speaks the HTTP protocol of api.telegram.org closely enough that an unmodified
python-telegram-bot client can run against it, and it validates requests the way Telegram
does (unknown chats, empty or too long texts, oversized callback data, broken HTML, ...)
so that bugs which would only show up in production fail the tests instead.

Deliberately plain aiohttp + stdlib: no ``telegram`` import, every object is the JSON dict
the real Bot API would return.
"""

from __future__ import annotations

import asyncio
import bisect
import copy
import io
import itertools
import json
import logging
import math
import mimetypes
import re
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, TypeVar, cast
from urllib.parse import urlsplit

from aiohttp import web
from PIL import Image

from bot.fake_telegram.webhook import WebhookDelivery, WebhookSender
from bot.message_length import utf16_len

JSONDict = dict[str, Any]
T = TypeVar("T")
_LOGGER = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456:TEST-TOKEN"
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_INLINE_BUTTONS = 100
MAX_COMMANDS = 100

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
GET_UPDATES_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
WEBHOOK_PORTS = frozenset({443, 80, 88, 8443})
_SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")

# Form fields whose value is a plain string even when it looks like JSON ("123", "true").
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "title",
        "address",
        "phone_number",
        "first_name",
        "last_name",
        "vcard",
        "foursquare_id",
        "foursquare_type",
        "google_place_id",
        "google_place_type",
        "url",
        "action",
        "language_code",
        "description",
        "short_description",
        "name",
        "file_id",
        "emoji",
        "business_connection_id",
        "message_effect_id",
        "photo",
        "document",
        "audio",
        "voice",
        "video",
        "animation",
        "sticker",
        "thumbnail",
        "secret_token",
        "ip_address",
    }
)
# Parameters that are JSON-serialized objects; clients may send them as JSON strings.
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "reply_parameters",
        "link_preview_options",
        "scope",
        "commands",
        "allowed_updates",
        "menu_button",
        "media",
    }
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_INLINE_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_MEDIA_KEYS = ("photo", "document", "video", "audio", "voice", "animation", "sticker")
MIN_ALBUM, MAX_ALBUM = 2, 10
_ALBUM_TYPES = frozenset({"photo", "video", "document", "audio"})
"""What an album may hold: photos and videos together, documents or audio only alone."""


class ApiError(Exception):
    """An error response of the Bot API; raised by method handlers, rendered by the router."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(f"{error_code}: {description}")
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def to_json(self) -> JSONDict:
        """The exact body Telegram sends for this error."""
        body: JSONDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    """A 400 with Telegram's ``Bad Request:`` prefix (python-telegram-bot strips it again)."""
    return ApiError(400, f"Bad Request: {detail}")


# A queued fault: an error response, or "drop" to close the connection without any answer.
_Fault = ApiError | Literal["drop"]


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request, kept whole so tests can inspect what was sent."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class RateLimit:
    """Telegram's flood control: about 30 messages a second overall and 1 per chat.

    Only messages count (the ``send*`` methods except sendChatAction), each in a sliding
    window. A rate below 1 widens the window instead, so ``1 / 3`` models the group limit of
    20 messages a minute as one message per 3 seconds.
    """

    per_second: float = 30.0
    per_chat_per_second: float = 1.0

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.per_chat_per_second <= 0:
            raise ValueError("rate limits must be positive")


def _window(rate: float) -> tuple[int, float]:
    """(messages allowed, window seconds) for a rate; see :class:`RateLimit`."""
    seconds = max(1.0, 1.0 / rate)
    return max(1, math.floor(rate * seconds + 1e-9)), seconds


@dataclass
class ApiCall:
    """One request the bot made, recorded after it was answered (or its connection dropped)."""

    method: str
    params: JSONDict
    files: dict[str, UploadedFile]
    ok: bool
    at: float
    result: Any = None
    error_code: int | None = None
    description: str | None = None
    # The server's monotonic ``timer`` when answered; rates are measured on it, not on ``at``.
    at_timer: float = 0.0
    # Closed without any HTTP response (``drop_next``); the bot saw a network error.
    dropped: bool = False

    def summary(self) -> str:
        """One line for failure messages."""
        if self.dropped:
            outcome = "DROPPED (connection closed without a response)"
        elif self.ok:
            outcome = "ok"
        else:
            outcome = f"ERROR {self.error_code} {self.description!r}"
        params = json.dumps(self.params, ensure_ascii=False, default=str)
        if len(params) > 200:
            params = params[:197] + "..."
        return f"{self.method} -> {outcome} {params}"


@dataclass(frozen=True)
class CallbackAnswer:
    """An answerCallbackQuery the bot made, joined with the query it answered."""

    query_id: str
    user_id: int
    chat_id: int | None
    data: str | None
    text: str | None
    show_alert: bool
    url: str | None


@dataclass
class _Query:
    user_id: int
    chat_id: int | None
    data: str | None
    answered: bool = False


@dataclass
class _StoredFile:
    kind: str
    file_id: str
    file_unique_id: str
    data: bytes | None
    size: int
    file_path: str
    obj: Any  # the JSON object Telegram returns for it (a list of PhotoSize for photos)


@dataclass
class _Chat:
    info: JSONDict
    messages: list[JSONDict] = field(default_factory=list)
    next_message_id: int = 1
    reply_keyboard: JSONDict | None = None
    menu_button: JSONDict | None = None

    @property
    def id(self) -> int:
        return int(self.info["id"])

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def find(self, message_id: int) -> JSONDict | None:
        for message in self.messages:
            if message["message_id"] == message_id:
                return message
        return None


# --------------------------------------------------------------------------------------------
# Telegram-flavoured HTML
# --------------------------------------------------------------------------------------------

_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_SPECIAL_RE = re.compile(r"[<&]")
_HTML_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_NAME_RE = re.compile(r"[a-zA-Z0-9-]*")
_ATTR_RE = re.compile(
    r"""([a-zA-Z][a-zA-Z0-9_:-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?"""
)
_WHITESPACE_RE = re.compile(r"\s*")


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _entities_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


@dataclass
class _OpenTag:
    name: str
    start: int  # UTF-16 offset in the output
    entity: JSONDict | None


def parse_html(source: str) -> tuple[str, list[JSONDict]]:
    """Turn Telegram HTML into plain text and entities, failing like Telegram on bad markup.

    Stricter than Telegram in one way: a bare ``&`` that starts no entity is refused, because
    the Bot API documentation requires escaping it and code relying on leniency is fragile.
    """
    parts: list[str] = []
    out_len = 0
    stack: list[_OpenTag] = []
    entities: list[JSONDict] = []
    pos = 0
    length = len(source)
    while pos < length:
        match = _SPECIAL_RE.search(source, pos)
        end = match.start() if match else length
        if end > pos:
            chunk = source[pos:end]
            parts.append(chunk)
            out_len += utf16_len(chunk)
            pos = end
            continue
        if source[pos] == "&":
            decoded, pos = _decode_html_entity(source, pos)
            parts.append(decoded)
            out_len += utf16_len(decoded)
            continue
        if source.startswith("</", pos):
            pos = _close_tag(source, pos, stack, entities, out_len)
        else:
            pos = _open_tag(source, pos, stack, out_len)
    if stack:
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(parts), entities


def _decode_html_entity(source: str, pos: int) -> tuple[str, int]:
    match = _HTML_ENTITY_RE.match(source, pos)
    if match is None:
        raise _entities_error(
            f"Character '&' at byte offset {_byte_offset(source, pos)} is not a part of an "
            'HTML entity; escape it as "&amp;"'
        )
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED_ENTITIES[named], match.end()
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise _entities_error(
            f"Invalid character reference at byte offset {_byte_offset(source, pos)}"
        )
    return chr(code), match.end()


def _open_tag(source: str, pos: int, stack: list[_OpenTag], out_len: int) -> int:
    offset = _byte_offset(source, pos)
    name_match = _TAG_NAME_RE.match(source, pos + 1)
    assert name_match is not None  # the pattern matches the empty string
    name = name_match.group().lower()
    if name not in _TAG_ENTITY:
        raise _entities_error(f'Unsupported start tag "{name}" at byte offset {offset}')
    attrs: dict[str, str] = {}
    cursor = name_match.end()
    while True:
        ws = _WHITESPACE_RE.match(source, cursor)
        assert ws is not None
        cursor = ws.end()
        if cursor >= len(source):
            raise _entities_error(f"Unclosed start tag at byte offset {offset}")
        if source[cursor] == ">":
            cursor += 1
            break
        attr = _ATTR_RE.match(source, cursor)
        if attr is None:
            raise _entities_error(f"Unclosed start tag at byte offset {offset}")
        value = next((v for v in attr.groups()[1:] if v is not None), "")
        attrs[attr.group(1).lower()] = _unescape_attribute(value)
        cursor = attr.end()
    stack.append(_OpenTag(name, out_len, _entity_for_tag(name, attrs, stack, offset)))
    return cursor


def _unescape_attribute(value: str) -> str:
    def replace(match: re.Match[str]) -> str:
        named, decimal, hexadecimal = match.groups()
        if named:
            return _NAMED_ENTITIES[named]
        code = int(decimal) if decimal else int(hexadecimal, 16)
        return chr(code) if 0 < code <= 0x10FFFF else match.group()

    return _HTML_ENTITY_RE.sub(replace, value)


def _entity_for_tag(
    name: str, attrs: dict[str, str], stack: list[_OpenTag], offset: int
) -> JSONDict | None:
    kind = _TAG_ENTITY[name]
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise _entities_error(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    if name == "a":
        href = attrs.get("href", "").strip()
        if not href:
            return None
        user = re.fullmatch(r"tg://user\?id=(\d+)", href)
        if user:
            return {"type": "text_mention", "user": {"id": int(user.group(1))}}
        return {"type": kind, "url": href}
    if name == "code" and stack and stack[-1].name == "pre":
        language = attrs.get("class", "")
        pre = stack[-1].entity
        if language.startswith("language-") and pre is not None:
            pre["language"] = language.removeprefix("language-")
            return None
    if name == "blockquote" and "expandable" in attrs:
        return {"type": "expandable_blockquote"}
    return {"type": kind}


def _close_tag(
    source: str, pos: int, stack: list[_OpenTag], entities: list[JSONDict], out_len: int
) -> int:
    offset = _byte_offset(source, pos)
    name_match = _TAG_NAME_RE.match(source, pos + 2)
    assert name_match is not None
    name = name_match.group().lower()
    ws = _WHITESPACE_RE.match(source, name_match.end())
    assert ws is not None
    cursor = ws.end()
    if cursor >= len(source) or source[cursor] != ">":
        raise _entities_error(f"Unclosed end tag at byte offset {offset}")
    if not stack:
        raise _entities_error(f"Unexpected end tag at byte offset {offset}")
    top = stack[-1]
    if name != top.name:
        raise _entities_error(
            f'Unmatched end tag at byte offset {offset}, expected "</{top.name}>", '
            f'found "</{name}>"'
        )
    stack.pop()
    if top.entity is not None and out_len > top.start:
        entities.append({"offset": top.start, "length": out_len - top.start, **top.entity})
    return cursor + 1


def _strip_with_entities(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """Telegram trims surrounding whitespace of texts and captions; keep entities aligned."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    result: list[JSONDict] = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


# --------------------------------------------------------------------------------------------
# Parameter decoding
# --------------------------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _decode_form_value(key: str, value: str) -> Any:
    """Form values arrive as strings; python-telegram-bot JSON-encodes every non-string value."""
    if key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value, parse_constant=_reject_constant)
    except ValueError:
        return value


def _as_int(value: Any, name: str) -> int:
    if value is None or value == "":
        raise bad_request(f"{name} is empty")
    if isinstance(value, bool):
        raise bad_request(f"invalid {name} specified")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid {name} specified") from None


def _as_float(value: Any, name: str) -> float:
    if value is None or value == "" or isinstance(value, bool):
        raise bad_request(f"{name} is empty")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid {name} specified") from None


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return bool(value)


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _scope_key(scope: JSONDict | None) -> str:
    return json.dumps(scope or {"type": "default"}, sort_keys=True)


def _logged(method: str, result: Any) -> Any:
    """A call's result as the call log keeps it: a copy, so later changes don't rewrite history.

    Queued updates never change, so getUpdates' result is kept as it is; copying up to a
    hundred updates per poll would cost more than the bot's own handling of them.
    """
    return result if method == "getUpdates" else copy.deepcopy(result)


def _client_gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


def _is_send(method: str) -> bool:
    """Methods that post a message, the ones Telegram's flood limits count."""
    return method.startswith("send") and method != "sendChatAction"


def _window_wait(times: list[float], rate: float, now: float) -> float:
    """Seconds until one more send fits the sliding window; 0 or less if it fits now."""
    allowed, seconds = _window(rate)
    inside = len(times) - bisect.bisect_right(times, now - seconds)
    if inside < allowed:
        return 0.0
    return times[len(times) - allowed] + seconds - now


Handler = Callable[[JSONDict, dict[str, UploadedFile]], Awaitable[Any]]


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


def _photo_sizes(data: bytes) -> list[tuple[int, int]]:
    """The sizes Telegram makes of a picture, its shape kept: a thumbnail at most 90 pixels
    on its long side and the picture at most 1280. Bytes that are no picture (tests'
    placeholders) count as 800x600."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except (OSError, ValueError, Image.DecompressionBombError):
        width, height = 800, 600
    return [_fit(width, height, box) for box in (90, 1280)]


def _fit(width: int, height: int, box: int) -> tuple[int, int]:
    scale = min(1.0, box / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


class FakeBotApi:
    """A fake Bot API server plus the state of the (fake) Telegram world behind it.

    Start it, point python-telegram-bot at :attr:`base_url`, inject updates with
    :meth:`push_update` (or :class:`bot.fake_telegram.users.FakeUser`) and inspect what the
    bot did through :attr:`calls`, :meth:`sent_to` and friends.

    The network and Telegram's limits are opt-in and may be changed at any time:
    :attr:`rate_limit` answers floods with 429 like Telegram, :attr:`latency` delays every
    answer, :meth:`fail_next` and :meth:`drop_next` queue failures. Once the bot calls
    setWebhook, updates are POSTed to it like Telegram does (see `bot.fake_telegram.webhook`)
    instead of waiting for getUpdates; :attr:`webhook_backoff` is the wait before a failed
    delivery is tried again, and :attr:`webhook_deliveries` records every try. ``clock``
    gives the Unix time of ``date`` fields; ``timer`` measures rate-limit windows and must
    never go back, so replace it (with a hand-moved one in tests) before the first message is
    sent.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "repair_test_bot",
        *,
        bot_first_name: str = "Repair Test Bot",
        clock: Callable[[], float] = time.time,
        timer: Callable[[], float] = time.monotonic,
        rate_limit: RateLimit | None = None,
        latency: float = 0.0,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.clock = clock
        self.timer = timer
        self.rate_limit = rate_limit
        self.latency = latency
        bot_id_part = token.split(":", 1)[0]
        bot_id = int(bot_id_part) if bot_id_part.isdigit() else 123456
        self.bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.calls: list[ApiCall] = []
        # Every 429 answered, flood control's or fail_next's; filter by chat with rate_limited().
        self.too_many_requests = 0
        self.rate_limited_calls: list[ApiCall] = []
        self.webhook_backoff = 0.05
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.webhook_latencies: list[float] = []
        """Seconds from sending each update to the webhook to its 2xx answer."""

        self._updates: list[JSONDict] = []
        self._webhook: WebhookSender | None = None
        self._webhook_error: tuple[int, str] | None = None
        self._next_update_id = 1
        self._confirmed_offset = 0
        self._poll_generation = 0
        self._parked_polls = 0
        self._chats: dict[int, _Chat] = {}
        self._blocked: set[int] = set()
        self._faults: dict[str, deque[_Fault]] = {}
        self._holds: dict[int, asyncio.Event] = {}
        self._held_calls: Counter[int] = Counter()
        # ``at_timer`` of successful sends, overall and per chat id, in order (for rate limits).
        self._send_times: list[float] = []
        self._chat_send_times: dict[int, list[float]] = {}
        self._queries: dict[str, _Query] = {}
        self._answers: list[CallbackAnswer] = []
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._default_menu_button: JSONDict | None = None
        self._files: dict[str, _StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._query_counter = itertools.count(1)
        self._album_counter = itertools.count(1)
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port: int | None = None

        handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": self._get_updates,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "sendVenue": self._send_venue,
            "sendLocation": self._send_location,
            "sendContact": self._send_contact,
            "sendPhoto": self._send_photo,
            "sendVideo": self._send_video,
            "sendMediaGroup": self._send_media_group,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "getChat": self._get_chat,
            "getFile": self._get_file,
        }
        self._methods: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler) for name, handler in handlers.items()
        }

    # ---------------------------------------------------------------- lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on loopback; port 0 picks a free port so parallel test runs never clash."""
        if host not in ("127.0.0.1", "::1"):
            raise ValueError("the fake Bot API only listens on loopback (127.0.0.1 or ::1)")
        if self._runner is not None:
            raise RuntimeError("FakeBotApi is already running")
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/bot{token}/{method}", self._handle)
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._closing = False
        self._runner = runner
        self._host = host if host == "127.0.0.1" else f"[{host}]"
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Release pending long polls first so shutdown never waits for their timeout."""
        if self._runner is None:
            return
        self._closing = True
        self._notify()
        await self._drop_webhook()
        runner, self._runner = self._runner, None
        await runner.cleanup()
        self._port = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotApi is not running; call start() first")
        return self._port

    @property
    def base_url(self) -> str:
        """python-telegram-bot appends ``<token>/<method>`` to this."""
        return f"http://{self._host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """python-telegram-bot appends ``<token>/<file_path>`` to this."""
        return f"http://{self._host}:{self.port}/file/bot"

    # ---------------------------------------------------------------- world setup

    def now(self) -> int:
        """Unix time from the injectable clock, as Telegram's ``date`` fields."""
        return int(self.clock())

    def register_user(self, user: JSONDict) -> None:
        """Make a user, and their private chat, known, as if they had written to the bot."""
        chat_info: JSONDict = {"id": user["id"], "type": "private"}
        for key in ("first_name", "last_name", "username"):
            if user.get(key) is not None:
                chat_info[key] = user[key]
        self.register_chat(chat_info)

    def register_chat(self, chat: JSONDict) -> None:
        """Make a chat known; Telegram refuses to send to chats the bot has never seen."""
        chat_id = int(chat["id"])
        existing = self._chats.get(chat_id)
        if existing is None:
            self._chats[chat_id] = _Chat(info=dict(chat))
        else:
            existing.info.update(chat)

    def chat_info(self, chat_id: int) -> JSONDict:
        """The ``chat`` object Telegram puts into messages of this chat."""
        return dict(self._known_chat(chat_id).info)

    def next_message_id(self, chat_id: int) -> int:
        """Reserve a message id; ids are shared by both sides of a chat, like in Telegram."""
        return self._known_chat(chat_id).take_message_id()

    def _known_chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise KeyError(f"chat {chat_id} is unknown to the fake; register_user() it first")
        return chat

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: every send to them now fails with 403."""
        self._blocked.add(chat_id)
        self._notify()

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)
        self._notify()

    def is_blocked(self, chat_id: int) -> bool:
        return chat_id in self._blocked

    def hold(self, chat_id: int) -> asyncio.Event:
        """Keep every call about ``chat_id`` waiting until the returned event is set.

        A slow round trip for one chat only: lets a test see whether it holds others back.
        """
        gate = self._holds[chat_id] = asyncio.Event()
        return gate

    def held_calls(self, chat_id: int | None = None) -> int:
        """How many calls about ``chat_id`` (any chat: None) are waiting at a hold now: the bot
        got that far."""
        if chat_id is None:
            return sum(self._held_calls.values())
        return self._held_calls[chat_id]

    async def _wait_if_held(self, params: JSONDict) -> None:
        chat_id = params.get("chat_id")
        gate = self._holds.get(int(chat_id)) if str(chat_id).lstrip("-").isdigit() else None
        if gate is not None and not gate.is_set():
            self._held_calls[int(chat_id)] += 1
            self._notify()
            try:
                await gate.wait()
            finally:
                self._held_calls[int(chat_id)] -= 1

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        *,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with this error, not executing them.

        Faults queue up in order across calls of fail_next and drop_next (retry tests).
        """
        self._queue_fault(method, ApiError(error_code, description, retry_after), times)

    def drop_next(self, method: str, times: int = 1) -> None:
        """Close the connection of the next ``times`` calls of ``method`` without answering.

        The call is not executed; python-telegram-bot raises ``NetworkError``, like on a
        flaky mobile network, and cannot know whether Telegram got the request.
        """
        self._queue_fault(method, "drop", times)

    def _queue_fault(self, method: str, fault: _Fault, times: int) -> None:
        canonical = self._canonical(method)
        if canonical is None:
            raise ValueError(f"unknown Bot API method {method!r}")
        if times < 1:
            raise ValueError("times must be at least 1")
        self._faults.setdefault(canonical, deque()).extend([fault] * times)

    def make_file(self, kind: str, data: bytes | None = None, **extra: Any) -> JSONDict:
        """Register a file Telegram would host and return its JSON object (Document, Voice...).

        ``data`` defaults to a few placeholder bytes so downloads through getFile work.
        """
        stored = self._store_file(kind, data, extra)
        return copy.deepcopy(stored.obj)

    def make_photo(self, data: bytes | None = None) -> list[JSONDict]:
        """Register a photo and return its PhotoSize list (thumbnail first, like Telegram)."""
        stored = self._store_photo(data)
        return copy.deepcopy(stored.obj)

    def make_video(self, data: bytes | None = None, duration: int = 5) -> JSONDict:
        """Register a short video and return its Video object."""
        return self.make_file(
            "video", data, width=640, height=360, duration=duration, mime_type="video/mp4"
        )

    def new_media_group_id(self) -> str:
        """An album's id, shared by its messages; numeric-looking, like Telegram's."""
        return str(13_000_000_000_000_000 + next(self._album_counter))

    def file_data(self, file_id: str) -> bytes | None:
        """The bytes of a file the fake hosts (any size of a photo), or None if unknown.

        Lets the local emulator show the charts, QR codes and CSV files the bot sent.
        """
        stored = self._files.get(file_id)
        return stored.data if stored is not None else None

    # ---------------------------------------------------------------- updates

    def push_update(self, update: JSONDict) -> int:
        """Queue an update for getUpdates and apply it to the world; returns its update_id."""
        update_id = self._next_update_id
        self._next_update_id += 1
        body = copy.deepcopy(update)
        body.pop("update_id", None)
        stored: JSONDict = {"update_id": update_id, **body}
        self._absorb(stored)
        self._updates.append(stored)
        self._notify()
        if self._webhook is not None:
            self._webhook.pump()
        return update_id

    def redeliver(self, update_id: int) -> None:
        """Offer a confirmed update again, same id and payload, and take its confirmation back.

        What Telegram does when the bot stopped after handling an update but before its next
        getUpdates confirmed it: a bot that starts afresh (offset 0 or 1) gets it once more.
        """
        polled = (update for call in self.calls_of("getUpdates") for update in call.result or [])
        pushed = (delivery.update for delivery in self.webhook_deliveries)
        for update in [*pushed, *polled]:
            if update["update_id"] == update_id:
                self._updates = sorted(
                    [*self._updates, update], key=lambda queued: queued["update_id"]
                )
                self._confirmed_offset = min(self._confirmed_offset, update_id)
                self._notify()
                if self._webhook is not None:
                    self._webhook.pump()
                return
        raise KeyError(f"update {update_id} was never delivered")

    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot through getUpdates' offset."""
        return len(self._updates)

    @property
    def parked_polls(self) -> int:
        """getUpdates requests currently waiting for updates (lets tests sync on long polls)."""
        return self._parked_polls

    @property
    def confirmed_offset(self) -> int:
        """The highest getUpdates offset the bot sent (0 before the first confirmation)."""
        return self._confirmed_offset

    def new_callback_query_id(self) -> str:
        """Numeric-looking ids like Telegram's, so string handling of the id gets exercised."""
        return str(4_000_000_000_000_000_000 + next(self._query_counter))

    def _absorb(self, update: JSONDict) -> None:
        for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
            message = update.get(key)
            if not isinstance(message, dict):
                continue
            if isinstance(message.get("from"), dict):
                self._absorb_user(message["from"])
            self.register_chat(message["chat"])
            chat = self._chats[int(message["chat"]["id"])]
            if "message_id" not in message:
                message["message_id"] = chat.take_message_id()
            chat.next_message_id = max(chat.next_message_id, int(message["message_id"]) + 1)
            sender = message.get("from", {}).get("id")
            if key == "message" and sender == chat.id:
                self._blocked.discard(chat.id)  # writing to a bot (e.g. "Restart") unblocks it
            existing = chat.find(message["message_id"])
            stored = copy.deepcopy(message)
            if existing is None:
                chat.messages.append(stored)
            else:
                existing.clear()
                existing.update(stored)
        query = update.get("callback_query")
        if isinstance(query, dict):
            self._absorb_user(query["from"])
            query.setdefault("id", self.new_callback_query_id())
            query_message = query.get("message")
            chat_id = int(query_message["chat"]["id"]) if isinstance(query_message, dict) else None
            self._queries[str(query["id"])] = _Query(
                user_id=int(query["from"]["id"]), chat_id=chat_id, data=query.get("data")
            )
        member = update.get("my_chat_member")
        if isinstance(member, dict):
            self.register_chat(member["chat"])
            status = member.get("new_chat_member", {}).get("status")
            chat_id = int(member["chat"]["id"])
            if status in ("kicked", "left"):
                self._blocked.add(chat_id)
            elif status == "member":
                self._blocked.discard(chat_id)

    def _absorb_user(self, user: JSONDict) -> None:
        if int(user["id"]) not in self._chats:
            self.register_user(user)

    # ---------------------------------------------------------------- inspection

    def calls_of(self, method: str) -> list[ApiCall]:
        """Recorded calls of one method (name matched case-insensitively)."""
        wanted = self._canonical(method) or method
        return [call for call in self.calls if call.method.lower() == wanted.lower()]

    def history(self, chat_id: int) -> list[JSONDict]:
        """All messages of a chat, both sides, current state (edits applied, deletions gone)."""
        chat = self._chats.get(chat_id)
        return copy.deepcopy(chat.messages) if chat else []

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        chat = self._chats.get(chat_id)
        found = chat.find(message_id) if chat else None
        return copy.deepcopy(found) if found else None

    def sent_to(self, chat_id: int) -> list[JSONDict]:
        """The bot's messages in a chat, in order, as they look now."""
        return [m for m in self.history(chat_id) if m.get("from", {}).get("id") == self.bot_id]

    def last_bot_message(self, chat_id: int) -> JSONDict | None:
        sent = self.sent_to(chat_id)
        return sent[-1] if sent else None

    def callback_answers(self, chat_or_user_id: int | None = None) -> list[CallbackAnswer]:
        """answerCallbackQuery calls, optionally only those for one chat or user."""
        return [
            answer
            for answer in self._answers
            if chat_or_user_id is None or chat_or_user_id in (answer.user_id, answer.chat_id)
        ]

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """What setMyCommands stored for exactly this scope and language."""
        return copy.deepcopy(self._commands.get((_scope_key(scope), language_code), []))

    def menu_of(self, user_id: int, language_code: str = "") -> list[JSONDict]:
        """The menu a person sees in their private chat, chosen as Telegram documents it.

        The first list set of: this chat in the app's language, this chat in any language,
        then all private chats, then the default scope, each in that order.
        """
        for scope in ({"type": "chat", "chat_id": user_id}, {"type": "all_private_chats"}, None):
            for code in (language_code, ""):
                if commands := self.commands(scope, code):
                    return commands
        return []

    def reply_keyboard(self, chat_id: int) -> JSONDict | None:
        """The reply keyboard currently shown in a chat (None after remove_keyboard)."""
        chat = self._chats.get(chat_id)
        return copy.deepcopy(chat.reply_keyboard) if chat and chat.reply_keyboard else None

    def menu_button(self, chat_id: int | None = None) -> JSONDict | None:
        chat = self._chats.get(chat_id) if chat_id is not None else None
        button = chat.menu_button if chat else self._default_menu_button
        return copy.deepcopy(button)

    def sent_count(self, chat_id: int | None = None) -> int:
        """Messages the bot sent successfully (send* calls but sendChatAction), or to one chat."""
        return len(self._sent_times(chat_id))

    def max_rate(self, window: float = 1.0, chat_id: int | None = None) -> int:
        """Most successful sends inside any sliding ``window`` seconds of :attr:`timer`.

        Sends exactly ``window`` apart are in different windows, as for :class:`RateLimit`,
        so ``max_rate() <= 30`` and ``max_rate(chat_id=...) <= 1`` prove the bot kept pace.
        """
        times = self._sent_times(chat_id)
        best = start = 0
        for end, at in enumerate(times):
            while times[start] <= at - window:
                start += 1
            best = max(best, end - start + 1)
        return best

    def rate_limited(self, chat_id: int | None = None) -> list[ApiCall]:
        """Calls answered with 429, optionally only those addressed to one chat."""
        return [
            call
            for call in self.rate_limited_calls
            if chat_id is None or self._chat_key(call.params) == chat_id
        ]

    def uploaded(self, method: str = "sendDocument", index: int = -1) -> UploadedFile:
        """The file the bot uploaded in a successful call (``index`` among those that uploaded).

        Calls re-sending a known file_id uploaded nothing and are skipped.
        """
        name = self._canonical(method) or method
        key = name.removeprefix("send").lower()
        uploads: list[UploadedFile] = []
        for call in self.calls_of(name):
            if not call.ok or not call.files:
                continue
            reference = call.params.get(key)
            if key in call.files:
                uploads.append(call.files[key])
            elif isinstance(reference, str) and reference.startswith("attach://"):
                uploads.append(call.files[reference.removeprefix("attach://")])
            elif len(call.files) == 1:
                uploads.extend(call.files.values())
        try:
            return uploads[index]
        except IndexError:
            raise AssertionError(
                f"no upload #{index} among {len(uploads)} successful {name} uploads"
            ) from None

    def _sent_times(self, chat_id: int | None) -> list[float]:
        if chat_id is None:
            return self._send_times
        return self._chat_send_times.get(chat_id, [])

    @property
    def bot_id(self) -> int:
        return int(self.bot_user["id"])

    # ---------------------------------------------------------------- waiting

    async def wait_for(
        self,
        predicate: Callable[[], T | bool | None],
        timeout: float = 5.0,  # noqa: ASYNC109 - the deadline is the point of this helper
    ) -> T:
        """Wait until ``predicate()`` returns something truthy; re-checked after every change.

        Falsy results (None, False, empty lists) mean "not yet". Raises TimeoutError listing
        the last calls, which usually shows at once what the bot did instead.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._changed
            result = predicate()
            if result:
                return cast(T, result)
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(self._timeout_message(timeout))
            try:
                async with asyncio.timeout(remaining):
                    await event.wait()
            except TimeoutError:
                continue

    def _timeout_message(self, timeout: float) -> str:
        recent = self.calls[-10:]
        lines = [f"condition not met within {timeout}s; last {len(recent)} Bot API calls:"]
        lines.extend(f"  {call.summary()}" for call in recent)
        if not recent:
            lines.append("  (none)")
        return "\n".join(lines)

    def _notify(self) -> None:
        """Wake every waiter; a fresh Event per change avoids lost or stale wake-ups."""
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    # ---------------------------------------------------------------- HTTP

    def _canonical(self, method: str) -> str | None:
        entry = self._methods.get(method.lower())
        return entry[0] if entry else None

    async def _handle(self, request: web.Request) -> web.Response:
        if self.latency > 0:
            await asyncio.sleep(self.latency)  # the round trip, before anything happens
        token = request.match_info["token"]
        raw_method = request.match_info["method"]
        entry = self._methods.get(raw_method.lower())
        method = entry[0] if entry else raw_method
        params: JSONDict = {}
        files: dict[str, UploadedFile] = {}
        result: Any = None
        error: ApiError | None = None
        fault: _Fault | None = None
        try:
            params, files = await self._read_params(request)
            await self._wait_if_held(params)
            if token != self.token:
                error = ApiError(401, "Unauthorized")
            elif entry is None:
                error = ApiError(404, "Not Found")
            else:
                queued = self._faults.get(method)
                fault = queued.popleft() if queued else None
                if isinstance(fault, ApiError):
                    error = fault
                elif fault is None:
                    error = self._flood_error(method, params)
                    if error is None:
                        result = await entry[1](params, files)
        except ApiError as exc:
            error = exc
        except Exception as exc:
            # A bug in the fake: answer like an internal error, and keep it visible in calls.
            _LOGGER.exception("fake Bot API crashed in %s", method)
            error = ApiError(500, f"Internal Server Error: fake Bot API crashed: {exc!r}")
        if method == "getUpdates" and _client_gone(request):
            # A long poll the client abandoned (python-telegram-bot cancels it on shutdown):
            # the bot never sees this answer, so it is not part of the call log.
            self._notify()
            return web.Response(status=499)
        dropped = fault == "drop"
        call = ApiCall(
            method=method,
            params=params,
            files=files,
            ok=error is None and not dropped,
            at=self.clock(),
            result=_logged(method, result) if error is None else None,
            error_code=error.error_code if error else None,
            description=error.description if error else None,
            at_timer=self.timer(),
            dropped=dropped,
        )
        self._record(call)
        if dropped:
            if request.transport is not None:
                request.transport.close()
            # Writing this to the closed transport fails, and aiohttp then silently gives up.
            return web.Response(status=499)
        if error is not None:
            return web.json_response(error.to_json(), status=error.error_code)
        return web.json_response({"ok": True, "result": result})

    def _record(self, call: ApiCall) -> None:
        self.calls.append(call)
        if call.error_code == 429:
            self.too_many_requests += 1
            self.rate_limited_calls.append(call)
        if call.ok and _is_send(call.method):
            # An album is one message per item, for the limits as in the chat.
            sent = call.result if isinstance(call.result, list) else [call.result]
            for message in sent:
                self._send_times.append(call.at_timer)
                chat = message.get("chat") if isinstance(message, dict) else None
                if isinstance(chat, dict):
                    self._chat_send_times.setdefault(int(chat["id"]), []).append(call.at_timer)
        self._notify()

    def _flood_error(self, method: str, params: JSONDict) -> ApiError | None:
        """Telegram's 429 for a send over :attr:`rate_limit`; the send is then not executed."""
        limit = self.rate_limit
        if limit is None or not _is_send(method):
            return None
        now = self.timer()
        wait = _window_wait(self._send_times, limit.per_second, now)
        chat_id = self._chat_key(params)
        if chat_id is not None:
            chat_times = self._chat_send_times.get(chat_id, [])
            wait = max(wait, _window_wait(chat_times, limit.per_chat_per_second, now))
        if wait <= 0:
            return None
        retry_after = max(1, math.ceil(wait))
        return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    async def _read_params(self, request: web.Request) -> tuple[JSONDict, dict[str, UploadedFile]]:
        """Accept every encoding Telegram accepts: query, JSON, urlencoded and multipart."""
        params: JSONDict = {k: _decode_form_value(k, v) for k, v in request.query.items()}
        files: dict[str, UploadedFile] = {}
        if request.method == "POST" and request.body_exists:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise bad_request("can't parse JSON body") from None
                if not isinstance(body, dict):
                    raise bad_request("JSON body must be an object")
                params.update(body)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        files[key] = UploadedFile(
                            field=key,
                            filename=value.filename,
                            content_type=value.content_type,
                            data=value.file.read(),
                        )
                    elif isinstance(value, str):
                        params[key] = _decode_form_value(key, value)
        for key in _JSON_PARAMS:
            value = params.get(key)
            if isinstance(value, str):
                try:
                    params[key] = json.loads(value)
                except ValueError:
                    raise bad_request(f"can't parse {key} JSON object") from None
        return params, files

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").to_json(), status=401)
        path = request.match_info["path"]
        for stored in self._files.values():
            if stored.file_path == path and stored.data is not None:
                return web.Response(body=stored.data, content_type="application/octet-stream")
        return web.json_response(ApiError(404, "Not Found").to_json(), status=404)

    # ---------------------------------------------------------------- helpers for methods

    def _find_chat(self, raw: Any) -> _Chat | None:
        """A known chat by id or ``@username``, as chat_id parameters name it."""
        if isinstance(raw, str) and raw.startswith("@"):
            return next(
                (c for c in self._chats.values() if c.info.get("username") == raw[1:]), None
            )
        try:
            return self._chats.get(int(raw))
        except (TypeError, ValueError):
            return None

    def _chat_key(self, params: JSONDict) -> int | None:
        chat = self._find_chat(params.get("chat_id"))
        return chat.id if chat else None

    def _target_chat(self, params: JSONDict, *, sending: bool) -> _Chat:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        chat = self._find_chat(raw)
        if chat is None:
            raise bad_request("chat not found")
        if sending and chat.id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _format(
        self,
        value: Any,
        parse_mode: Any,
        entities: Any,
        *,
        kind: Literal["text", "caption"],
    ) -> tuple[str, list[JSONDict]]:
        """Parse markup and apply Telegram's trimming and length limits."""
        text = "" if value is None else str(value)
        mode = parse_mode if isinstance(parse_mode, str) else ""
        if parse_mode is not None and not isinstance(parse_mode, str):
            raise bad_request("unsupported parse_mode")
        if entities is not None:
            if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
                raise bad_request(f"can't parse {kind} entities JSON object")
            plain, parsed = text, [dict(e) for e in entities]
        elif mode.lower() == "html":
            plain, parsed = parse_html(text)
        elif mode.lower() in ("", "markdown", "markdownv2"):
            plain, parsed = text, []
        else:
            raise bad_request("unsupported parse_mode")
        plain, parsed = _strip_with_entities(plain, parsed)
        if kind == "text":
            if not plain:
                raise bad_request("message text is empty")
            if utf16_len(plain) > MAX_TEXT_LENGTH:
                raise bad_request("message is too long")
        elif utf16_len(plain) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        return plain, parsed

    def _check_markup(self, markup: Any, *, inline_only: bool = False) -> tuple[str, JSONDict]:
        """Validate reply_markup; returns its kind (inline/keyboard/remove/force_reply/none)."""
        if markup is None:
            return "none", {}
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            return "inline", self._check_inline_keyboard(markup["inline_keyboard"])
        if inline_only:
            raise bad_request("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request(
                    'can\'t parse keyboard button: Field "keyboard" of the '
                    "ReplyKeyboardMarkup must be an Array of Arrays"
                )
            for row in rows:
                for button in row:
                    text = button.get("text") if isinstance(button, dict) else button
                    if not isinstance(text, str) or not text:
                        raise bad_request(
                            'can\'t parse keyboard button: Field "text" must be of type String'
                        )
            return "keyboard", copy.deepcopy(markup)
        if _as_bool(markup.get("remove_keyboard")):
            return "remove", {}
        if _as_bool(markup.get("force_reply")):
            return "force_reply", {}
        raise bad_request("can't parse reply keyboard markup JSON object")

    @staticmethod
    def _check_inline_keyboard(rows: Any) -> JSONDict:
        def fail(detail: str) -> ApiError:
            return bad_request(f"can't parse inline keyboard button: {detail}")

        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise fail(
                'Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        count = 0
        for row in rows:
            for button in row:
                count += 1
                if not isinstance(button, dict):
                    raise fail("InlineKeyboardButton must be an Object")
                if not isinstance(button.get("text"), str) or not button["text"].strip():
                    raise fail('Field "text" must be of type String')
                actions = [key for key in _INLINE_BUTTON_ACTIONS if key in button]
                if not actions:
                    raise fail("Text buttons are unallowed in the inline keyboard")
                if "callback_data" in button:
                    data = button["callback_data"]
                    size = len(data.encode("utf-8")) if isinstance(data, str) else 0
                    if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                        raise bad_request("BUTTON_DATA_INVALID")
                if "url" in button and (
                    not isinstance(button["url"], str) or not button["url"].strip()
                ):
                    raise bad_request("BUTTON_URL_INVALID")
        if count > MAX_INLINE_BUTTONS:
            raise bad_request("reply markup is too long")
        return {"inline_keyboard": copy.deepcopy([row for row in rows if row])}

    @staticmethod
    def _inline_or_none(kind: str, markup: JSONDict) -> JSONDict | None:
        """Telegram only echoes inline keyboards, and drops empty ones."""
        if kind == "inline" and markup["inline_keyboard"]:
            return markup
        return None

    def _reply_target(self, chat: _Chat, params: JSONDict) -> JSONDict | None:
        reply = params.get("reply_parameters")
        if reply is None and params.get("reply_to_message_id") is not None:
            reply = {"message_id": params["reply_to_message_id"]}
        if not isinstance(reply, dict) or reply.get("message_id") is None:
            return None
        target = chat.find(_as_int(reply["message_id"], "message_id"))
        if target is None:
            if _as_bool(reply.get("allow_sending_without_reply")):
                return None
            raise bad_request("message to be replied not found")
        quoted = copy.deepcopy(target)
        quoted.pop("reply_to_message", None)
        return quoted

    def _deliver(self, chat: _Chat, content: JSONDict, params: JSONDict) -> JSONDict:
        """Validate markup/reply, then store the bot's message and return it as Telegram does."""
        kind, markup = self._check_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        message: JSONDict = {
            "message_id": chat.take_message_id(),
            "from": dict(self.bot_user),
            "chat": dict(chat.info),
            "date": self.now(),
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(content)
        inline = self._inline_or_none(kind, markup)
        if inline is not None:
            message["reply_markup"] = inline
        chat.messages.append(message)
        if kind == "keyboard":
            chat.reply_keyboard = markup
        elif kind == "remove":
            chat.reply_keyboard = None
        return copy.deepcopy(message)

    def _editable(self, params: JSONDict) -> tuple[_Chat, JSONDict]:
        if params.get("inline_message_id"):
            raise bad_request("message to edit not found")
        chat = self._target_chat(params, sending=False)
        message = chat.find(_as_int(params.get("message_id"), "message_id"))
        if message is None:
            raise bad_request("message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id:
            raise bad_request("message can't be edited")
        return chat, message

    def _next_file_ids(self, kind: str) -> tuple[str, str]:
        n = next(self._file_counter)
        return f"fake-{kind}-{n:06d}", f"fakeu-{n:06d}"

    def _store_file(self, kind: str, data: bytes | None, extra: JSONDict) -> _StoredFile:
        payload = data if data is not None else f"fake {kind} content".encode()
        file_id, unique_id = self._next_file_ids(kind)
        obj: JSONDict = {"file_id": file_id, "file_unique_id": unique_id, **extra}
        obj["file_size"] = len(payload)
        stored = _StoredFile(
            kind=kind,
            file_id=file_id,
            file_unique_id=unique_id,
            data=payload,
            size=len(payload),
            file_path=f"{kind}s/file_{unique_id}",
            obj=obj,
        )
        self._files[file_id] = stored
        return stored

    def _store_photo(self, data: bytes | None) -> _StoredFile:
        payload = data if data is not None else b"fake photo content"
        sizes: list[JSONDict] = []
        stored: _StoredFile | None = None
        for width, height in _photo_sizes(payload):
            file_id, unique_id = self._next_file_ids("photo")
            sizes.append(
                {
                    "file_id": file_id,
                    "file_unique_id": unique_id,
                    "width": width,
                    "height": height,
                    "file_size": len(payload),
                }
            )
            stored = _StoredFile(
                kind="photo",
                file_id=file_id,
                file_unique_id=unique_id,
                data=payload,
                size=len(payload),
                file_path=f"photos/file_{unique_id}.jpg",
                obj=sizes,
            )
            self._files[file_id] = stored
        assert stored is not None
        return stored

    def _input_file(
        self, params: JSONDict, files: dict[str, UploadedFile], key: str
    ) -> tuple[UploadedFile | None, _StoredFile | None]:
        """Resolve a file parameter: fresh upload, attach:// upload, known file_id, or URL."""
        upload = files.get(key)
        value = params.get(key)
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
            if upload is None:
                raise bad_request(f"file {value} not found in the request")
        if upload is not None:
            if upload.size == 0:
                raise bad_request("file must be non-empty")
            return upload, None
        if not isinstance(value, str) or not value:
            raise bad_request(f"there is no {key} in the request")
        if value.startswith(("http://", "https://")):
            return UploadedFile(key, value.rsplit("/", 1)[-1] or None, None, b"remote"), None
        stored = self._files.get(value)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != key:
            raise bad_request(f"can't use file of type {stored.kind.title()} as {key.title()}")
        return None, stored

    # ---------------------------------------------------------------- method handlers

    async def _true(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        return True

    async def _get_me(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _delete_webhook(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        if _as_bool(params.get("drop_pending_updates")):
            self._confirm(self._next_update_id)
        await self._drop_webhook()
        return True

    async def _set_webhook(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        """Like Telegram, but plain HTTP to loopback is allowed too: tests have no TLS."""
        url = _optional_str(params.get("url")) or ""
        if not url:
            return await self._delete_webhook(params, files)
        parts = urlsplit(url)
        loopback = parts.hostname in ("127.0.0.1", "::1", "localhost")
        if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if not loopback and (parts.port or 443) not in WEBHOOK_PORTS:
            raise bad_request(
                "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )
        secret = _optional_str(params.get("secret_token"))
        if secret is not None and not _SECRET_TOKEN_RE.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        connections = min(
            max(_as_int(params.get("max_connections", 40), "max_connections"), 1), 100
        )
        if _as_bool(params.get("drop_pending_updates")):
            self._confirm(self._next_update_id)
        await self._drop_webhook()
        self._webhook = WebhookSender(
            url,
            secret,
            connections,
            queued=lambda: self._updates,
            answered=self._webhook_answered,
            backoff=lambda: self.webhook_backoff,
        )
        self._notify()  # a long poll in progress now ends with 409, like on Telegram
        self._webhook.pump()
        return True

    async def _drop_webhook(self) -> None:
        webhook, self._webhook = self._webhook, None
        self._webhook_error = None
        if webhook is not None:
            await webhook.close()

    def _webhook_answered(self, delivery: WebhookDelivery, problem: str | None) -> None:
        self.webhook_deliveries.append(delivery)
        if problem is None:
            self.webhook_latencies.append(delivery.seconds)
            self._updates = [u for u in self._updates if u["update_id"] != delivery.update_id]
            self._confirmed_offset = max(self._confirmed_offset, delivery.update_id + 1)
        else:
            self._webhook_error = (self.now(), problem)
        self._notify()

    async def _get_webhook_info(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        info: JSONDict = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        webhook = self._webhook
        if webhook is not None:
            info.update(url=webhook.url, max_connections=webhook.max_connections)
        if self._webhook_error is not None:
            info.update(
                last_error_date=self._webhook_error[0], last_error_message=self._webhook_error[1]
            )
        return info

    @property
    def webhook_url(self) -> str | None:
        """The URL the bot set with setWebhook, while set."""
        return self._webhook.url if self._webhook is not None else None

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self._confirmed_offset = max(self._confirmed_offset, offset)
        elif offset < 0:
            kept = self._updates[offset:]
            if kept and len(kept) < len(self._updates):
                self._confirm(kept[0]["update_id"])

    async def _get_updates(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> list[JSONDict]:
        offset = _as_int(params.get("offset", 0), "offset")
        limit = min(max(_as_int(params.get("limit", 100), "limit"), 1), 100)
        timeout = max(_as_float(params.get("timeout", 0), "timeout"), 0.0)
        if self._webhook is not None:
            raise ApiError(409, WEBHOOK_ACTIVE)  # and the offset confirms nothing
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # an older long poll now ends with 409, like on Telegram
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        parked = False
        try:
            while True:
                if self._webhook is not None:
                    raise ApiError(409, WEBHOOK_ACTIVE)
                if generation != self._poll_generation:
                    raise ApiError(409, GET_UPDATES_CONFLICT)
                remaining = deadline - loop.time()
                if self._updates or self._closing or remaining <= 0:
                    # Queued updates are never changed once queued: shared, not copied.
                    return self._updates[:limit]
                if not parked:
                    parked = True
                    self._parked_polls += 1
                    self._notify()
                event = self._changed  # taken after our own notify, or we would spin
                try:
                    async with asyncio.timeout(remaining):
                        await event.wait()
                except TimeoutError:
                    continue
        finally:
            if parked:
                self._parked_polls -= 1

    def _commands_key(self, params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope")
        if scope is not None:
            if not isinstance(scope, dict) or scope.get("type") not in _COMMAND_SCOPES:
                raise bad_request("can't parse BotCommandScope JSON object")
            if "chat_id" in scope:
                scope = dict(scope)
                chat_id = scope["chat_id"]
                if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
                    scope["chat_id"] = int(chat_id)
        language_code = params.get("language_code") or ""
        if not isinstance(language_code, str):
            raise bad_request("invalid language_code specified")
        return _scope_key(scope), language_code

    async def _set_my_commands(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > MAX_COMMANDS:
            raise bad_request("too many commands")
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name = command.get("command")
            if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params)
        if commands:
            self._commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        else:
            self._commands.pop(key, None)
        return True

    async def _get_my_commands(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> list[JSONDict]:
        return copy.deepcopy(self._commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    async def _send_message(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._target_chat(params, sending=True)
        text, entities = self._format(
            params.get("text"), params.get("parse_mode"), params.get("entities"), kind="text"
        )
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        return self._deliver(chat, content, params)

    def _location(self, params: JSONDict) -> JSONDict:
        location: JSONDict = {
            "latitude": _as_float(params.get("latitude"), "latitude"),
            "longitude": _as_float(params.get("longitude"), "longitude"),
        }
        if not -90 <= location["latitude"] <= 90 or not -180 <= location["longitude"] <= 180:
            raise bad_request("wrong location")
        return location

    async def _send_venue(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._target_chat(params, sending=True)
        location = self._location(params)
        venue: JSONDict = {"location": location}
        for key in ("title", "address"):
            value = params.get(key)
            if not isinstance(value, str) or not value.strip():
                raise bad_request(f"{key} is empty")
            venue[key] = value
        for key in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
            if params.get(key):
                venue[key] = params[key]
        return self._deliver(chat, {"venue": venue, "location": dict(location)}, params)

    async def _send_location(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._target_chat(params, sending=True)
        location = self._location(params)
        for key in ("horizontal_accuracy", "live_period", "heading", "proximity_alert_radius"):
            if params.get(key) is not None:
                location[key] = params[key]
        return self._deliver(chat, {"location": location}, params)

    async def _send_contact(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._target_chat(params, sending=True)
        contact: JSONDict = {}
        for key in ("phone_number", "first_name"):
            value = params.get(key)
            if not isinstance(value, str) or not value.strip():
                raise bad_request(f"{key} is empty")
            contact[key] = value
        for key in ("last_name", "vcard"):
            if params.get(key):
                contact[key] = params[key]
        return self._deliver(chat, {"contact": contact}, params)

    def _caption(self, params: JSONDict) -> JSONDict:
        caption, entities = self._format(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            kind="caption",
        )
        content: JSONDict = {}
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        return content

    async def _send_photo(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._target_chat(params, sending=True)
        upload, stored = self._input_file(params, files, "photo")
        caption = self._caption(params)
        if stored is not None:
            photo = copy.deepcopy(stored.obj)
        else:
            assert upload is not None
            photo = self.make_photo(upload.data)
        return self._deliver(chat, {"photo": photo, **caption}, params)

    async def _send_video(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._target_chat(params, sending=True)
        upload, stored = self._input_file(params, files, "video")
        caption = self._caption(params)
        if stored is not None:
            video = copy.deepcopy(stored.obj)
        else:
            assert upload is not None
            video = self.make_video(upload.data)
        return self._deliver(chat, {"video": video, **caption}, params)

    async def _send_media_group(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> list[JSONDict]:
        """An album: every item is checked before any is sent, then one message per item."""
        chat = self._target_chat(params, sending=True)
        media = params.get("media")
        if not isinstance(media, list) or not all(isinstance(item, dict) for item in media):
            raise bad_request("can't parse media JSON object")
        if not MIN_ALBUM <= len(media) <= MAX_ALBUM:
            raise bad_request(f"media must include {MIN_ALBUM}-{MAX_ALBUM} items")
        kinds = {item.get("type") for item in media}
        if not kinds <= _ALBUM_TYPES:
            raise bad_request("invalid media type in the album")
        for alone in ("document", "audio"):
            if alone in kinds and len(kinds) > 1:
                raise bad_request(f"{alone} can't be mixed with other media types")
        contents = [self._album_item(item, files) for item in media]
        single = {key: value for key, value in params.items() if key != "reply_markup"}
        group = self.new_media_group_id()
        return [
            self._deliver(chat, {"media_group_id": group, **content}, single)
            for content in contents
        ]

    def _album_item(self, item: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        """One InputMedia of an album as the message content it becomes."""
        kind = str(item["type"])
        source = item.get("media")
        uploads = files if isinstance(source, str) and source.startswith("attach://") else {}
        upload, stored = self._input_file({kind: source}, uploads, kind)
        caption = self._caption(
            {
                "caption": item.get("caption"),
                "parse_mode": item.get("parse_mode"),
                "caption_entities": item.get("caption_entities"),
            }
        )
        if stored is not None:
            body = copy.deepcopy(stored.obj)
        else:
            assert upload is not None
            body = (
                self.make_photo(upload.data)
                if kind == "photo"
                else self.make_file(kind, upload.data)
            )
        return {kind: body, **caption}

    async def _send_document(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._target_chat(params, sending=True)
        upload, stored = self._input_file(params, files, "document")
        caption = self._caption(params)
        if stored is not None:
            document = copy.deepcopy(stored.obj)
        else:
            assert upload is not None
            file_name = upload.filename or "document"
            mime_type = (
                upload.content_type
                or mimetypes.guess_type(file_name)[0]
                or "application/octet-stream"
            )
            document = self.make_file(
                "document", upload.data, file_name=file_name, mime_type=mime_type
            )
        return self._deliver(chat, {"document": document, **caption}, params)

    async def _send_chat_action(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        self._target_chat(params, sending=True)
        if params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _finish_edit(self, message: JSONDict, changes: JSONDict, markup: JSONDict | None) -> Any:
        current = {key: message.get(key) for key in changes}
        if current == changes and message.get("reply_markup") == markup:
            raise bad_request(NOT_MODIFIED)
        for key, value in changes.items():
            if value in (None, [], ""):
                message.pop(key, None)
            else:
                message[key] = value
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        message["edit_date"] = self.now()
        return copy.deepcopy(message)

    def _edit_markup(self, params: JSONDict) -> JSONDict | None:
        kind, markup = self._check_markup(params.get("reply_markup"), inline_only=True)
        return self._inline_or_none(kind, markup)

    async def _edit_message_text(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> JSONDict:
        _, message = self._editable(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._format(
            params.get("text"), params.get("parse_mode"), params.get("entities"), kind="text"
        )
        markup = self._edit_markup(params)
        return cast(
            JSONDict,
            self._finish_edit(message, {"text": text, "entities": entities or None}, markup),
        )

    async def _edit_message_caption(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> JSONDict:
        _, message = self._editable(params)
        if not any(key in message for key in _MEDIA_KEYS):
            raise bad_request("there is no caption in the message to edit")
        caption = self._caption(params)
        markup = self._edit_markup(params)
        changes = {
            "caption": caption.get("caption"),
            "caption_entities": caption.get("caption_entities"),
        }
        return cast(JSONDict, self._finish_edit(message, changes, markup))

    async def _edit_message_reply_markup(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> JSONDict:
        _, message = self._editable(params)
        markup = self._edit_markup(params)
        return cast(JSONDict, self._finish_edit(message, {}, markup))

    async def _delete_message(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        chat = self._target_chat(params, sending=False)
        message = chat.find(_as_int(params.get("message_id"), "message_id"))
        if message is None:
            raise bad_request("message to delete not found")
        chat.messages.remove(message)
        return True

    async def _answer_callback_query(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        query = self._queries.get(query_id)
        if query is None or query.answered:
            raise bad_request(QUERY_TOO_OLD)
        text = _optional_str(params.get("text"))
        if text is not None and utf16_len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        self._answers.append(
            CallbackAnswer(
                query_id=query_id,
                user_id=query.user_id,
                chat_id=query.chat_id,
                data=query.data,
                text=text,
                show_alert=_as_bool(params.get("show_alert")),
                url=_optional_str(params.get("url")),
            )
        )
        return True

    async def _set_chat_menu_button(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise bad_request("can't parse menu button JSON object")
        if params.get("chat_id") is None:
            self._default_menu_button = copy.deepcopy(button)
        else:
            self._target_chat(params, sending=False).menu_button = copy.deepcopy(button)
        return True

    async def _get_chat_menu_button(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> JSONDict:
        if params.get("chat_id") is None:
            button = self._default_menu_button
        else:
            button = self._target_chat(params, sending=False).menu_button
        return copy.deepcopy(button) if button else {"type": "commands"}

    async def _get_chat(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._target_chat(params, sending=False)
        return {
            **chat.info,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    async def _get_file(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }
