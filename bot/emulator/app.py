"""The emulator: the real bot, the fake Bot API and a web chat page, all in one process.

`running_emulator()` starts the fake Bot API on a free loopback port, runs the real bot
(`bot.app.running_bot`) against it with a `ShiftableClock` and a fresh demo database,
optionally seeds a few weeks of history (`bot.emulator.seed`), and serves the page
(`page.html`) and the JSON API below on 127.0.0.1. It never listens beyond loopback.

JSON API (all under /api/, bodies and answers are JSON; errors are `{"error": "..."}` with
a 4xx status). A POST must come from the emulator's own page, as the browser says: an
`Origin` equal to the page's (or, without one, `Sec-Fetch-Site: same-origin`), else 403;
and be `Content-Type: application/json`, else 415. Actions that send something to the bot
accept `"wait": true` to answer only once the bot has finished handling it (everything it
replied is then in the chat).

    GET  /api/personas
         -> {"personas": [Persona...], "workshops": [{"code", "name", "city"}],
             "cities": [{"name", "latitude", "longitude"}], "timezone": "Europe/Moscow"}
         Persona: {"id", "kind": "customer"|"staff"|"head_office", "name", "first_name",
                   "last_name", "language", "phone", "workshop", "workshop_name", "seeded",
                   "label"}
    POST /api/personas  {"kind": "customer", "language": "en"|"ru", "first_name"?, "last_name"?}
                        {"kind": "staff", "workshop": "MSK-NORTH"}
         -> Persona (201). A staff persona is made staff the way head office does it: the
            head-office persona sends `/addstaff <id> <WORKSHOP>` to the bot.
    GET  /api/chats/{id}
         -> {"persona", "seq", "messages": [Message...], "reply_keyboard", "commands"}
    GET  /api/chats/{id}/events?after=N&timeout=25
         Long poll: answers as soon as something happened after event N (or after `timeout`
         seconds, at most 60, with no events).
         -> {"seq", "events": [Event...], "commands"}, or {"reset": true, "seq"} when N is
            from another run (reload the chat then).
         Event: {"seq", "type": "message", "message": Message}    new or changed (edited)
                {"seq", "type": "deleted", "message_id"}
                {"seq", "type": "reply_keyboard", "reply_keyboard": ReplyKeyboard|null}
                {"seq", "type": "toast", "text", "show_alert"}      a button's answer
    POST /api/chats/{id}/text          {"text": "/start", "reply_to"?, "wait"?}
         `reply_to`: the message_id of a message in this chat, for Telegram's reply to it.
    POST /api/chats/{id}/photo         {"data": base64, "caption"?, "reply_to"?, "wait"?}
                                       {"sample": true, "caption"?, "reply_to"?, "wait"?}
         A photo (PNG, JPEG, GIF or WebP, at most 10 MB), or a sample picture; the fake Bot
         API gives it a file_id and sizes of its real shape, as Telegram does.
    POST /api/chats/{id}/location      {"latitude", "longitude"} or {"city": "Moscow"}
    POST /api/chats/{id}/contact       {}  (the persona shares their own contact)
    POST /api/chats/{id}/press         {"message_id", "callback_data"}  (inline button)
    POST /api/chats/{id}/reply_button  {"text", "latitude"?, "longitude"?, "city"?}
         A reply-keyboard button: sends its text, or the persona's contact, or the given
         location for a request_location button.
         -> {"update_id", "message_id"?}
    GET  /api/time       -> Time
    POST /api/time/skip  {"hours": 1} | {"days": 1} | {"minutes": 30}
         Moves the bot's clock forward, then does what a bot started again after being down
         that long does, and waits for it: sends what fell due meanwhile and is still worth
         sending, by the rules of `bot/reminders.py` (a reminder before a visit that has
         passed is dropped; the workshop's no-show check and a rating request still go;
         customers' messages wait out quiet hours), and starts due broadcasts.
         -> Time: {"now": ISO-8601 UTC, "unix", "offset_seconds", "timezone", "local"}
    GET  /api/files/{file_id}?name=x.csv
         The bytes of a photo or document the bot sent (charts, QR codes, CSV exports).

Message: {"message_id", "from_bot", "date", "edited", "html"? (text or caption rebuilt from
Telegram entities, safe to insert), "inline_keyboard"? [[{"text", "callback_data"|"url"}]],
"venue"? {"title", "address", "latitude", "longitude", "map_url"}, "location"?
{"latitude", "longitude", "map_url"}, "contact"? {"name", "phone_number"}, "photo"? {"url",
"width", "height"}, "document"? {"url", "file_name", "mime_type", "size"}, "reply_to"?
{"message_id", "preview"}, "other"? ("sticker", "voice", ...)}.
ReplyKeyboard: {"rows": [[{"text", "request_location", "request_contact"}]], "placeholder"}.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import mimetypes
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from PIL import Image, ImageDraw

from bot.app import running_bot
from bot.clock import ShiftableClock
from bot.config import DATA_DIR, Settings
from bot.emulator.feeds import ChatFeed
from bot.emulator.personas import HEAD_OFFICE_ID, Persona, Personas
from bot.emulator.seed import SeedResult, seed_demo_data
from bot.fake_telegram import FakeBotApi
from bot.handlers.delivery import tick
from bot.i18n import Lang, pick
from bot.message_length import MAX_CAPTION, MAX_TEXT, utf16_len
from bot.roles import Role
from bot.storage.database import Database

log = logging.getLogger(__name__)

TOKEN = "7000000001:EMULATOR-NOT-A-REAL-TOKEN"
BOT_USERNAME = "repair_network_emulator_bot"
DEFAULT_PORT = 8080
DEFAULT_DB = Path("data/emulator.sqlite3")
LOOPBACK_HOSTS = {"127.0.0.1": "127.0.0.1", "localhost": "127.0.0.1", "::1": "::1"}
PAGE = Path(__file__).with_name("page.html")
LONG_POLL_DEFAULT = 25.0
LONG_POLL_MAX = 60.0
SETTLE_TIMEOUT = 20.0
MAX_SKIP = timedelta(days=31)
MAX_PHOTO = 10 * 2**20
"""Telegram's limit for a photo."""
MAX_BODY = MAX_PHOTO * 4 // 3 + 2**16
"""A photo in base64 and the rest of the request."""
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_DOWNLOADABLE = {"text/csv", "text/plain", "application/pdf", "application/json"}


