"""`python -m bot`: read the settings and run the bot until Ctrl+C or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError
from telegram.error import InvalidToken, NetworkError

from bot.app import freeze_startup_objects, running_bot
from bot.clock import SystemClock
from bot.config import DatabaseSettings, Settings
from bot.datafiles import DataFileError
from bot.gazetteer import GazetteerError
from bot.logs import configure_logging, redact
from bot.runtime.polling import PollingStopped
from bot.runtime.web import ListenError
from bot.runtime.webhook import ReceiverDied, WebhookRefused
from bot.storage.backup import BackupError, back_up
from bot.storage.database import DatabaseFileError
from bot.storage.postgres import DatabaseServerError

USAGE = """\
  python -m bot                run the bot (long polling, or a webhook with WEBHOOK_URL)
                               until Ctrl+C or SIGTERM
  python -m bot emulator [--demo-data] [--port N] [--db PATH]
                               try it locally: a fake Telegram and a chat page in the browser
                               (python -m bot emulator --help for all its options)
  python -m bot backup FILE    copy the database to FILE, safely while the bot runs
                               (no BOT_TOKEN needed; python -m bot backup --help)"""

SETTINGS = TypeVar("SETTINGS", bound=DatabaseSettings)


def parse_args(argv: list[str]) -> None:
    """Answer `--help` before any setting is read: a newcomer asks that first, token or not."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        usage=f"\n{USAGE}",
        description="The repair network's Telegram bot.",
        epilog=(
            "Settings come from the environment or a .env file in the current folder; "
            "the bot needs BOT_TOKEN. See .env.example for every setting, with comments."
        ),
    )
    parser.parse_args(argv)


def load_settings(kind: type[SETTINGS]) -> SETTINGS:
    try:
        return kind()
    except ValidationError as error:
        for problem in error.errors():
            name = str(problem["loc"][0]).upper() if problem["loc"] else ""
            if not name:
                # A rule across settings: its message names them.
                print(f"error: {problem['msg']}", file=sys.stderr)
            elif problem["type"] == "missing":
                print(
                    f"error: {name} is not set; put it in the environment or in .env "
                    "(see .env.example)",
                    file=sys.stderr,
                )
            else:
                print(f"error: {name}: {problem['msg']}", file=sys.stderr)
        raise SystemExit(2) from None


async def serve(settings: Settings) -> None:
    """Run until a signal, or until the bot can no longer receive updates: then, once shut
    down cleanly, raise the reason, so the process exits non-zero and a supervisor sees it."""
    stop = asyncio.Event()
    fatal: list[BaseException] = []

    def give_up(reason: BaseException) -> None:
        fatal.append(reason)
        stop.set()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with running_bot(settings, SystemClock(), on_fatal=give_up):
        freeze_startup_objects()
        await stop.wait()
    if fatal:
        raise fatal[0]


def backup(argv: list[str]) -> None:
    """Copy the database at DATABASE_PATH; an operator's cron job runs this, token or not.

    Only the main file: the inbox file beside it (`bot.storage.database.inbox_path`) holds just
    the updates in flight and the ids of the last day's, nothing a restore needs."""
    parser = argparse.ArgumentParser(
        prog="python -m bot backup",
        description=(
            "Copy the database at DATABASE_PATH to FILE through SQLite's online backup: a "
            "consistent copy, safe to take while the bot runs. FILE is replaced only once the "
            "copy is complete and checked. Reads DATABASE_PATH from the environment or .env; "
            "needs no BOT_TOKEN. The inbox file beside it (updates in flight) is not copied."
        ),
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="where to write the copy")
    target = parser.parse_args(argv).file
    settings = load_settings(DatabaseSettings)
    if settings.database_url is not None:
        print(
            "error: DATABASE_URL is set: the data is in PostgreSQL, which backs up with its own "
            "tools (pg_dump); this command copies the SQLite file",
            file=sys.stderr,
        )
        raise SystemExit(2)
    database = settings.database_path
    try:
        size = back_up(database, target)
    except (BackupError, DatabaseFileError) as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"backed up {database} to {target} ({size} bytes)")


def main() -> None:
    if sys.argv[1:2] == ["emulator"]:
        # Development only: the bot against a local fake Telegram, with a web chat page.
        from bot.emulator.cli import main as run_emulator

        run_emulator(sys.argv[2:])
        return
    if sys.argv[1:2] == ["backup"]:
        backup(sys.argv[2:])
        return
    parse_args(sys.argv[1:])
    settings = load_settings(Settings)
    token = settings.bot_token.get_secret_value()
    webhook_secret = settings.webhook_secret
    configure_logging(
        settings.log_level,
        token,
        settings.log_format,
        webhook_secret.get_secret_value() if webhook_secret else "",
    )
    try:
        asyncio.run(serve(settings))
    except (
        DataFileError,
        DatabaseFileError,
        DatabaseServerError,
        GazetteerError,
        ListenError,
        WebhookRefused,
    ) as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    except InvalidToken:
        # The library's own message repeats the token.
        print("error: Telegram rejected BOT_TOKEN; check it with @BotFather", file=sys.stderr)
        raise SystemExit(2) from None
    except ReceiverDied:
        # Its one CRITICAL line is in the log already; a supervisor restarts both processes.
        raise SystemExit(1) from None
    except PollingStopped as error:
        print(f"error: {redact(str(error), token)}; see the log above", file=sys.stderr)
        raise SystemExit(1) from None
    except NetworkError as error:
        # Only start-up gets here: once polling, the poller retries on its own.
        where, reason = settings.telegram_api_url, redact(str(error), token)
        print(f"error: cannot reach Telegram at {where}: {reason}", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
