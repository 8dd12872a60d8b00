"""Where each customer is in a conversation, and their draft, so a restart loses neither."""

from __future__ import annotations

import json
from typing import Any

from bot.storage.database import Database


class ConversationStore:
    """Remembers what it last wrote, so a write that would change nothing costs nothing.

    The library hands over a person's data and conversation state after every update that
    touched them, changed or not, and often more than once with concurrent updates.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._states: dict[tuple[str, str], str] = {}
        self._data: dict[int, str] = {}

    async def states(self, name: str) -> dict[str, str]:
        rows = await self._db.fetch_all(
            "SELECT key, state FROM conversations WHERE name = ?", (name,)
        )
        stored = {row["key"]: row["state"] for row in rows}
        self._states.update(((name, key), state) for key, state in stored.items())
        return stored

    async def set_state(self, name: str, key: str, state: str | None) -> None:
        if state is None:
            await self._db.execute(
                "DELETE FROM conversations WHERE name = ? AND key = ?", (name, key)
            )
            self._states.pop((name, key), None)
        elif self._states.get((name, key)) != state:
            await self._db.execute(
                """
                INSERT INTO conversations (name, key, state) VALUES (?, ?, ?)
                ON CONFLICT (name, key) DO UPDATE SET state = excluded.state
                """,
                (name, key, state),
            )
            self._states[name, key] = state

    async def user_data(self) -> dict[int, dict[str, Any]]:
        rows = await self._db.fetch_all("SELECT user_id, data FROM user_data")
        self._data.update((row["user_id"], row["data"]) for row in rows)
        return {row["user_id"]: json.loads(row["data"]) for row in rows}

    async def set_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        if not data:
            await self.drop_user_data(user_id)
            return
        encoded = json.dumps(data, ensure_ascii=False)
        if self._data.get(user_id) == encoded:
            return
        await self._db.execute(
            """
            INSERT INTO user_data (user_id, data) VALUES (?, ?)
            ON CONFLICT (user_id) DO UPDATE SET data = excluded.data
            """,
            (user_id, encoded),
        )
        self._data[user_id] = encoded

    async def drop_user_data(self, user_id: int) -> None:
        await self._db.execute("DELETE FROM user_data WHERE user_id = ?", (user_id,))
        self._data.pop(user_id, None)
