"""Child process of the benchmark: the bot's start-up on a given database, measured alone.

``python -m bench.startup DB_PATH SPAWNED_AT`` starts the fake Bot API and enters
``running_bot`` on the database (nothing else is done in this process, so its peak RSS is the
start-up's own), prints one JSON line and exits. ``SPAWNED_AT`` is the parent's ``time.time()``
when it started this process, so the time to polling includes interpreter start and imports.

``python -m bench.startup --data-files WORKSHOPS_FILE`` does only what start-up does with the
data files (``bot.services.load_data_files``: the bundled troubleshooting tree, the given
workshops file, the locator's index) and prints one JSON line: its seconds, and the process's
peak RSS, which includes only the imports loading needs.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import asyncio  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402


async def measure(path: Path, spawned_at: float, imports_s: float) -> dict[str, float]:
    from bench.driver import TOKEN, peak_rss_mb
    from bot.app import running_bot
    from bot.clock import SystemClock
    from bot.config import Settings
    from bot.fake_telegram.server import FakeBotApi

    async with FakeBotApi(token=TOKEN) as api:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            bot_token=TOKEN,
            telegram_api_url=api.base_url,
            database_path=path,
            health_listen="127.0.0.1:0",
        )
        before = peak_rss_mb()
        entering = time.perf_counter()
        async with running_bot(settings, SystemClock()) as application:
            enter_s = time.perf_counter() - entering
            polling_at_s = time.time() - spawned_at
            peak = peak_rss_mb()
            db = application.bot_data["services"].db
            row = await db.fetch_one("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'")
        return {
            "imports_s": imports_s,
            "enter_s": enter_s,
            "polling_at_s": polling_at_s,
            "before_mb": before,
            "peak_mb": max(peak, peak_rss_mb()),
            "pending_after": row["n"] if row else -1,
        }


def measure_data_files(path: Path) -> dict[str, float]:
    from bench.memory import peak_rss_mb
    from bot.config import Settings
    from bot.services import load_data_files

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token="1:BENCH",
        workshops_file=path,
    )
    before = peak_rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    _, network, _ = load_data_files(settings)
    return {
        "workshops": len(network.workshops),
        "load_s": time.perf_counter() - started,
        "cpu_s": time.process_time() - cpu,
        "before_mb": before,
        "peak_mb": peak_rss_mb(),
    }


def main() -> None:
    if sys.argv[1] == "--data-files":
        print(json.dumps(measure_data_files(Path(sys.argv[2]))), flush=True)
        return
    path, spawned_at = Path(sys.argv[1]), float(sys.argv[2])
    import bot.app  # noqa: F401  # the imports a start-up pays for, timed apart

    imports_s = time.perf_counter() - STARTED
    print(json.dumps(asyncio.run(measure(path, spawned_at, imports_s))), flush=True)


if __name__ == "__main__":
    main()
