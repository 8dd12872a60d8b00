"""Flood control's buckets in PostgreSQL, shared by every instance of the bot.

A bucket is written by one statement that applies only while the row still carries the
version its writer last saw (compare-and-set), or is full again, and so as good as new: two
instances judging one person at the same moment cannot both spend the same allowance. The
one whose write did not apply gets the row as it stands back from the same statement, and
judges again. The rules are `bot.flood`'s;
this module only keeps the state.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.storage.postgres import PostgresDatabase


@dataclass(frozen=True)
class BucketRow:
    tokens: float
    at: datetime
    warned: bool
    album: str | None
    album_items: int


@dataclass(frozen=True)
class Swap:
    """What `FloodBuckets.swap` did."""

    version: str
    """The row's version now: the one just written, or the one someone else wrote."""
    current: BucketRow | None
    """The row as it stands when it was not written; None when it was."""


_SWAP = """
WITH written AS (
    INSERT INTO flood_buckets AS b
        (user_id, tokens, at, warned, album, album_items, full_at, version)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (user_id) DO UPDATE
    SET tokens = excluded.tokens, at = excluded.at, warned = excluded.warned,
        album = excluded.album, album_items = excluded.album_items,
        full_at = excluded.full_at, version = excluded.version
    WHERE b.version = ? OR b.full_at <= ?
    RETURNING version
)
SELECT TRUE AS written, version, NULL AS tokens, NULL AS at, NULL AS warned,
    NULL AS album, NULL AS album_items
FROM written
UNION ALL
SELECT FALSE, version, tokens, at, warned, album, album_items
FROM flood_buckets
WHERE user_id = ? AND NOT EXISTS (SELECT 1 FROM written)
"""


class FloodBuckets:
    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def swap(
        self,
        user_id: int,
        bucket: BucketRow,
        full_at: datetime,
        expected: str | None,
        or_full_by: datetime | None,
    ) -> Swap | None:
        """Write `bucket`, in one round trip, if there is no row, or the row is still at
        version `expected`, or it is full again by `or_full_by` (as good as new).

        None when it was not written and there is no row to show: one another instance
        inserted a moment ago, after this statement began. Try again.
        """
        version = uuid.uuid4().hex
        row = await self._db.fetch_one(
            _SWAP,
            (
                user_id,
                bucket.tokens,
                _stamp(bucket.at),
                int(bucket.warned),
                bucket.album,
                bucket.album_items,
                _stamp(full_at),
                version,
                expected,
                _stamp(or_full_by) if or_full_by is not None else None,
                user_id,
            ),
        )
        if row is None:
            return None
        if row["written"]:
            return Swap(row["version"], None)
        current = BucketRow(
            row["tokens"],
            datetime.fromisoformat(row["at"]),
            bool(row["warned"]),
            row["album"],
            row["album_items"],
        )
        return Swap(row["version"], current)

    async def prune(self, now: datetime) -> int:
        """Delete the buckets full again by `now`: anyone's next update starts afresh anyway.
        How many went."""
        return await self._db.execute(
            "DELETE FROM flood_buckets WHERE full_at <= ?", (_stamp(now),)
        )


def _stamp(moment: datetime) -> str:
    """UTC text to the microsecond, one width throughout, so that text order is time order;
    a bucket fills up again within seconds, so `bot.storage.database.stamp`'s whole seconds
    are too coarse."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
