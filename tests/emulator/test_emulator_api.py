"""The emulator's JSON API, driven the way the page drives it: personas, chats, buttons, time."""

from __future__ import annotations

import asyncio
import base64
import io
import re
import signal
import sqlite3
import sys
from contextlib import closing
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from PIL import Image

from bot.emulator.app import Emulator, loopback_host, running_emulator
from bot.emulator.cli import parse_args
from bot.emulator.personas import HEAD_OFFICE_ID
from bot.emulator.render import entities_to_html, render_message
from bot.fake_telegram import parse_html

CODE = re.compile(r"SR-[0-9A-Z]{6}")
ROOT = Path(__file__).resolve().parents[2]
JSON = dict[str, Any]


class Chat:
    """One persona's chat through the API; every action waits until the bot has answered."""

    def __init__(self, http: aiohttp.ClientSession, persona: JSON) -> None:
        self.http = http
        self.persona = persona
        self.id = int(persona["id"])

    async def act(self, kind: str, body: JSON | None = None) -> JSON:
        async with self.http.post(
            f"/api/chats/{self.id}/{kind}", json={**(body or {}), "wait": True}
        ) as response:
            assert response.status == 200, await response.text()
            answer: JSON = await response.json()
            return answer

    async def say(self, text: str) -> JSON:
        return await self.act("text", {"text": text})

    async def snapshot(self) -> JSON:
        async with self.http.get(f"/api/chats/{self.id}") as response:
            assert response.status == 200, await response.text()
            chat: JSON = await response.json()
            return chat

    async def bot_messages(self) -> list[JSON]:
        return [m for m in (await self.snapshot())["messages"] if m["from_bot"]]

    async def last_text(self) -> str:
        texts = [m["html"] for m in await self.bot_messages() if "html" in m]
        return texts[-1]

    async def press(self, label: str) -> JSON:
        """Tap the newest inline button whose text contains `label`."""
        for message in reversed(await self.bot_messages()):
            for row in message.get("inline_keyboard", []):
                for button in row:
                    if label in button["text"] and "callback_data" in button:
                        return await self.act(
                            "press",
                            {
                                "message_id": message["message_id"],
                                "callback_data": button["callback_data"],
                            },
                        )
        raise AssertionError(f"no inline button {label!r}")

    async def press_first_of(self, heading: str) -> JSON:
        """Tap the first button under the newest message that contains `heading`."""
        for message in reversed(await self.bot_messages()):
            if heading in message.get("html", "") and message.get("inline_keyboard"):
                button = message["inline_keyboard"][0][0]
                return await self.act(
                    "press",
                    {"message_id": message["message_id"], "callback_data": button["callback_data"]},
                )
        raise AssertionError(f"no message with buttons containing {heading!r}")


async def new_persona(http: aiohttp.ClientSession, **body: Any) -> JSON:
    async with http.post("/api/personas", json=body) as response:
        assert response.status == 201, await response.text()
        persona: JSON = await response.json()
        return persona


async def book_washer_in_moscow(chat: Chat) -> str:
    """The whole fault report, from /start to the booking; returns the ticket code."""
    await chat.say("/start")
    await chat.press("Report a fault")
    await chat.press("Washing machine")
    await chat.press("Won't drain")
    await chat.press("Still broken")
    await chat.press("Skip")
    await chat.press("Don't know")
    keyboard = (await chat.snapshot())["reply_keyboard"]
    location_button = next(b for row in keyboard["rows"] for b in row if b["request_location"])
    await chat.act("reply_button", {"text": location_button["text"], "city": "Moscow"})
    await chat.press_first_of("Workshops that repair")
    await chat.press_first_of("Choose a day")
    await chat.press_first_of("Choose a drop-off time")
    await chat.act("reply_button", {"text": "Skip"})
    await chat.press("Confirm")
    booked = next(m for m in await chat.bot_messages() if "Booked!" in m.get("html", ""))
    found = CODE.search(booked["html"])
    assert found is not None
    return found.group()