def loopback_host(host: str) -> str:
    """The address to bind for `host`; anything but loopback is refused."""
    bind = LOOPBACK_HOSTS.get(host.strip().lower().strip("[]"))
    if bind is None:
        raise ValueError(
            f"the emulator only listens on loopback (127.0.0.1, ::1 or localhost), not {host!r}"
        )
    return bind


def _error(status: int, message: str) -> web.HTTPException:
    classes: dict[int, type[web.HTTPException]] = {
        400: web.HTTPBadRequest,
        403: web.HTTPForbidden,
        404: web.HTTPNotFound,
        409: web.HTTPConflict,
        415: web.HTTPUnsupportedMediaType,
        500: web.HTTPInternalServerError,
    }
    return classes[status](
        text=json.dumps({"error": message}, ensure_ascii=False), content_type="application/json"
    )


def _same_origin(request: web.Request) -> bool:
    """The request comes from a page this server served, as the browser tells: by `Origin`,
    or where a browser leaves that out, by `Sec-Fetch-Site`."""
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin == f"http://{request.host}"
    return request.headers.get("Sec-Fetch-Site") == "same-origin"


def _sniff_image(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


@dataclass
class Emulator:
    """A running emulator: the page's address, the fake Bot API, the bot and its clock."""

    api: FakeBotApi
    clock: ShiftableClock
    settings: Settings
    application: Any  # telegram.ext.Application; this package does not import telegram
    personas: Personas
    seed: SeedResult | None = None
    host: str = "127.0.0.1"
    port: int = 0
    _feeds: dict[int, ChatFeed] = field(default_factory=dict)
    _closing: asyncio.Event = field(default_factory=asyncio.Event)
    _skip_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _staff_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _runner: web.AppRunner | None = None
    _last_update_id: int = 0

    @property
    def url(self) -> str:
        """The chat page."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    @property
    def head_office(self) -> Persona:
        persona = self.personas.get(HEAD_OFFICE_ID)
        assert persona is not None
        return persona

    # ------------------------------------------------------------------ the bot

    @property
    def services(self) -> Any:
        return self.application.bot_data["services"]

    def _idle(self, update_id: int) -> bool:
        app = self.application
        intake = app.bot_data["intake"]
        return (
            (update_id == 0 or intake.last_received >= update_id)
            and intake.backlog == 0
            and app.update_queue.empty()
            and app.update_processor.current_concurrent_updates == 0
        )

    async def settle(self, timeout: float = SETTLE_TIMEOUT) -> None:  # noqa: ASYNC109
        """Wait until the bot has handled every update sent so far."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        target = self._last_update_id
        while not self._idle(target):
            if loop.time() > deadline:
                raise TimeoutError(f"the bot has not handled update {target} in {timeout}s")
            await asyncio.sleep(0.005)

    def _sent(self, update_id: int) -> int:
        self._last_update_id = max(self._last_update_id, update_id)
        return update_id

    async def skip(self, delta: timedelta) -> None:
        """Move the clock on and deliver what fell due meanwhile by the rules of a late start
        (one tick after the jump, like a restart's), not step by step through the gap."""
        async with self._skip_lock:
            self.clock.skip(delta)
            await tick(self.application)
            await self.settle()

    def time_info(self) -> dict[str, Any]:
        now = self.clock.now()
        local = now.astimezone(self.settings.zone)
        return {
            "now": now.isoformat(),
            "unix": now.timestamp(),
            "offset_seconds": self.clock.offset.total_seconds(),
            "timezone": self.settings.timezone,
            "local": f"{local:%a %d.%m.%Y %H:%M}",
        }

    # ------------------------------------------------------------------ personas

    def persona(self, user_id: int) -> Persona:
        found = self.personas.get(user_id)
        if found is None:
            raise _error(404, f"no persona {user_id}")
        return found

    def feed(self, user_id: int) -> ChatFeed:
        feed = self._feeds.get(user_id)
        if feed is None:
            feed = self._feeds[user_id] = ChatFeed(self.api, user_id)
        return feed

    def new_customer(
        self, language: str, first_name: str | None = None, last_name: str | None = None
    ) -> Persona:
        if language not in (Lang.EN.value, Lang.RU.value):
            raise _error(400, "language must be 'en' or 'ru'")
        if first_name:
            first, last = first_name[:64], last_name[:64] if last_name else None
        else:
            first, last = self.personas.new_customer_name(language)
        return self.personas.add(self.personas.new_id(), "customer", first, last, language)

    async def new_staff(self, workshop: str) -> Persona:
        """A new person, made staff of `workshop` by head office through the bot."""
        network = self.services.network
        code = workshop.strip().upper()
        found = network.get(code)
        if found is None:
            raise _error(
                400, f"unknown workshop {workshop!r}; one of {', '.join(network.workshops)}"
            )
        async with self._staff_lock:
            first, last = self.personas.new_staff_name()
            persona = self.personas.add(
                self.personas.new_id(),
                "staff",
                first,
                last,
                "en",
                workshop=code,
                workshop_name=found.title(Lang.EN),
            )
            self._sent(self.head_office.user.send_command("addstaff", f"{persona.id} {code}"))
            await self.settle()
        who = await self.services.access.who(persona.id)
        if who.role is not Role.STAFF or who.workshop_code != code:
            raise _error(500, "head office could not add the staff member; see its chat")
        return persona

    def commands(self, persona: Persona) -> list[dict[str, str]]:
        """The command menu Telegram would show this persona."""
        chat_scope = {"type": "chat", "chat_id": persona.id}
        language = "" if persona.language == Lang.EN.value else persona.language
        for scope, code in (
            (chat_scope, language),
            (chat_scope, ""),
            (None, language),
            (None, ""),
        ):
            found = self.api.commands(scope, code)
            if found:
                return found
        return []

    def cities(self) -> list[dict[str, Any]]:
        """The cities of the network, each at the middle of its workshops."""
        points: dict[str, list[tuple[float, float]]] = {}
        for workshop in self.services.network.workshops.values():
            points.setdefault(pick(workshop.city, Lang.EN), []).append((workshop.lat, workshop.lon))
        return [
            {
                "name": name,
                "latitude": round(sum(p[0] for p in where) / len(where), 4),
                "longitude": round(sum(p[1] for p in where) / len(where), 4),
            }
            for name, where in points.items()
        ]

    # ------------------------------------------------------------------ the web side

    async def start_web(self, sock: socket.socket) -> None:
        """Serve the page and the API on `sock`, already bound and listening."""
        app = web.Application(middlewares=[self._guard], client_max_size=MAX_BODY)
        routes = [
            web.get("/", self._page),
            web.get("/api/personas", self._get_personas),
            web.post("/api/personas", self._post_persona),
            web.get("/api/chats/{id}", self._get_chat),
            web.get("/api/chats/{id}/events", self._get_events),
            web.post("/api/chats/{id}/text", self._post_text),
            web.post("/api/chats/{id}/location", self._post_location),
            web.post("/api/chats/{id}/contact", self._post_contact),
            web.post("/api/chats/{id}/photo", self._post_photo),
            web.post("/api/chats/{id}/press", self._post_press),
            web.post("/api/chats/{id}/reply_button", self._post_reply_button),
            web.get("/api/time", self._get_time),
            web.post("/api/time/skip", self._post_skip),
            web.get("/api/files/{file_id}", self._get_file),
        ]
        app.add_routes(routes)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.SockSite(runner, sock)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        self.host, self.port = sock.getsockname()[:2]

    async def stop_web(self) -> None:
        self._closing.set()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Only pages of this emulator may use it: a foreign Host header (DNS rebinding
        from some web site) is refused, and so is any change asked for by another origin.

        A web site open in the same browser can post a form or a `text/plain` fetch here
        without asking first; it cannot set `application/json` without a CORS preflight,
        which this server never grants, and the browser names its origin.
        """
        names = ("127.0.0.1", "localhost", "[::1]")
        allowed = {f"{name}:{self.port}" for name in names}
        if self.port == 80:
            allowed.update(names)  # browsers leave the default port out
        if request.host not in allowed:
            raise _error(403, "this emulator answers only on its loopback address")
        if request.method not in ("GET", "HEAD"):
            if not _same_origin(request):
                raise _error(403, "only the emulator's own page may change anything")
            if request.content_type != "application/json":
                raise _error(415, "send the body as application/json")
        return await handler(request)

    async def _page(self, request: web.Request) -> web.StreamResponse:
        return web.Response(
            body=PAGE.read_bytes(),
            content_type="text/html",
            charset="utf-8",
            headers={"Cache-Control": "no-store"},
        )

    async def _body(self, request: web.Request) -> dict[str, Any]:
        if not request.body_exists:
            return {}
        try:
            body = await request.json()
        except ValueError:
            raise _error(400, "the body is not JSON") from None
        if not isinstance(body, dict):
            raise _error(400, "the body must be a JSON object")
        return body

    def _chat_persona(self, request: web.Request) -> Persona:
        raw = request.match_info["id"]
        if not raw.isdigit():
            raise _error(404, f"no persona {raw}")
        return self.persona(int(raw))

    async def _answer_action(
        self, body: dict[str, Any], update_id: int, persona: Persona
    ) -> web.Response:
        answer: dict[str, Any] = {"update_id": self._sent(update_id)}
        history = self.api.history(persona.id)
        if history and history[-1].get("from", {}).get("id") == persona.id:
            answer["message_id"] = history[-1]["message_id"]
        if body.get("wait"):
            await self.settle()
        return web.json_response(answer)

    async def _get_personas(self, request: web.Request) -> web.Response:
        network = self.services.network
        return web.json_response(
            {
                "personas": [p.to_json() for p in self.personas.all()],
                "workshops": [
                    {"code": code, "name": w.title(Lang.EN), "city": pick(w.city, Lang.EN)}
                    for code, w in network.workshops.items()
                ],
                "cities": self.cities(),
                "timezone": self.settings.timezone,
            }
        )

    async def _post_persona(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        kind = body.get("kind")
        if kind == "customer":
            first = body.get("first_name")
            last = body.get("last_name")
            persona = self.new_customer(
                str(body.get("language", "en")),
                str(first) if first else None,
                str(last) if last else None,
            )
        elif kind == "staff":
            persona = await self.new_staff(str(body.get("workshop", "")))
        else:
            raise _error(400, "kind must be 'customer' or 'staff'")
        return web.json_response(persona.to_json(), status=201)

    async def _get_chat(self, request: web.Request) -> web.Response:
        persona = self._chat_persona(request)
        return web.json_response(
            {
                "persona": persona.to_json(),
                **self.feed(persona.id).snapshot(),
                "commands": self.commands(persona),
            }
        )

    async def _get_events(self, request: web.Request) -> web.Response:
        persona = self._chat_persona(request)
        try:
            after = int(request.query.get("after", "0"))
            timeout = float(request.query.get("timeout", LONG_POLL_DEFAULT))
        except ValueError:
            raise _error(400, "after must be an integer and timeout a number") from None
        timeout = min(max(timeout, 0.0), LONG_POLL_MAX)
        feed = self.feed(persona.id)
        if feed.sync() < after:
            return web.json_response({"reset": True, "seq": feed.seq})
        if feed.seq == after and timeout > 0:
            await self._wait(lambda: feed.sync() > after, timeout)
        return web.json_response(
            {
                "seq": feed.seq,
                "events": feed.events_after(after),
                "commands": self.commands(persona),
            }
        )

    async def _wait(self, predicate: Callable[[], bool], timeout: float) -> None:  # noqa: ASYNC109
        """Until `predicate()` holds after some change, `timeout` passes, or we shut down."""
        if self._closing.is_set():
            return
        waiter = asyncio.ensure_future(self.api.wait_for(predicate, timeout))
        closing = asyncio.ensure_future(self._closing.wait())
        try:
            await asyncio.wait({waiter, closing}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (waiter, closing):
                task.cancel()
            await asyncio.gather(waiter, closing, return_exceptions=True)

    async def _post_text(self, request: web.Request) -> web.Response:
        persona = self._chat_persona(request)
        body = await self._body(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _error(400, "text must be a non-empty string")
        if utf16_len(text) > MAX_TEXT:
            raise _error(400, f"text is longer than {MAX_TEXT} characters, as Telegram counts")
        reply_to = self._reply_to(body)
        try:
            update_id = persona.user.send_text(text, reply_to=reply_to)
        except AssertionError as error:
            raise _error(404, str(error)) from None
        return await self._answer_action(body, update_id, persona)

    def _reply_to(self, body: dict[str, Any]) -> int | None:
        raw = body.get("reply_to")
        if raw is None:
            return None
        if not isinstance(raw, int) or isinstance(raw, bool) or raw <= 0:
            raise _error(400, "reply_to must be the message_id of a message in this chat")
        return raw

    async def _post_photo(self, request: web.Request) -> web.Response:
        persona = self._chat_persona(request)
        body = await self._body(request)
        if body.get("sample"):
            data = sample_photo()
        else:
            try:
                data = base64.b64decode(str(body.get("data", "")), validate=True)
            except ValueError:
                raise _error(400, "data must be the picture's bytes in base64") from None
            if _sniff_image(data) is None:
                raise _error(400, "data is not a PNG, JPEG, GIF or WebP picture")
            if len(data) > MAX_PHOTO:
                raise _error(400, f"a photo may be at most {MAX_PHOTO // 2**20} MB")
        caption = body.get("caption")
        if caption is not None and not isinstance(caption, str):
            raise _error(400, "caption must be a string")
        if caption and utf16_len(caption) > MAX_CAPTION:
            raise _error(400, f"a caption may be at most {MAX_CAPTION} characters")
        try:
            update_id = persona.user.send_photo(
                caption or None, data, reply_to=self._reply_to(body)
            )
        except AssertionError as error:
            raise _error(404, str(error)) from None
        return await self._answer_action(body, update_id, persona)

    def _point(self, body: dict[str, Any]) -> tuple[float, float]:
        city = body.get("city")
        if city:
            for known in self.cities():
                if known["name"].lower() == str(city).strip().lower():
                    return known["latitude"], known["longitude"]
            raise _error(400, f"unknown city {city!r}")
        try:
            lat, lon = float(body["latitude"]), float(body["longitude"])
        except (KeyError, TypeError, ValueError):
            raise _error(400, "give latitude and longitude (numbers) or a city") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise _error(400, "latitude must be within ±90 and longitude within ±180")
        return lat, lon

    async def _post_location(self, request: web.Request) -> web.Response:
        persona = self._chat_persona(request)
        body = await self._body(request)
        lat, lon = self._point(body)
        return await self._answer_action(body, persona.user.send_location(lat, lon), persona)

    async def _post_contact(self, request: web.Request) -> web.Response:
        persona = self._chat_persona(request)
        body = await self._body(request)
        return await self._answer_action(body, persona.user.send_contact(persona.phone), persona)

    async def _post_press(self, request: web.Request) -> web.Response:
        persona = self._chat_persona(request)
        body = await self._body(request)
        try:
            message_id = int(body["message_id"])
            data = str(body["callback_data"])
        except (KeyError, TypeError, ValueError):
            raise _error(400, "give message_id and callback_data") from None
        try:
            update_id = persona.user.press_data(message_id, data)
        except AssertionError as error:
            raise _error(404, str(error)) from None
        return await self._answer_action(body, update_id, persona)

    async def _post_reply_button(self, request: web.Request) -> web.Response:
        persona = self._chat_persona(request)
        body = await self._body(request)
        text = body.get("text")
        if not isinstance(text, str) or not text:
            raise _error(400, "text must name a button of the reply keyboard")
        button = next((b for b in persona.user.reply_buttons() if b.get("text") == text), None)
        if button is None:
            raise _error(404, f"no reply button {text!r} in this chat")
        if button.get("request_contact"):
            update_id = persona.user.send_contact(persona.phone)
        elif button.get("request_location"):
            update_id = persona.user.send_location(*self._point(body))
        else:
            update_id = persona.user.send_text(text)
        return await self._answer_action(body, update_id, persona)

    async def _get_time(self, request: web.Request) -> web.Response:
        return web.json_response(self.time_info())

    async def _post_skip(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        try:
            delta = timedelta(
                days=float(body.get("days", 0)),
                hours=float(body.get("hours", 0)),
                minutes=float(body.get("minutes", 0)),
            )
        except (TypeError, ValueError):
            raise _error(400, "days, hours and minutes must be numbers") from None
        if not timedelta(0) < delta <= MAX_SKIP:
            raise _error(400, "skip forward by more than nothing and at most 31 days")
        await self.skip(delta)
        return web.json_response(self.time_info())

    async def _get_file(self, request: web.Request) -> web.StreamResponse:
        data = self.api.file_data(request.match_info["file_id"])
        if data is None:
            raise _error(404, "no such file")
        name = _SAFE_NAME.sub("_", request.query.get("name", ""))[:100].strip("._")
        headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"}
        image = _sniff_image(data)
        if image is not None and not name:
            return web.Response(body=data, content_type=image, headers=headers)
        guessed = mimetypes.guess_type(name)[0] if name else None
        content_type = guessed if guessed in _DOWNLOADABLE else "application/octet-stream"
        headers["Content-Disposition"] = f'attachment; filename="{name or "file"}"'
        return web.Response(body=data, content_type=content_type, headers=headers)


def _listen(host: str, port: int) -> socket.socket:
    """Take the page's port first: a second emulator started on a busy port must fail here,
    before it wipes the database the running one is using."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def sample_photo() -> bytes:
    """A 4:3 picture for trying photos without one at hand: a washing machine, roughly."""
    image = Image.new("RGB", (640, 480), "#d9e4ea")
    draw = ImageDraw.Draw(image)
    frame = {"outline": "#8797a3", "width": 4}
    draw.rounded_rectangle((200, 60, 440, 420), radius=18, fill="#f7f9fa", **frame)
    draw.rectangle((200, 60, 440, 120), fill="#c9d4db", **frame)
    draw.ellipse((240, 170, 400, 330), fill="#5b7f95", outline="#2f4a5a", width=8)
    draw.text((20, 440), "Sample photo - emulator", fill="#2f4a5a")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


@asynccontextmanager
async def running_emulator(
    port: int = DEFAULT_PORT,
    demo_data: bool = False,
    db_path: Path = DEFAULT_DB,
    host: str = "127.0.0.1",
    quiet_hours: str | None = None,
) -> AsyncIterator[Emulator]:
    """Start everything, yield the running emulator, and stop it all in reverse order.

    The port is taken first, so a busy one fails before anything else; then the database at
    `db_path` is deleted and created fresh. `quiet_hours` overrides the setting ("" switches
    quiet hours off, handy when trying notifications in the evening).
    """
    bind = loopback_host(host)
    if not 0 <= port <= 65535:
        raise ValueError(f"port {port} is out of range")
    sock = _listen(bind, port)
    try:
        async with _emulator_on(sock, demo_data, db_path, quiet_hours) as emulator:
            yield emulator
    finally:
        sock.close()


@asynccontextmanager
async def _emulator_on(
    sock: socket.socket, demo_data: bool, db_path: Path, quiet_hours: str | None
) -> AsyncIterator[Emulator]:
    """Everything behind the page, once its port is ours: the database, the fake Bot API,
    the bot."""
    _remove_database(db_path)
    # Created anew here, as wanted, so the bot does not warn of an empty database.
    await (await Database.open(db_path, fresh=True)).close()
    clock = ShiftableClock()
    api = FakeBotApi(
        token=TOKEN,
        bot_username=BOT_USERNAME,
        bot_first_name="Repair Network",
        clock=lambda: clock.now().timestamp(),
    )
    await api.start()
    try:
        overrides: dict[str, Any] = {} if quiet_hours is None else {"quiet_hours": quiet_hours}
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            bot_token=TOKEN,
            telegram_api_url=api.base_url,
            database_path=db_path,
            health_listen="127.0.0.1:0",
            # The local fake is polled, whatever webhook a production environment names.
            webhook_url="",
            workshops_file=DATA_DIR / "workshops.yaml",
            troubleshooting_file=DATA_DIR / "troubleshooting.yaml",
            head_office_ids=frozenset({HEAD_OFFICE_ID}),
            # One developer plays several people here, and scripts drive it at machine
            # speed: flood control would only get in the way (tests/flows/test_flood.py).
            flood_burst=0,
            **overrides,
        )
        personas = Personas(api)
        personas.add(HEAD_OFFICE_ID, "head_office", "Helen", "Carter", "en")
        seeded = None
        if demo_data:
            seeded = await seed_demo_data(settings, clock.now(), HEAD_OFFICE_ID)
            for person in seeded.customers:
                personas.add(
                    person.user_id,
                    "customer",
                    person.first_name,
                    person.last_name,
                    person.language,
                    seeded=True,
                )
            for person in seeded.staff:
                personas.add(
                    person.user_id,
                    "staff",
                    person.first_name,
                    person.last_name,
                    person.language,
                    workshop=person.workshop,
                    workshop_name=person.workshop_name,
                    seeded=True,
                )
            log.info("Demo data: %s", seeded.summary())
        async with running_bot(settings, clock) as application:
            emulator = Emulator(api, clock, settings, application, personas, seeded)
            await emulator.start_web(sock)
            try:
                yield emulator
            finally:
                await emulator.stop_web()
    finally:
        await api.stop()
