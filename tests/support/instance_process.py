"""One bot instance in a process of its own, for tests that kill it for real (SIGKILL).

``python -m tests.support.instance_process [START]`` runs the bot as ``python -m bot`` does,
with its settings from the environment, but on the test's clock: it starts at START (ISO
8601; without it, where `tests.support.clock.FakeClock` does) and moves only when told. It
reads commands on stdin, one a line, and answers each on stdout:

* ``clock ISO-MOMENT`` sets the clock, answered ``clock``;
* ``tick`` runs what the one-minute job runs (`bot.handlers.delivery.tick`), answered
  ``tick`` once it is done;
* ``sweep`` looks for updates nobody holds, as the instance does every few seconds
  (`bot.runtime.shared_chats.SharedChats.sweep`: it times them by this clock), answered
  ``sweep`` once it is done.

It says ``ready PORT`` (its listener's port) once it receives updates, and stops as SIGTERM
stops ``python -m bot`` when its stdin closes.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

from bot.app import running_bot
from bot.config import Settings
from bot.handlers.delivery import tick
from bot.logs import configure_logging
from tests.support.clock import FakeClock

NAP = 0.05
"""The longest pause the instance takes (between the election's tries, before a retry): a
follower takes over within this of the leader's death instead of within seconds."""


async def nap(seconds: float) -> None:
    await asyncio.sleep(min(seconds, NAP))


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def serve(settings: Settings, clock: FakeClock) -> None:
    async with running_bot(settings, clock, sleep=nap) as application:
        say(f"ready {application.bot_data['web'].port}")
        reader = asyncio.StreamReader()
        loop = asyncio.get_running_loop()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        async for raw in reader:
            command, _, argument = raw.decode().strip().partition(" ")
            if command == "clock":
                clock.set(datetime.fromisoformat(argument))
                say("clock")
            elif command == "tick":
                await tick(application)
                say("tick")
            elif command == "sweep":
                await application.bot_data["shared_chats"].sweep()
                say("sweep")


def main() -> None:
    settings = Settings()
    secret = settings.webhook_secret
    configure_logging(
        settings.log_level,
        settings.bot_token.get_secret_value(),
        settings.log_format,
        secret.get_secret_value() if secret else "",
    )
    start = sys.argv[1:2]
    asyncio.run(serve(settings, FakeClock(datetime.fromisoformat(start[0]) if start else None)))


if __name__ == "__main__":
    main()