async def test_customer_reports_a_fault_and_books_through_the_api(
    emulator: Emulator, http: aiohttp.ClientSession
) -> None:
    async with http.get("/") as response:
        assert response.status == 200
        assert "text/html" in response.headers["Content-Type"]
        assert "Skip 1 hour" in await response.text()
    persona = await new_persona(http, kind="customer", language="en")
    assert persona["kind"] == "customer" and persona["language"] == "en"
    chat = Chat(http, persona)

    sent = await chat.say("/start")
    chat_state = await chat.snapshot()
    mine, greeting = chat_state["messages"][:2]
    assert sent["message_id"] == mine["message_id"] and not mine["from_bot"]
    assert "/start" in mine["html"]
    assert f"Hello, {persona['first_name']}!" in greeting["html"]
    labels = [b["text"] for row in greeting["inline_keyboard"] for b in row]
    assert "🔧 Report a fault" in labels

    await chat.press("Report a fault")
    edited = (await chat.snapshot())["messages"][1]
    assert edited["message_id"] == greeting["message_id"] and edited["edited"]
    assert "<b>What needs repair?</b>" in edited["html"]
    await chat.press("Washing machine")
    assert "washing machine" in await chat.last_text()
    await chat.press("Won't drain")
    await chat.press("Still broken")
    await chat.press("Skip")
    await chat.press("Don't know")
    keyboard = (await chat.snapshot())["reply_keyboard"]
    assert any(b["request_location"] for row in keyboard["rows"] for b in row)
    assert any(b["text"] == "Moscow" for row in keyboard["rows"] for b in row)

    await chat.act("location", {"city": "Moscow"})
    shared = [m for m in (await chat.snapshot())["messages"] if "location" in m]
    assert "openstreetmap.org/?mlat=55.75" in shared[-1]["location"]["map_url"]
    assert "Workshops that repair" in await chat.last_text()
    await chat.press_first_of("Workshops that repair")
    await chat.press_first_of("Choose a day")
    await chat.press_first_of("Choose a drop-off time")
    assert (await chat.snapshot())["reply_keyboard"] is not None
    await chat.act("contact")
    summary = await chat.last_text()
    assert "Please check your booking" in summary
    assert re.sub(r"\D", "", persona["phone"]) in re.sub(r"\D", "", summary)
    await chat.press("Confirm")

    messages = await chat.bot_messages()
    assert any("Booked!" in m.get("html", "") and CODE.search(m["html"]) for m in messages)
    venue = messages[-1]["venue"]
    assert venue["title"] and venue["map_url"].startswith("https://www.openstreetmap.org/?mlat=")


async def test_long_poll_reports_new_and_edited_messages_and_toasts(
    emulator: Emulator, http: aiohttp.ClientSession
) -> None:
    chat = Chat(http, await new_persona(http, kind="customer", language="ru"))
    seq = (await chat.snapshot())["seq"]
    async with http.get(f"/api/chats/{chat.id}/events?after={seq}&timeout=0") as response:
        assert (await response.json())["events"] == []

    async def poll(after: int) -> JSON:
        async with http.get(f"/api/chats/{chat.id}/events?after={after}&timeout=20") as response:
            answer: JSON = await response.json()
            return answer

    waiting = asyncio.create_task(poll(seq))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    await chat.say("/start")
    answer = await asyncio.wait_for(waiting, 10)
    first = answer["events"][0]["message"]
    assert not first["from_bot"] and "/start" in first["html"]  # the user's own message
    texts = []
    while not any("Здравствуйте" in text for text in texts):
        answer = await asyncio.wait_for(poll(answer["seq"]), 10)
        texts += [e["message"].get("html", "") for e in answer["events"] if "message" in e]
    assert answer["commands"] and answer["commands"][0]["command"] == "start"

    greeting = (await chat.bot_messages())[-1]
    await chat.press("Сообщить о неисправности")
    async with http.get(f"/api/chats/{chat.id}/events?after={answer['seq']}&timeout=5") as response:
        later = await response.json()
    edits = [e["message"] for e in later["events"] if e["type"] == "message"]
    assert any(m["message_id"] == greeting["message_id"] and m["edited"] for m in edits)

    # A stale button: the bot answers the query with a toast and changes nothing.
    await chat.act("press", {"message_id": greeting["message_id"], "callback_data": "menu:xx"})
    async with http.get(f"/api/chats/{chat.id}/events?after={later['seq']}&timeout=5") as response:
        toasts = [e for e in (await response.json())["events"] if e["type"] == "toast"]
    assert toasts and toasts[0]["text"]

    async with http.get(f"/api/chats/{chat.id}/events?after=99999&timeout=5") as response:
        assert (await response.json())["reset"] is True


