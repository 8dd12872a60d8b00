"""Where each customer is in a conversation, and their draft, so a restart loses neither and
any instance can take the next step."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.storage.engine import Engine

ABSENT = None
"""What the store remembers of a row it knows is not in the database."""
UNKNOWN = object()
"""What it does not remember at all: the next write goes to the database."""


@dataclass(frozen=True)
class Stored:
    """What the database holds for one update: conversation states by conversation name, and
    the person's data (empty when there is none)."""

    states: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)


class ConversationStore:
    """Remembers what it last read or wrote, so a write that would change nothing costs nothing.

    The library hands over a person's data and conversation state after every update that
    touched them, changed or not, and often more than once with concurrent updates. What was
    read for an update counts as known too: another instance may have written it since this
    one last did, and one chat's updates are handled one at a time, so between the read and
    the write nobody else changes it.
    """

    def __init__(self, db: Engine) -> None:
        self._db = db
        self._states: dict[tuple[str, str], str | None] = {}
        self._data: dict[int, str | None] = {}

    async def load(self, conversations: Sequence[tuple[str, str]], user_id: int | None) -> Stored:
        """The states of these (name, key) conversations and the person's data, in one read."""
        parts: list[str] = []
        params: list[object] = []
        if conversations:
            parts.append(
                "SELECT name, state AS value FROM conversations WHERE "
                + " OR ".join(["(name = ? AND key = ?)"] * len(conversations))
            )
            params.extend(value for pair in conversations for value in pair)
        if user_id is not None:
            parts.append("SELECT NULL AS name, data AS value FROM user_data WHERE user_id = ?")
            params.append(user_id)
        if not parts:
            return Stored()
        rows = await self._db.fetch_all(" UNION ALL ".join(parts), params)
        states = {row["name"]: row["value"] for row in rows if row["name"] is not None}
        data = next((row["value"] for row in rows if row["name"] is None), ABSENT)
        self._states.update(((name, key), states.get(name, ABSENT)) for name, key in conversations)
        if user_id is not None:
            self._data[user_id] = data
        return Stored(states, json.loads(data) if data is not None else {})

    async def set_state(self, name: str, key: str, state: str | None) -> None:
        if self._states.get((name, key), UNKNOWN) == state:
            return
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
        self._states[name, key] = state

    async def set_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        if not data:
            await self.drop_user_data(user_id)
            return
        encoded = json.dumps(data, ensure_ascii=False)
        if self._data.get(user_id, UNKNOWN) == encoded:
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
        if self._data.get(user_id, UNKNOWN) is ABSENT:
            return
        await self._db.execute("DELETE FROM user_data WHERE user_id = ?", (user_id,))
        self._data[user_id] = ABSENT
