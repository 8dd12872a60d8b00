"""How fast one person may talk to the bot: a token bucket per user.

A stuck client or a script can send hundreds of updates a second. Each one that gets through
costs database writes and replies, and, since updates are acknowledged only once handled,
holds a place in the window of updates Telegram shows the bot. One person's updates are also
handled one after another, so a long burst of them keeps the oldest of them in flight, and
with it the acknowledgement of everyone's updates, for the whole burst: hence a small burst.
Updates over the limit are refused at once, before any handler runs, and the person is told
once per streak. A person's own ordinary pace (a tap every
second or two, a few quick messages) stays inside the limit, and so does a photo album: its
photos come as one update each, sharing a `media_group_id`, and cost one update together.

The rules (`Limits`) are written once and applied to a bucket wherever it is kept: in memory
for SQLite's one instance (`FloodGuard`), or in the database when several instances on one
PostgreSQL each see some of a person's updates (`SharedFloodGuard`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from enum import Enum

from bot.storage.flood_buckets import BucketRow, FloodBuckets

ALBUM_SIZE = 10
"""The most items Telegram puts in one album: more under one `media_group_id` is forged."""


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"
    """The first refused update of a streak: say why, once."""
    IGNORE = "ignore"
    """Refused again before the person has been quiet long enough to start afresh."""


@dataclass
class Bucket:
    """One person's allowance, whichever store keeps it."""

    tokens: float
    at: datetime
    warned: bool = False
    album: str | None = None
    """The album whose first item was paid for, and how many of its items came."""
    album_items: int = 0


@dataclass(frozen=True)
class Limits:
    """The rules, applied to a bucket from memory or from the database alike: ``burst``
    updates at once, then ``per_second`` on average; a burst of 0 is no limit at all (tests
    with a clock that stands still, the emulator, the benchmark)."""

    burst: int
    per_second: float

    def __post_init__(self) -> None:
        if self.burst < 0 or self.per_second <= 0:
            raise ValueError("burst must be 0 (no limit) or more, and per_second above 0")

    def fresh(self, now: datetime) -> Bucket:
        """The bucket of someone not heard from lately: full."""
        return Bucket(float(self.burst), now)

    def judge(self, bucket: Bucket, now: datetime, album: str | None) -> Verdict:
        """Count one update against `bucket`, in place; the items of one `album` after the
        first are free."""
        self.refill(bucket, now)
        if album is not None and album == bucket.album and bucket.album_items < ALBUM_SIZE:
            bucket.album_items += 1
            return Verdict.ALLOW
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            if album is not None and album != bucket.album:
                bucket.album, bucket.album_items = album, 1
            return Verdict.ALLOW
        if bucket.warned:
            return Verdict.IGNORE
        bucket.warned = True
        return Verdict.WARN

    def silences(self, bucket: Bucket, now: datetime) -> bool:
        """Would `judge` refuse the next update without a word? Counts nothing."""
        if not bucket.warned:
            return False
        self.refill(bucket, now)
        return bucket.warned and bucket.tokens < 1

    def refill(self, bucket: Bucket, now: datetime) -> None:
        """Earn back what the time since the bucket was last looked at pays for.

        Refilling changes nothing `judge` would decide: a bucket refilled, or not, to a later
        time, is the same allowance, so either store may refill the copy it holds at will.
        """
        elapsed = max((now - bucket.at).total_seconds(), 0.0)
        bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.per_second)
        bucket.at = max(bucket.at, now)
        if bucket.tokens >= self.burst:
            bucket.warned = False  # quiet long enough: a new streak gets a new warning

    def full_at(self, bucket: Bucket) -> datetime:
        """When the bucket is full again, from then on as good as forgotten."""
        return bucket.at + timedelta(seconds=(self.burst - bucket.tokens) / self.per_second)