async def test_skipping_time_runs_due_work_like_the_feedback_request(
    emulator: Emulator, http: aiohttp.ClientSession
) -> None:
    customer = Chat(http, await new_persona(http, kind="customer", language="en"))
    code = await book_washer_in_moscow(customer)
    head_office = Chat(http, emulator.head_office.to_json())
    assert head_office.id == HEAD_OFFICE_ID
    for status in ("received", "diagnosing", "ready", "picked_up"):
        await head_office.say(f"/setstatus {code} {status}")
        assert "is now <b>" in await head_office.last_text()
    notices = [m["html"] for m in await customer.bot_messages() if "🔔" in m.get("html", "")]
    assert len(notices) == 4 and "picked up" in notices[-1]
    assert not any("How was the repair" in m.get("html", "") for m in await customer.bot_messages())

    async with http.get("/api/time") as response:
        before = await response.json()
    async with http.post("/api/time/skip", json={"hours": 1}) as response:
        assert response.status == 200
        after = await response.json()
    assert after["offset_seconds"] == before["offset_seconds"] + 3600
    assert after["unix"] - before["unix"] >= 3600
    assert after["timezone"] == "Europe/Moscow"

    feedback = (await customer.bot_messages())[-1]
    assert "How was the repair" in feedback["html"] and code in feedback["html"]
    assert [b["text"] for b in feedback["inline_keyboard"][0]] == ["1", "2", "3", "4", "5"]

    async with http.post("/api/time/skip", json={"hours": -1}) as response:
        assert response.status == 400
    async with http.post("/api/time/skip", json={"days": 400}) as response:
        assert response.status == 400


async def test_staff_persona_is_added_by_head_office_and_moves_tickets(
    emulator: Emulator, http: aiohttp.ClientSession
) -> None:
    customer = Chat(http, await new_persona(http, kind="customer", language="en"))
    code = await book_washer_in_moscow(customer)
    ticket = await emulator.services.desk.find(
        await emulator.services.access.who(HEAD_OFFICE_ID), code
    )
    persona = await new_persona(http, kind="staff", workshop=ticket.workshop_code.lower())
    assert persona["kind"] == "staff" and persona["workshop"] == ticket.workshop_code
    head_office = Chat(http, emulator.head_office.to_json())
    assert re.search(
        rf"\b{persona['id']}\)? is now staff of {ticket.workshop_code}",
        await head_office.last_text(),
    )

    staff = Chat(http, persona)
    assert "today" in [c["command"] for c in (await staff.snapshot())["commands"]]
    await staff.say(f"/job {code}")
    card = await staff.bot_messages()
    assert code in card[-1]["html"]
    await staff.press("→ received by the workshop")
    assert "is now <b>received by the workshop</b>" in await staff.last_text()
    assert "Danilovsky Workshop has received your device." in await customer.last_text()

    async with http.post("/api/personas", json={"kind": "staff", "workshop": "NOWHERE"}) as r:
        assert r.status == 400
    async with http.post("/api/personas", json={"kind": "head_office"}) as r:
        assert r.status == 400


