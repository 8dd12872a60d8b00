"""Who works for the network: head-office admins added in the bot, and workshop staff."""

from __future__ import annotations

from datetime import datetime

from bot.storage.database import Executor, stamp


class Roles:
    def __init__(self, db: Executor) -> None:
        self._db = db

    async def admin_ids(self) -> set[int]:
        rows = await self._db.fetch_all("SELECT user_id FROM admins")
        return {row["user_id"] for row in rows}

    async def is_admin(self, user_id: int) -> bool:
        row = await self._db.fetch_one("SELECT 1 FROM admins WHERE user_id = ?", (user_id,))
        return row is not None

    async def add_admin(self, user_id: int, added_by: int, now: datetime) -> bool:
        """False if they were an admin already."""
        changed = await self._db.execute(
            "INSERT INTO admins (user_id, added_by, added_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (user_id, added_by, stamp(now)),
        )
        return changed == 1

    async def remove_admin(self, user_id: int) -> bool:
        return await self._db.execute("DELETE FROM admins WHERE user_id = ?", (user_id,)) == 1

    async def workshop_of(self, user_id: int) -> str | None:
        row = await self._db.fetch_one(
            "SELECT workshop_code FROM staff WHERE user_id = ?", (user_id,)
        )
        return row["workshop_code"] if row else None

    async def set_staff(
        self, user_id: int, workshop_code: str, added_by: int, now: datetime
    ) -> str | None:
        """Put someone on a workshop's staff; return the workshop they were at before."""
        before = await self.workshop_of(user_id)
        await self._db.execute(
            """
            INSERT INTO staff (user_id, workshop_code, added_by, added_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET
                workshop_code = excluded.workshop_code, added_by = excluded.added_by,
                added_at = excluded.added_at
            """,
            (user_id, workshop_code, added_by, stamp(now)),
        )
        return before

    async def remove_staff(self, user_id: int) -> bool:
        return await self._db.execute("DELETE FROM staff WHERE user_id = ?", (user_id,)) == 1

    async def staff(self) -> list[tuple[int, str]]:
        """(user id, workshop code) of everyone on staff, by workshop."""
        rows = await self._db.fetch_all(
            "SELECT user_id, workshop_code FROM staff ORDER BY workshop_code, user_id"
        )
        return [(row["user_id"], row["workshop_code"]) for row in rows]

    async def staff_of(self, workshop_code: str) -> list[int]:
        rows = await self._db.fetch_all(
            "SELECT user_id FROM staff WHERE workshop_code = ? ORDER BY user_id", (workshop_code,)
        )
        return [row["user_id"] for row in rows]
