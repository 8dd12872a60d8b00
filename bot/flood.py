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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

ALBUM_SIZE = 10
"""The most items Telegram puts in one album: more under one `media_group_id` is forged."""


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"
    """The first refused update of a streak: say why, once."""
    IGNORE = "ignore"
    """Refused again before the person has been quiet long enough to start afresh."""


@dataclass
class _Bucket:
    tokens: float
    at: datetime
    warned: bool = False
    album: str | None = None
    """The album whose first item was paid for, and how many of its items came."""
    album_items: int = 0


class FloodGuard:
    """``burst`` updates at once, then ``per_second`` on average, per user; a burst of 0 is
    no limit at all (tests with a clock that stands still, the emulator, the benchmark)."""

    PRUNE_EVERY = 10_000
    """Checks between two sweeps of buckets that have filled up again (forgotten, as new)."""

    def __init__(self, burst: int, per_second: float) -> None:
        if burst < 0 or per_second <= 0:
            raise ValueError("burst must be 0 (no limit) or more, and per_second above 0")
        self.burst = burst
        self.per_second = per_second
        self._buckets: dict[int, _Bucket] = {}
        self._checks = 0

    @property
    def remembered(self) -> int:
        """People with a bucket in memory: only the recently busy ones, however many talk."""
        return len(self._buckets)

    def check(self, user_id: int, now: datetime, album: str | None = None) -> Verdict:
        """Count one update; the items of one `album` after the first are free."""
        if not self.burst:
            return Verdict.ALLOW
        self._checks += 1
        if self._checks % self.PRUNE_EVERY == 0:
            self._prune(now)
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = _Bucket(float(self.burst), now)
        else:
            self._refill(bucket, now)
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

    def silenced(self, user_id: int, now: datetime) -> bool:
        """Would `check` refuse this person without a word? Answers without counting an update.

        Lets the inbox drop such updates before they are even parsed: under a flood those are
        nearly all of them, and each one going the whole way costs as much as a real one.
        """
        bucket = self._buckets.get(user_id)
        if bucket is None or not bucket.warned:
            return False
        self._refill(bucket, now)
        return bucket.warned and bucket.tokens < 1

    def _refill(self, bucket: _Bucket, now: datetime) -> None:
        elapsed = max((now - bucket.at).total_seconds(), 0.0)
        bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.per_second)
        bucket.at = max(bucket.at, now)
        if bucket.tokens >= self.burst:
            bucket.warned = False  # quiet long enough: a new streak gets a new warning

    def _prune(self, now: datetime) -> None:
        """Forget people whose bucket is full again: they would start afresh anyway."""
        for user_id, bucket in list(self._buckets.items()):
            self._refill(bucket, now)
            if bucket.tokens >= self.burst:
                del self._buckets[user_id]
