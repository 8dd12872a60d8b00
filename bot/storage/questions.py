"""Question threads between customers and the people who answer them, and their messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.database import Executor, Row, stamp, unstamp

_THREAD = "id, customer_id, ticket_id, workshop_code, waiting_since, created_at"
_MESSAGE = "id, thread_id, author_id, author_role, workshop_code, body, photo, at"


@dataclass(frozen=True)
class ThreadRecord:
    id: int
    customer_id: int
    ticket_id: int | None
    workshop_code: str | None
    """Whose staff answer; None: head office."""
    waiting_since: datetime | None
    """When the oldest unanswered question came; None when everything is answered."""
    created_at: datetime

    @classmethod
    def from_row(cls, row: Row) -> ThreadRecord:
        return cls(
            id=row["id"],
            customer_id=row["customer_id"],
            ticket_id=row["ticket_id"],
            workshop_code=row["workshop_code"],
            waiting_since=unstamp(row["waiting_since"]) if row["waiting_since"] else None,
            created_at=unstamp(row["created_at"]),
        )


@dataclass(frozen=True)
class MessageRecord:
    id: int
    thread_id: int
    author_id: int
    author_role: str
    workshop_code: str | None
    """The workshop an answer is signed with; None: head office (or the customer)."""
    body: str
    photo: str | None
    at: datetime

    @classmethod
    def from_row(cls, row: Row) -> MessageRecord:
        return cls(
            id=row["id"],
            thread_id=row["thread_id"],
            author_id=row["author_id"],
            author_role=row["author_role"],
            workshop_code=row["workshop_code"],
            body=row["body"],
            photo=row["photo"],
            at=unstamp(row["at"]),
        )


class Threads:
    def __init__(self, db: Executor) -> None:
        self._db = db

    async def get(self, thread_id: int) -> ThreadRecord | None:
        row = await self._db.fetch_one(
            f"SELECT {_THREAD} FROM question_threads WHERE id = ?", (thread_id,)
        )
        return ThreadRecord.from_row(row) if row else None

    async def of_customer(self, customer_id: int, ticket_id: int | None) -> ThreadRecord | None:
        row = await self._db.fetch_one(
            f"SELECT {_THREAD} FROM question_threads WHERE customer_id = ?"
            " AND ticket_id IS NOT DISTINCT FROM ?"
            " ORDER BY id LIMIT 1",
            (customer_id, ticket_id),
        )
        return ThreadRecord.from_row(row) if row else None

    async def of_ticket(self, ticket_id: int) -> list[ThreadRecord]:
        rows = await self._db.fetch_all(
            f"SELECT {_THREAD} FROM question_threads WHERE ticket_id = ? ORDER BY id",
            (ticket_id,),
        )
        return [ThreadRecord.from_row(row) for row in rows]

    async def open(
        self, customer_id: int, ticket_id: int | None, workshop_code: str | None, now: datetime
    ) -> int:
        return await self._db.insert(
            "INSERT INTO question_threads (customer_id, ticket_id, workshop_code, created_at)"
            " VALUES (?, ?, ?, ?)",
            (customer_id, ticket_id, workshop_code, stamp(now)),
        )

    async def route(self, thread_id: int, workshop_code: str | None) -> None:
        await self._db.execute(
            "UPDATE question_threads SET workshop_code = ? WHERE id = ?",
            (workshop_code, thread_id),
        )

    async def wait_from(self, thread_id: int, since: datetime | None) -> None:
        """Start (or, with None, stop) the clock of an unanswered question."""
        await self._db.execute(
            "UPDATE question_threads SET waiting_since = ? WHERE id = ?",
            (stamp(since) if since else None, thread_id),
        )

    async def waiting(self, workshop_code: str | None = None) -> list[ThreadRecord]:
        """Threads with an unanswered question, oldest first; of one workshop if given."""
        rows = await self._db.fetch_all(
            f"SELECT {_THREAD} FROM question_threads WHERE waiting_since IS NOT NULL"
            " AND (CAST(? AS TEXT) IS NULL OR workshop_code = ?) ORDER BY waiting_since, id",
            (workshop_code, workshop_code),
        )
        return [ThreadRecord.from_row(row) for row in rows]

    async def add_message(
        self,
        thread_id: int,
        author_id: int,
        author_role: str,
        workshop_code: str | None,
        body: str,
        photo: str | None,
        now: datetime,
    ) -> int:
        return await self._db.insert(
            "INSERT INTO question_messages (thread_id, author_id, author_role, workshop_code,"
            " body, photo, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (thread_id, author_id, author_role, workshop_code, body, photo, stamp(now)),
        )

    async def message(self, message_id: int) -> MessageRecord | None:
        row = await self._db.fetch_one(
            f"SELECT {_MESSAGE} FROM question_messages WHERE id = ?", (message_id,)
        )
        return MessageRecord.from_row(row) if row else None

    async def messages(self, thread_id: int) -> list[MessageRecord]:
        rows = await self._db.fetch_all(
            f"SELECT {_MESSAGE} FROM question_messages WHERE thread_id = ? ORDER BY id",
            (thread_id,),
        )
        return [MessageRecord.from_row(row) for row in rows]

    async def last_question(self, thread_id: int) -> MessageRecord | None:
        row = await self._db.fetch_one(
            f"SELECT {_MESSAGE} FROM question_messages WHERE thread_id = ?"
            " AND author_role = 'customer' ORDER BY id DESC LIMIT 1",
            (thread_id,),
        )
        return MessageRecord.from_row(row) if row else None

    async def delivered(self, chat_id: int, message_ids: list[int], thread_id: int) -> None:
        for message_id in message_ids:
            await self._db.execute(
                "INSERT INTO question_deliveries (chat_id, message_id, thread_id)"
                " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (chat_id, message_id, thread_id),
            )

    async def delivered_in(self, chat_id: int, message_id: int) -> int | None:
        """The thread a bot message in this chat belongs to, if any."""
        row = await self._db.fetch_one(
            "SELECT thread_id FROM question_deliveries WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        )
        return row["thread_id"] if row else None
