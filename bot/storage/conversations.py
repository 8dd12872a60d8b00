"""Where each customer is in a conversation, and their draft, so a restart loses neither and
any instance can take the next step."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
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

    async def save(
        self,
        states: Mapping[tuple[str, str], str | None],
        data: Mapping[int, dict[str, Any] | None],
    ) -> None:
        """Write conversation states by (name, key) and people's data by user id (None or
        empty: none) in one transaction, so a crash or a refused write leaves a conversation's
        step and its draft both as they were or both as they are now. What is known to be
        stored already is not written again."""
        state_writes = {
            place: state
            for place, state in states.items()
            if self._states.get(place, UNKNOWN) != state
        }
        encoded = {
            user_id: json.dumps(value, ensure_ascii=False) if value else ABSENT
            for user_id, value in data.items()
        }
        data_writes = {
            user_id: value
            for user_id, value in encoded.items()
            if self._data.get(user_id, UNKNOWN) != value
        }
        if not state_writes and not data_writes:
            return
        # Rows of this chat and person only, written under the chat's lease: no need to queue
        # behind bookings for PostgreSQL's write lock.
        async with self._db.transaction(serialized=False) as tx:
            for (name, key), state in state_writes.items():
                if state is None:
                    await tx.execute(
                        "DELETE FROM conversations WHERE name = ? AND key = ?", (name, key)
                    )
                else:
                    await tx.execute(
                        """
                        INSERT INTO conversations (name, key, state) VALUES (?, ?, ?)
                        ON CONFLICT (name, key) DO UPDATE SET state = excluded.state
                        """,
                        (name, key, state),
                    )
            for user_id, value in data_writes.items():
                if value is None:
                    await tx.execute("DELETE FROM user_data WHERE user_id = ?", (user_id,))
                else:
                    await tx.execute(
                        """
                        INSERT INTO user_data (user_id, data) VALUES (?, ?)
                        ON CONFLICT (user_id) DO UPDATE SET data = excluded.data
                        """,
                        (user_id, value),
                    )
        self._states.update(state_writes)
        self._data.update(data_writes)