class FloodGuard:
    """The buckets in this process's memory: for one instance (SQLite)."""

    PRUNE_EVERY = 10_000
    """Checks between two sweeps of buckets that have filled up again (forgotten, as new)."""

    def __init__(self, burst: int, per_second: float) -> None:
        self.limits = Limits(burst, per_second)
        self._buckets: dict[int, Bucket] = {}
        self._checks = 0

    @property
    def remembered(self) -> int:
        """People with a bucket in memory: only the recently busy ones, however many talk."""
        return len(self._buckets)

    def check(self, user_id: int, now: datetime, album: str | None = None) -> Verdict:
        """Count one update; the items of one `album` after the first are free."""
        if not self.limits.burst:
            return Verdict.ALLOW
        self._checks += 1
        if self._checks % self.PRUNE_EVERY == 0:
            self._prune(now)
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = self.limits.fresh(now)
        return self.limits.judge(bucket, now, album)

    async def admit(self, user_id: int, now: datetime, album: str | None = None) -> Verdict:
        """`check`, awaited as the shared guard's is."""
        return self.check(user_id, now, album)

    def silenced(self, user_id: int, now: datetime) -> bool:
        """Would `check` refuse this person without a word? Answers without counting an update.

        Lets the inbox drop such updates before they are even parsed: under a flood those are
        nearly all of them, and each one going the whole way costs as much as a real one.
        """
        bucket = self._buckets.get(user_id)
        return bucket is not None and self.limits.silences(bucket, now)

    def _prune(self, now: datetime) -> None:
        """Forget people whose bucket is full again: they would start afresh anyway."""
        for user_id, bucket in list(self._buckets.items()):
            self.limits.refill(bucket, now)
            if bucket.tokens >= self.limits.burst:
                del self._buckets[user_id]


@dataclass
class _Seen:
    """A bucket as this instance last read or wrote it, and the version it had then."""

    bucket: Bucket
    version: str


class SharedFloodGuard:
    """The buckets in the database, for several instances on one PostgreSQL.

    The instance judges the bucket as it last saw it (as new, if it is full again by now)
    and writes the outcome in one statement that applies only if nobody has written the row
    since (or the row is full again too); if somebody has, the same statement hands back the
    row as it stands, and the update is judged again on that. So a person has one allowance
    and gets one warning, whichever instances their updates reach. An update costs one
    statement, and one more when another instance has just judged the same busy person.

    `silenced` asks no database: it answers from the buckets this instance has seen. A
    silenced bucket only gets emptier until its time has passed, whoever else judges it, so
    that answer never refuses anyone the shared bucket would let through; an update that
    reaches an instance which has not seen the warning goes to `admit`, which refuses it
    without a second one, and from then on this instance silences the person too.
    """

    PRUNE_EVERY = 10_000
    """Updates between two sweeps of buckets that have filled up again, here and in the
    database (whichever instance gets there first)."""

    def __init__(self, store: FloodBuckets, burst: int, per_second: float) -> None:
        self.limits = Limits(burst, per_second)
        self._store = store
        self._seen: dict[int, _Seen] = {}
        self._checks = 0

    async def admit(self, user_id: int, now: datetime, album: str | None = None) -> Verdict:
        """Count one update against the person's shared bucket."""
        if not self.limits.burst:
            return Verdict.ALLOW
        self._checks += 1
        if self._checks % self.PRUNE_EVERY == 0:
            await self._prune(now)
        seen = self._seen.get(user_id)
        while True:
            # A bucket full again is judged as new, and written over any other instance's
            # that is full too: a person at an ordinary pace costs one statement an update,
            # whichever instance heard from them last.
            afresh = seen is None or self.limits.full_at(seen.bucket) <= now
            bucket = self.limits.fresh(now) if seen is None or afresh else replace(seen.bucket)
            verdict = self.limits.judge(bucket, now, album)
            swap = await self._store.swap(
                user_id,
                BucketRow(**asdict(bucket)),
                self.limits.full_at(bucket),
                expected=seen.version if seen is not None else None,
                or_full_by=now if afresh else None,
            )
            if swap is None:
                seen = None
            elif swap.current is None:
                self._seen[user_id] = _Seen(bucket, swap.version)
                return verdict
            else:
                seen = _Seen(Bucket(**asdict(swap.current)), swap.version)

    def silenced(self, user_id: int, now: datetime) -> bool:
        """Would `admit` refuse this person without a word, as far as this instance has seen?"""
        seen = self._seen.get(user_id)
        return seen is not None and self.limits.silences(seen.bucket, now)

    async def _prune(self, now: datetime) -> None:
        for user_id, seen in list(self._seen.items()):
            if self.limits.full_at(seen.bucket) <= now:
                del self._seen[user_id]
        await self._store.prune(now)


Flood = FloodGuard | SharedFloodGuard
"""Flood control for one instance (memory) or several (the database)."""
