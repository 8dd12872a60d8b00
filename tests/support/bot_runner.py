"""The real bot, run in-process against the fake Bot API, and people who talk to it.

`settle()` waits until every update pushed so far has reached the bot's inbox and been fully
handled, so a test reads the chat only once the bot has said everything it will say.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import Any

from telegram.ext import Application

from bot.app import running_bot
from bot.clock import Clock
from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi, JSONDict
from bot.fake_telegram.users import FakeUser
from bot.handlers.delivery import tick

SETTLE_TIMEOUT = 10.0

NO_FLOOD_LIMIT = 0
"""`flood_burst` for tests, no limit: their clock stands still unless a test moves it, so a
person's allowance would never refill; tests/flows/test_flood.py runs with the real limits."""


class BotRunner:
    def __init__(self, api: FakeBotApi, settings: Settings, clock: Clock, **options: Any) -> None:
        """``options`` go to `running_bot` (the poller's sleep, what to call on a fatal error)."""
        self.api = api
        self.settings = settings
        self.clock = clock
        self.options = options
        self._stack: AsyncExitStack | None = None
        self.app: Application | None = None
        self.last_update_id = 0

    async def start(self) -> None:
        self._stack = AsyncExitStack()
        self.app = await self._stack.enter_async_context(
            running_bot(self.settings, self.clock, **self.options)
        )

    async def stop(self) -> None:
        if self._stack is not None:
            await self.settle()
            await self._stack.aclose()
        self._stack, self.app = None, None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    def _idle(self) -> bool:
        app = self.app
        if app is None:
            return False
        intake = app.bot_data["intake"]
        return (
            (self.last_update_id == 0 or intake.last_received >= self.last_update_id)
            and intake.backlog == 0
            and app.update_queue.empty()
            and app.update_processor.current_concurrent_updates == 0
        )

    def _backlog(self) -> int | None:
        return self.app.bot_data["intake"].backlog if self.app is not None else None

    async def settle(self) -> None:
        """Wait (by yielding to the event loop, not by timing) until the bot is idle."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_TIMEOUT
        while not self._idle():
            if loop.time() > deadline:
                raise TimeoutError(
                    f"bot not idle after update {self.last_update_id}; "
                    f"inbox backlog {self._backlog()}"
                )
            await asyncio.sleep(0.001)

    async def acknowledged(self) -> None:
        """Wait until every update handed out has been confirmed by a later getUpdates offset.

        With the inbox, the confirmation rides on the poll after the batch is stored, which
        may come after the bot has gone idle.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_TIMEOUT
        while self.api.pending_updates():
            if loop.time() > deadline:
                raise TimeoutError(f"{self.api.pending_updates()} updates never acknowledged")
            await asyncio.sleep(0.001)

    async def tick(self) -> None:
        """What the scheduler does when time has passed: run the clock-driven work now."""
        assert self.app is not None
        await tick(self.app)
        await self.settle()

    async def finish_broadcasts(self) -> None:
        assert self.app is not None
        runner = self.app.bot_data["broadcaster"]
        for record in await self.app.bot_data["services"].broadcasts.running():
            await runner.wait(record.id)
        await self.settle()

    async def receive(self, update: JSONDict) -> None:
        """An update no `Person` sends (a channel post, an anonymous group admin), handled."""
        self.last_update_id = max(self.last_update_id, self.api.push_update(update))
        await self.settle()

    def person(self, user_id: int, first_name: str = "Anna", language_code: str = "en") -> Person:
        return Person(self, FakeUser(self.api, user_id, first_name, language_code=language_code))


