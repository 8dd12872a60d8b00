"""SQLite's inbox in a file of its own: a database from before moves its inbox there, once."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi
from bot.fake_telegram.users import FakeUser
from bot.storage.database import inbox_path, stamp
from bot.storage.migrations import INBOX_MOVED, MIGRATIONS
from tests.flows.test_inbox import command_update
from tests.support.bot_runner import BotRunner
from tests.support.clock import FakeClock


def tables(path: object) -> set[str]:
    with closing(sqlite3.connect(str(path))) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


@pytest.mark.sqlite_only("PostgreSQL keeps the inbox in its one database")
async def test_an_upgraded_databases_inbox_rows_move_to_the_inbox_file_and_are_handled(
    api: FakeBotApi, settings: Settings, clock: FakeClock
) -> None:
    olga = FakeUser(api, 4242, "Olga")
    now = datetime.now(UTC)
    # The database as the bot left it before the inbox had a file of its own: one update
    # stored and not handled (a crash), one handled an hour ago, one handled two days ago.
    with closing(sqlite3.connect(settings.database_path)) as db:
        for script in MIGRATIONS[: INBOX_MOVED - 1]:
            db.executescript(script)
        db.execute(f"PRAGMA user_version = {INBOX_MOVED - 1}")
        db.execute(
            "INSERT INTO inbox (update_id, raw, received_at) VALUES (?, ?, ?)",
            (900_003, json.dumps(command_update(api, olga, 900_003, "/start")), stamp(now)),
        )
        for update_id, ago in ((900_002, timedelta(hours=1)), (900_001, timedelta(days=2))):
            db.execute(
                "INSERT INTO inbox (update_id, received_at, handled_at) VALUES (?, ?, ?)",
                (update_id, stamp(now - ago), stamp(now - ago)),
            )
        db.commit()

    runner = BotRunner(api, settings, clock)
    await runner.start()
    await runner.stop()

    assert len(api.sent_to(olga.chat_id)) == 1, "the stored update was handled, once"
    assert "inbox" not in tables(settings.database_path)
    with closing(sqlite3.connect(inbox_path(settings.database_path))) as inbox:
        rows = inbox.execute("SELECT update_id, handled_at IS NOT NULL FROM inbox").fetchall()
    # The one handled an hour ago stays, so a re-delivery of it is still recognised.
    assert sorted(rows) == [(900_002, 1), (900_003, 1)]
