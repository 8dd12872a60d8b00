"""Quiet hours: customers are not messaged at night, their messages wait for the morning."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Self
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> Self:
        """`21:00-09:00`; the span may cross midnight."""
        try:
            first, second = (part.strip() for part in text.split("-"))
            start, end = time.fromisoformat(first), time.fromisoformat(second)
        except ValueError as error:
            raise ValueError(f"'{text}' is not like 21:00-09:00") from error
        if start == end:
            raise ValueError(f"'{text}' is empty: start and end are the same")
        return cls(start, end)

    def is_quiet(self, local: time) -> bool:
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """`moment` itself when it is not quiet, else the end of this quiet period.

        The end is built as a local wall-clock time and then converted, so a daylight-saving
        change moves it with the clock on the wall, not by an hour.
        """
        local = moment.astimezone(zone)
        if not self.is_quiet(local.time()):
            return moment
        day = local.date() if local.time() < self.end else local.date() + timedelta(days=1)
        return datetime.combine(day, self.end, tzinfo=zone).astimezone(moment.tzinfo)