async def test_demo_data_spreads_tickets_over_the_whole_lifecycle(tmp_path: Path) -> None:
    async with (
        running_emulator(port=0, demo_data=True, db_path=tmp_path / "emulator.sqlite3") as emulator,
        aiohttp.ClientSession(
            base_url=emulator.url, headers={"Origin": emulator.url.rstrip("/")}
        ) as http,
    ):
        assert emulator.seed is not None
        assert 40 <= emulator.seed.tickets <= 80
        assert emulator.seed.self_resolved > 0 and emulator.seed.estimates > 0
        statuses = emulator.seed.statuses
        for status in ("booked", "received", "picked_up", "cancelled", "no_show"):
            assert statuses[status] > 0, statuses

        personas = (await (await http.get("/api/personas")).json())["personas"]
        seeded_customers = [p for p in personas if p["kind"] == "customer" and p["seeded"]]
        staff = [p for p in personas if p["kind"] == "staff"]
        assert len(seeded_customers) >= 5
        assert {p["workshop"] for p in staff} == set(emulator.services.network.workshops)

        head_office = Chat(http, emulator.head_office.to_json())
        await head_office.say("/stats")
        stats, chart = (await head_office.bot_messages())[-2:]
        for line in ("Bookings", "No-shows", "Repairs finished", "visits avoided"):
            count = re.search(rf"{line}: (\d+)", stats["html"])
            assert count is not None and int(count.group(1)) > 0, line
        assert re.search(r"Estimates approved: \d+%", stats["html"])
        async with http.get(chart["photo"]["url"]) as response:
            assert response.headers["Content-Type"] == "image/png"
            assert (await response.read()).startswith(b"\x89PNG")

        await head_office.say("/jobs")
        jobs = await head_office.last_text()
        assert "Open tickets" in jobs and CODE.search(jobs)
        await head_office.say("/export 30")
        document = (await head_office.bot_messages())[-1]["document"]
        async with http.get(document["url"]) as response:
            assert response.headers["Content-Type"].startswith("text/csv")
            assert "attachment" in response.headers["Content-Disposition"]
            assert len((await response.text()).splitlines()) > 40

        bookings = []
        for customer in seeded_customers[:3]:
            someone = Chat(http, customer)
            await someone.say("/mybookings")
            bookings.append(await someone.last_text())
        assert any(CODE.search(text) for text in bookings)
        workshop_staff = Chat(http, staff[0])
        await workshop_staff.say("/jobs")
        assert staff[0]["workshop_name"] in await workshop_staff.last_text()


async def test_the_emulator_never_listens_beyond_loopback(tmp_path: Path) -> None:
    for host in ("0.0.0.0", "::", "192.168.1.10", "example.com"):
        with pytest.raises(ValueError, match="only listens on loopback"):
            async with running_emulator(port=0, host=host, db_path=tmp_path / "e.sqlite3"):
                pass  # pragma: no cover - never reached
        with pytest.raises(SystemExit):
            parse_args(["--host", host])
    assert loopback_host("localhost") == "127.0.0.1"
    assert not (tmp_path / "e.sqlite3").exists()
    with pytest.raises(SystemExit):
        parse_args(["--db", "data/bot.sqlite3"])  # the file is wiped at start: refused


async def test_requests_naming_another_host_and_bad_requests_are_refused(
    emulator: Emulator, http: aiohttp.ClientSession
) -> None:
    async with http.get("/api/personas", headers={"Host": f"evil.example:{emulator.port}"}) as r:
        assert r.status == 403
    async with http.get("/api/chats/424242") as r:
        assert r.status == 404 and "error" in await r.json()
    persona = await new_persona(http, kind="customer", language="en")
    async with http.post(
        f"/api/chats/{persona['id']}/text",
        data=b"not json",
        headers={"Content-Type": "application/json"},
    ) as r:
        assert r.status == 400
    async with http.post(f"/api/chats/{persona['id']}/text", json={"text": "  "}) as r:
        assert r.status == 400
    async with http.post(
        f"/api/chats/{persona['id']}/press", json={"message_id": 999, "callback_data": "x"}
    ) as r:
        assert r.status == 404
    async with http.post(
        f"/api/chats/{persona['id']}/location", json={"latitude": 91, "longitude": 0}
    ) as r:
        assert r.status == 400
    async with http.post(f"/api/chats/{persona['id']}/reply_button", json={"text": "Skip"}) as r:
        assert r.status == 404
    async with http.get("/api/files/nope") as r:
        assert r.status == 404


