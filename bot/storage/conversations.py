"""Where each customer is in a conversation, and their draft, so a restart loses neither."""

from __future__ import annotations

import json
from typing import Any

from bot.storage.database import Database


class ConversationStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def states(self, name: str) -> dict[str, str]:
        rows = await self._db.fetch_all(
            "SELECT key, state FROM conversations WHERE name = ?", (name,)
        )
        return {row["key"]: row["state"] for row in rows}

    async def set_state(self, name: str, key: str, state: str | None) -> None:
        if state is None:
            await self._db.execute(
                "DELETE FROM conversations WHERE name = ? AND key = ?", (name, key)
            )
        else:
            await self._db.execute(
                """
                INSERT INTO conversations (name, key, state) VALUES (?, ?, ?)
                ON CONFLICT (name, key) DO UPDATE SET state = excluded.state
                """,
                (name, key, state),
            )

    async def user_data(self) -> dict[int, dict[str, Any]]:
        rows = await self._db.fetch_all("SELECT user_id, data FROM user_data")
        return {row["user_id"]: json.loads(row["data"]) for row in rows}

    async def set_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        if not data:
            await self.drop_user_data(user_id)
            return
        await self._db.execute(
            """
            INSERT INTO user_data (user_id, data) VALUES (?, ?)
            ON CONFLICT (user_id) DO UPDATE SET data = excluded.data
            """,
            (user_id, json.dumps(data, ensure_ascii=False)),
        )

    async def drop_user_data(self, user_id: int) -> None:
        await self._db.execute("DELETE FROM user_data WHERE user_id = ?", (user_id,))