class Person:
    """One person in one chat: each action waits until the bot has finished answering it."""

    def __init__(self, runner: BotRunner, user: FakeUser) -> None:
        self.runner = runner
        self.user = user
        self.id = user.user_id
        self._seen = 0

    def in_group(self, chat_id: int) -> Person:
        """The same person, writing in a group chat the bot is a member of."""
        return Person(self.runner, self.user.in_group(chat_id))

    async def _after(self, update_id: int) -> list[JSONDict]:
        self.runner.last_update_id = max(self.runner.last_update_id, update_id)
        await self.runner.settle()
        return self.new_messages()

    def new_messages(self) -> list[JSONDict]:
        """Bot messages that appeared in the chat since the last look."""
        messages = self.user.messages()
        fresh = [m for m in messages if m["message_id"] > self._seen]
        if messages:
            self._seen = max(m["message_id"] for m in messages)
        return fresh

    async def says(self, text: str) -> list[JSONDict]:
        return await self._after(self.user.send_text(text))

    async def command(self, command: str, args: str = "") -> list[JSONDict]:
        return await self._after(self.user.send_command(command, args))

    async def edits(self, message_id: int, text: str) -> list[JSONDict]:
        """Edit one of one's own messages into ``text``."""
        return await self._after(self.user.edit_text(message_id, text))

    async def taps(self, button: str, message_id: int | None = None) -> list[JSONDict]:
        return await self._after(self.user.press(button, message_id))

    async def finishes_description(self) -> list[JSONDict]:
        """Tap Skip (or ➡️ Continue) at the description step and answer "Don't know" to when
        the product was bought: what most booking walks do on their way to the place."""
        onward = ("Skip", "Пропустить", "➡️ Continue", "➡️ Продолжить")
        await self.taps(next(b for b in self.buttons() if b in onward))
        return await self.taps(next(b for b in self.buttons() if b in ("Don't know", "Не знаю")))

    async def reaches_workshops(self) -> list[JSONDict]:
        """The repair walk most booking tests take, up to the workshops near Testville: a
        washing machine that won't drain, the quick fix did not help, nothing described."""
        await self.command("/repair")
        await self.taps("Washing machine")
        await self.taps("Won't drain")
        await self.taps("❌ Still broken")
        await self.finishes_description()
        return await self.says("Testville")

    async def taps_data(self, message_id: int, data: str) -> list[JSONDict]:
        return await self._after(self.user.press_data(message_id, data))

    async def taps_reply(self, button: str, **kwargs: Any) -> list[JSONDict]:
        """Tap a reply-keyboard button (text, or the location / contact it requests)."""
        return await self._after(self.user.press_reply(button, **kwargs))

    async def user_reply(self, message_id: int, text: str) -> list[JSONDict]:
        """Reply to one of the bot's messages (Telegram's "Reply")."""
        return await self._after(self.user.send_reply(message_id, text))

    async def shares_location(self, lat: float, lon: float) -> list[JSONDict]:
        return await self._after(self.user.send_location(lat, lon))

    async def shares_contact(self, phone: str, **kwargs: Any) -> list[JSONDict]:
        return await self._after(self.user.send_contact(phone, **kwargs))

    async def sends(self, kind: str) -> list[JSONDict]:
        """A sticker, photo, video, voice or document."""
        return await self._after(getattr(self.user, f"send_{kind}")())

    async def sends_album(
        self, photos: int = 3, videos: int = 0, caption: str | None = None
    ) -> list[JSONDict]:
        """An album: several updates sharing one ``media_group_id``."""
        return await self._after(self.user.send_album(photos, videos, caption))

    @property
    def screen(self) -> JSONDict:
        """The latest bot message in the chat, as it looks now (after edits)."""
        message = self.user.api.last_bot_message(self.user.chat_id)
        assert message is not None, "the bot has not written to this chat"
        return message

    def texts(self) -> list[str]:
        return [m.get("text", "") for m in self.user.messages()]

    def buttons(self, message_id: int | None = None) -> list[str]:
        return self.user.buttons(message_id)

    def reply_buttons(self) -> list[str]:
        return [button["text"] for button in self.user.reply_buttons()]

    def toasts(self) -> list[str]:
        return [a.text or "" for a in self.runner.api.callback_answers(self.id)]