async def chat_texts(http: aiohttp.ClientSession, persona: JSON) -> list[str]:
    async with http.get(f"/api/chats/{persona['id']}") as response:
        chat: JSON = await response.json()
    return [m.get("html", "") for m in chat["messages"]]


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://127.0.0.1:1"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {},
    ],
    ids=["other-site", "opaque", "other-port", "cross-site", "same-site", "neither"],
)
async def test_a_json_post_from_another_origin_is_refused_and_does_nothing(
    emulator: Emulator, http: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    head_office = {"id": HEAD_OFFICE_ID}
    before = await chat_texts(http, head_office)
    forged = {**headers, "Content-Type": "application/json"}

    async with aiohttp.ClientSession(base_url=emulator.url) as stranger:
        async with stranger.post(
            f"/api/chats/{HEAD_OFFICE_ID}/text",
            data=b'{"text": "/broadcast Hello from another site", "wait": true}',
            headers=forged,
        ) as response:
            assert response.status == 403, await response.text()
            assert "error" in await response.json()
        async with stranger.post("/api/time/skip", data=b'{"days": 3}', headers=forged) as r:
            assert r.status == 403

    assert await chat_texts(http, head_office) == before


async def test_a_cross_site_text_plain_post_is_refused(emulator: Emulator) -> None:
    """What a form or a `no-cors` fetch on another web site can send without asking."""
    async with aiohttp.ClientSession(base_url=emulator.url) as stranger, stranger.post(
        f"/api/chats/{HEAD_OFFICE_ID}/text",
        data=b'{"text": "/broadcast Hello"}',
        headers={"Content-Type": "text/plain", "Origin": "https://evil.example"},
    ) as response:
        assert response.status == 403


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None]
)
async def test_a_post_that_is_not_json_is_refused_even_from_the_page(
    http: aiohttp.ClientSession, content_type: str | None
) -> None:
    persona = await new_persona(http, kind="customer", language="en")
    headers = {"Content-Type": content_type} if content_type else {}

    async with http.post(
        f"/api/chats/{persona['id']}/text",
        data=b'{"text": "/start", "wait": true}' if content_type else None,
        headers=headers,
    ) as response:
        assert response.status == 415, await response.text()
        assert "error" in await response.json()

    assert await chat_texts(http, persona) == []


async def test_the_page_without_an_origin_header_is_known_by_sec_fetch_site(
    emulator: Emulator,
) -> None:
    async with aiohttp.ClientSession(base_url=emulator.url) as page, page.post(
        "/api/personas",
        json={"kind": "customer", "language": "en"},
        headers={"Sec-Fetch-Site": "same-origin"},
    ) as response:
        assert response.status == 201, await response.text()


async def test_reading_needs_no_origin(emulator: Emulator) -> None:
    """GETs change nothing: the page, the chat and files load as before, e.g. in a new tab."""
    async with aiohttp.ClientSession(base_url=emulator.url) as tab:
        async with tab.get("/") as response:
            assert response.status == 200
        async with tab.get("/api/personas") as response:
            assert response.status == 200


async def test_a_text_over_telegrams_limit_is_refused_counting_emoji_as_telegram_does(
    http: aiohttp.ClientSession,
) -> None:
    persona = await new_persona(http, kind="customer", language="en")
    async with http.post(f"/api/chats/{persona['id']}/text", json={"text": "😀" * 2049}) as r:
        assert r.status == 400
        assert "longer than 4096" in (await r.json())["error"]
    async with http.post(f"/api/chats/{persona['id']}/text", json={"text": "😀" * 2048}) as r:
        assert r.status == 200


def test_entities_become_safe_html() -> None:
    text, entities = parse_html(
        '<b>Bold <a href="https://example.com/?a=1&amp;b=2">link</a></b> 🔧 <code>SR-1</code> '
        '&lt;script&gt; <i>it</i> <a href="javascript:alert(1)">bad</a>'
    )
    html = entities_to_html(text, entities)
    assert html.startswith('<b>Bold <a href="https://example.com/?a=1&amp;b=2"')
    assert "link</a></b> 🔧 <code>SR-1</code> &lt;script&gt; <i>it</i>" in html
    assert 'href="javascript:' not in html and 'title="javascript:alert(1)">bad</span>' in html
    # Offsets are UTF-16: text after an emoji (two code units) still lands right.
    assert entities_to_html("🔧 ok", [{"type": "bold", "offset": 3, "length": 2}]) == "🔧 <b>ok</b>"
    # Overlapping entities are closed and reopened, never left crossing.
    crossing = [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "italic", "offset": 2, "length": 4},
    ]
    assert entities_to_html("abcdef", crossing) == "<b>ab<i>cd</i></b><i>ef</i>"
    shown = render_message(
        {"message_id": 3, "from": {"id": 1}, "date": 0, "text": "<x>", "edit_date": 5}, bot_id=1
    )
    assert shown["html"] == "&lt;x&gt;" and shown["from_bot"] and shown["edited"]


