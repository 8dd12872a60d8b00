"""`python -m bot emulator`: the bot, a fake Telegram and a web chat page on 127.0.0.1."""

from __future__ import annotations

import argparse
import asyncio
import errno
import signal
import sys
from pathlib import Path

from bot.datafiles import DataFileError
from bot.emulator.app import DEFAULT_DB, DEFAULT_PORT, TOKEN, loopback_host, running_emulator
from bot.logs import configure_logging


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot emulator",
        description=(
            "Run the bot against a local fake Telegram and chat with it in the browser, as "
            "customers, workshop staff and head office. No BOT_TOKEN needed; nothing leaves "
            "this computer."
        ),
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port of the chat page (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="loopback address to listen on: 127.0.0.1 (default), ::1 or localhost",
    )
    parser.add_argument(
        "--demo-data",
        action="store_true",
        help="seed a few weeks of tickets, staff and fault reports",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=DEFAULT_DB,
        help=f"demo database, deleted and created fresh at every start (default {DEFAULT_DB})",
    )
    parser.add_argument(
        "--no-quiet-hours",
        action="store_true",
        help="deliver customer notifications at night too",
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log level (default WARNING)",
    )
    args = parser.parse_args(argv)
    try:
        loopback_host(args.host)
    except ValueError as error:
        parser.error(str(error))
    if not 0 <= args.port <= 65535:
        parser.error(f"port {args.port} is out of range")
    if "emulator" not in args.db.name:
        # The file is deleted at every start: never let a typo point that at real data.
        parser.error(f"--db {args.db}: the file name must contain 'emulator' (it is wiped)")
    return args


async def serve(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with running_emulator(
        port=args.port,
        demo_data=args.demo_data,
        db_path=args.db,
        host=args.host,
        quiet_hours="" if args.no_quiet_hours else None,
    ) as emulator:
        if emulator.seed is not None:
            print(f"Demo data: {emulator.seed.summary()}", flush=True)
        quiet = emulator.settings.quiet
        if quiet is not None:
            print(
                f"Quiet hours {emulator.settings.quiet_hours}: customer notices wait for the "
                "morning (skip time, or start with --no-quiet-hours).",
                flush=True,
            )
        print(f"Emulator: open {emulator.url}  (Ctrl+C stops it)", flush=True)
        await stop.wait()
        print("Emulator: stopping…", flush=True)


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    configure_logging(args.log_level, TOKEN)
    try:
        asyncio.run(serve(args))
    except DataFileError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            print(
                f"error: port {args.port} is in use (another emulator, or another program); "
                "start this one on another, e.g. --port 8081 (--port 0 picks a free one)",
                file=sys.stderr,
            )
            raise SystemExit(1) from None
        if error.errno not in (errno.EACCES, errno.EADDRNOTAVAIL):
            raise
        print(
            f"error: cannot listen on {args.host}:{args.port}: {error.strerror}; "
            "try another --port",
            file=sys.stderr,
        )
        raise SystemExit(1) from None
