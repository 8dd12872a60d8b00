"""Telegram's sending limits: about 30 messages a second overall, one a second per chat.

Bulk sends (broadcasts, the outbox) wait for room in a sliding one-second window, kept a
little under Telegram's limit and spaced evenly; replies to people never wait, they only take
their place in the window, so bulk sending slows down around them instead of the other way
round.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

WINDOW = 1.0
MARGIN = 0.02
"""Extra seconds kept between sends, for clocks and networks that do not agree exactly."""


class Pacer:
    def __init__(
        self,
        per_second: int = 28,
        per_chat_interval: float = 1.0,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._per_second = per_second
        self._per_chat = per_chat_interval
        self._timer = timer
        self._spacing = WINDOW / per_second
        self._last_bulk = float("-inf")
        self._sent: deque[float] = deque()
        self._last_in_chat: dict[int, float] = {}
        self._paused_until = 0.0
        self._held_until: dict[int, float] = {}
        self._lock = asyncio.Lock()

    def note(self, chat_id: int | None) -> None:
        """A send that does not wait (a reply) still counts toward the limits."""
        now = self._timer()
        self._sent.append(now)
        if chat_id is not None:
            self._last_in_chat[chat_id] = now

    def pause(self, seconds: float) -> None:
        """Telegram said "retry after": no bulk send before then."""
        self._paused_until = max(self._paused_until, self._timer() + seconds)

    def hold(self, chat_id: int, seconds: float) -> None:
        """Telegram said "retry after" for a send to this chat: its replies wait, no one else's."""
        now = self._timer()
        self._held_until = {chat: at for chat, at in self._held_until.items() if at > now}
        self._held_until[chat_id] = max(self._held_until.get(chat_id, now), now + seconds)

    def held_for(self, chat_id: int | None) -> float:
        """Seconds this chat still has to wait after a "retry after"; 0 if none."""
        if chat_id is None:
            return 0.0
        return max(0.0, self._held_until.get(chat_id, 0.0) - self._timer())

    async def wait_turn(self, chat_id: int | None, per_chat: bool = True) -> None:
        """Wait until a bulk send fits the overall limit (and the chat's, if asked), then count it.

        The outbox asks only for the overall limit: a reminder and its map pin may go to one
        chat together, as Telegram allows short bursts in private chats. Broadcasts ask for both.
        """
        chat = chat_id if per_chat else None
        async with self._lock:
            # Waiting for time itself to pass: there is no event to wait on instead.
            while (delay := self.delay(chat)) > 0:  # noqa: ASYNC110
                await asyncio.sleep(delay)
            self.note(chat_id)
            self._last_bulk = self._timer()

    def delay(self, chat_id: int | None) -> float:
        """Seconds a bulk send to `chat_id` would have to wait now."""
        now = self._timer()
        while self._sent and self._sent[0] <= now - WINDOW - MARGIN:
            self._sent.popleft()
        # Evenly spaced, not in bursts: a burst fills the second at once, and a customer's
        # reply in that second would be one message too many.
        waits = [self._paused_until - now, self._last_bulk + self._spacing - now]
        if len(self._sent) >= self._per_second:
            waits.append(self._sent[-self._per_second] + WINDOW + MARGIN - now)
        if chat_id is not None and chat_id in self._last_in_chat:
            waits.append(self._last_in_chat[chat_id] + self._per_chat + MARGIN - now)
        if len(self._last_in_chat) > 10_000:
            self._forget_old(now)
        return max(waits)

    def _forget_old(self, now: float) -> None:
        self._last_in_chat = {
            chat: at for chat, at in self._last_in_chat.items() if at > now - self._per_chat - 1
        }