async def test_python_m_bot_emulator_prints_its_address_and_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "emulator",
        "--port",
        "0",
        "--db",
        str(tmp_path / "emulator.sqlite3"),
        cwd=ROOT,
        env={
            "PATH": "",
            "PTB_TIMEDELTA": "1",
            "PYTHONPATH": str(ROOT),
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        printed = ""
        while "Emulator: open" not in printed:
            line = await asyncio.wait_for(process.stdout.readline(), 30)
            assert line, "the emulator exited before printing its address"
            printed += line.decode()
        address = re.search(r"Emulator: open (http://127\.0\.0\.1:\d+/)", printed)
        assert address is not None, printed
        async with aiohttp.ClientSession() as http, http.get(address.group(1) + "api/time") as r:
            assert r.status == 200
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    assert "stopping" in stdout.decode()


async def test_a_second_emulator_on_a_busy_port_refuses_and_leaves_the_first_ones_data(
    tmp_path: Path, emulator: Emulator, http: aiohttp.ClientSession
) -> None:
    customer = Chat(http, await new_persona(http, kind="customer", language="en"))
    await customer.say("/start")
    database = emulator.settings.database_path
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "emulator",
        "--port",
        str(emulator.port),
        "--db",
        str(database),
        cwd=ROOT,
        env={"PATH": "", "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    refusal = stderr.decode()
    assert f"port {emulator.port} is in use" in refusal and "--port" in refusal, refusal

    with pytest.raises(OSError, match="in use"):
        async with running_emulator(port=emulator.port, db_path=database):
            pass  # pragma: no cover - never reached
    # The file at that path is still the first emulator's, holding the customer it met.
    with closing(sqlite3.connect(database)) as reader:
        found = reader.execute(
            "SELECT COUNT(*) FROM customers WHERE user_id = ?", (customer.id,)
        ).fetchone()
    assert found == (1,)


def picture(width: int, height: int) -> str:
    """A PNG of that size, in base64, as the page sends a picked file."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), "#a0b0c0").save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


async def test_a_customer_sends_a_photo_and_both_sides_reply_to_messages(
    emulator: Emulator, http: aiohttp.ClientSession
) -> None:
    customer = Chat(http, await new_persona(http, kind="customer", language="en"))
    code = await book_washer_in_moscow(customer)
    ticket = await emulator.services.desk.find(
        await emulator.services.access.who(HEAD_OFFICE_ID), code
    )
    staff = Chat(http, await new_persona(http, kind="staff", workshop=ticket.workshop_code))

    await customer.say(f"/ask {code}")
    await customer.act("photo", {"sample": True, "caption": "This leak"})
    sent = (await customer.snapshot())["messages"]
    mine = [m for m in sent if not m["from_bot"] and "photo" in m][-1]
    assert (mine["photo"]["width"], mine["photo"]["height"]) == (640, 480)
    question = (await staff.bot_messages())[-1]
    assert "This leak" in question["html"] and code in question["html"]
    assert (question["photo"]["width"], question["photo"]["height"]) == (640, 480)

    # Telegram's reply gesture: the staff member answers the question by replying to it.
    await staff.act("text", {"text": "About two days.", "reply_to": question["message_id"]})
    reply = [m for m in (await staff.snapshot())["messages"] if not m["from_bot"]][-1]
    assert reply["reply_to"]["message_id"] == question["message_id"]
    answer = (await customer.bot_messages())[-1]
    assert "About two days." in answer["html"]

    # The customer answers back with a tall photo of their own, replying to the answer.
    await customer.act("photo", {"data": picture(300, 600), "reply_to": answer["message_id"]})
    follow_up = (await staff.bot_messages())[-1]
    assert (follow_up["photo"]["width"], follow_up["photo"]["height"]) == (300, 600)
    async with http.get(follow_up["photo"]["url"]) as response:
        assert response.headers["Content-Type"] == "image/png"

    refusals = [
        ("text", {"text": "Hello", "reply_to": 99999}, 404),
        ("text", {"text": "Hello", "reply_to": "1"}, 400),
        ("photo", {"data": base64.b64encode(b"not a picture").decode()}, 400),
        ("photo", {"data": "%%%"}, 400),
    ]
    for kind, body, status in refusals:
        async with http.post(f"/api/chats/{customer.id}/{kind}", json=body) as response:
            assert response.status == status, (kind, body, await response.text())


async def skip_to(http: aiohttp.ClientSession, emulator: Emulator, local: datetime) -> None:
    minutes = (local - emulator.clock.now()).total_seconds() / 60
    async with http.post("/api/time/skip", json={"minutes": minutes}) as response:
        assert response.status == 200, await response.text()


async def test_skip_a_day_delivers_what_fell_due_by_the_rules_of_a_late_start(
    emulator: Emulator, http: aiohttp.ClientSession
) -> None:
    """Like a bot started again after a day down: a reminder before a visit that has passed
    is dropped, the workshop's no-show check and the request for a rating still go."""
    moscow = ZoneInfo("Europe/Moscow")
    today = emulator.clock.now().astimezone(moscow).date()
    monday = today + timedelta(days=7 - today.weekday())
    evening = datetime.combine(monday, time(20, 0), tzinfo=moscow)
    await skip_to(http, emulator, evening)

    staff = Chat(http, await new_persona(http, kind="staff", workshop="MSK-SOUTH"))
    visitor = Chat(http, await new_persona(http, kind="customer", language="en"))
    booked = await book_washer_in_moscow(visitor)
    head_office = Chat(http, emulator.head_office.to_json())
    who = await emulator.services.access.who(HEAD_OFFICE_ID)
    ticket = await emulator.services.desk.find(who, booked)
    assert ticket.workshop_code == "MSK-SOUTH" and ticket.slot_start is not None
    # The visit, and the reminder two hours before it, fall within the day about to be skipped.
    assert evening < ticket.slot_start - timedelta(hours=2)
    assert ticket.slot_start + timedelta(hours=2) < evening + timedelta(days=1)

    repaired = Chat(http, await new_persona(http, kind="customer", language="en"))
    picked_up = await book_washer_in_moscow(repaired)
    for status in ("received", "diagnosing", "ready", "picked_up"):
        await head_office.say(f"/setstatus {picked_up} {status}")
    before = {chat.id: len(await chat.bot_messages()) for chat in (staff, visitor, repaired)}

    async with http.post("/api/time/skip", json={"days": 1}) as response:
        assert response.status == 200

    def after(chat: Chat, messages: list[JSON]) -> list[str]:
        return [m.get("html", "") for m in messages[before[chat.id] :]]

    to_visitor = after(visitor, await visitor.bot_messages())
    assert not any("In two hours" in text for text in to_visitor), to_visitor
    to_staff = after(staff, await staff.bot_messages())
    assert any(booked in text and "Did the device arrive?" in text for text in to_staff)
    to_repaired = after(repaired, await repaired.bot_messages())
    assert any("How was the repair" in text and picked_up in text for text in to_repaired)
    # The reminder was due during the skipped day, and is marked skipped, not sent late.
    with closing(sqlite3.connect(emulator.settings.database_path)) as reader:
        reminders = reader.execute(
            "SELECT status, last_error FROM outbox WHERE kind = 'dropoff_soon' AND ticket_id = ?",
            (ticket.id,),
        ).fetchall()
    assert reminders == [("skipped", "no longer meaningful")]


async def test_a_webhook_named_in_the_environment_does_not_take_the_emulator_off_its_fake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.com/telegram")
    monkeypatch.setenv("WEBHOOK_SECRET", "s" * 40)
    async with (
        running_emulator(port=0, db_path=tmp_path / "emulator.sqlite3", quiet_hours="") as running,
        aiohttp.ClientSession(
            base_url=running.url, headers={"Origin": running.url.rstrip("/")}
        ) as http,
    ):
        chat = Chat(http, await new_persona(http, kind="customer", language="en"))
        await chat.say("/start")

        assert "Hello" in await chat.last_text()
