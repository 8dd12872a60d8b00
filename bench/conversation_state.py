"""What reading each update's conversation state and draft from the database costs.

``python -m bench.conversation_state [--people N] [--updates N] [--database-url URL]`` builds
the real application (against the fake Bot API, in this process), stores a repair
conversation in progress and its draft for each of ``--people`` customers, then, for updates
of customers picked at random, times `UpdateState.load` (the read before the handlers) alone,
then with `UpdateState.save` (the write after them) when the handlers changed nothing and
when they changed the draft. It prints CPU and wall time per update: CPU of this process
(the driver's thread included), so on PostgreSQL the server's own work is not in it.
``--database-url`` (an empty PostgreSQL database; a schema of its own is made and dropped)
measures PostgreSQL, else a SQLite file in a temporary directory. Not part of the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
from telegram import Update

from bench.bot_process import one_instance
from bench.driver import TOKEN
from bot.clock import SystemClock
from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi
from bot.fault_notes import FaultNotes
from bot.handlers import repair
from bot.runtime.ordering import ChatOrderedProcessor
from bot.runtime.persistence import UpdateState, encode_key
from bot.services import Services
from bot.storage.conversations import ConversationStore
from bot.warranty import PurchaseAge

FIRST_USER = 10_000_000


def draft_of(user_id: int) -> dict[str, object]:
    """A customer's data halfway through a booking: language, last seen, the repair draft."""
    draft = repair.Draft(
        case_id=user_id,
        category="washer",
        trail=["wm_start", "wm_drain", "wm_drain_filter"],
        notes=FaultNotes(words="It stops halfway and the drum stays full of water"),
        seen=12,
        purchase_age=PurchaseAge.UNDER_6_MONTHS,
        lat=55.75,
        lon=37.61,
        workshop="MSK-CENTER",
        day=date(2026, 11, 27),
    )
    return {"lang": "en", "seen": "2026-11-26", repair.DRAFT_KEY: draft.model_dump(mode="json")}


def text_from(user_id: int, number: int) -> Update:
    return Update.de_json(
        {
            "update_id": number,
            "message": {
                "message_id": number,
                "date": 0,
                "chat": {"id": user_id, "type": "private", "first_name": "Anna"},
                "from": {"id": user_id, "is_bot": False, "first_name": "Anna"},
                "text": "10:00",
            },
        },
        None,
    )


async def timed(
    updates: list[Update], step: Callable[[Update], Awaitable[None]]
) -> tuple[float, float]:
    """CPU and wall microseconds per update."""
    gc.collect()
    gc.disable()
    try:
        cpu, wall = time.process_time(), time.perf_counter()
        for update in updates:
            await step(update)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        gc.enable()
    return cpu / len(updates) * 1e6, wall / len(updates) * 1e6


async def measure(settings: Settings, people: int, count: int) -> dict[str, tuple[float, float]]:
    services = await Services.open(settings, SystemClock())
    try:
        application = one_instance(settings, services)
        async with application:
            processor = application.update_processor
            assert isinstance(processor, ChatOrderedProcessor)
            memory = processor.memory
            assert isinstance(memory, UpdateState)
            filler = ConversationStore(services.db)
            for user_id in range(FIRST_USER, FIRST_USER + people):
                key = encode_key((user_id, user_id))
                await filler.save(
                    {(repair.CONVERSATION, key): str(repair.Waiting.SLOT)},
                    {user_id: draft_of(user_id)},
                )
            picked = random.Random(7).choices(range(FIRST_USER, FIRST_USER + people), k=count)
            updates = [text_from(user_id, n) for n, user_id in enumerate(picked, start=1)]

            async def load_and_save(update: Update) -> None:
                await memory.load(update)
                await memory.save(update)

            async def load_change_and_save(update: Update) -> None:
                await memory.load(update)
                assert update.effective_user is not None
                application.user_data[update.effective_user.id]["seen"] = str(update.update_id)
                await memory.save(update)

            await timed(updates[: count // 10], memory.load)  # warm caches and connections
            return {
                "load (the read before the handlers)": await timed(updates, memory.load),
                "load + save, nothing changed": await timed(updates, load_and_save),
                "load + save, draft changed (one write)": await timed(
                    updates, load_change_and_save
                ),
            }
    finally:
        await services.close()


def with_search_path(url: str, schema: str) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query), ("search_path", schema)]
    return urlunsplit(parts._replace(query=urlencode(query)))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--updates", type=int, default=5_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    async with FakeBotApi(token=TOKEN) as api:
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                bot_token=TOKEN,
                telegram_api_url=api.base_url,
                database_path=Path(folder) / "bench.sqlite3",
                database_url=with_search_path(args.database_url, schema)
                if args.database_url
                else None,
                health_listen="127.0.0.1:0",
            )
            admin = await asyncpg.connect(args.database_url) if args.database_url else None
            try:
                if admin is not None:
                    await admin.execute(f"CREATE SCHEMA {schema}")
                figures = await measure(settings, args.people, args.updates)
            finally:
                if admin is not None:
                    await admin.execute(f"DROP SCHEMA {schema} CASCADE")
                    await admin.close()
    engine = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{engine}, {args.people} customers with a draft, {args.updates} updates")
    print(f"{'per update':<42} {'CPU µs':>8} {'wall µs':>8}")
    for name, (cpu, wall) in figures.items():
        print(f"{name:<42} {cpu:>8.0f} {wall:>8.0f}")


if __name__ == "__main__":
    asyncio.run(main())
