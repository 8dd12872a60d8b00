"""How fast a broadcast goes out, and whether customers still get quick answers meanwhile.

    python -m bench.broadcast --customers 1000

Runs the real bot in-process (`running_bot`, a temporary SQLite file) against the fake Bot
API on loopback enforcing Telegram's limits (30 messages a second, 1 per chat). N customers
are written straight into the database; head office sends /broadcast and taps Confirm. While
it runs, customers who are not recipients send /start every --probe-every seconds (in turn,
so no chat gets more than one answer a second) and the time from the update being queued to
the bot's answer arriving at the fake is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot.app import running_bot
from bot.clock import SystemClock
from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi, RateLimit
from bot.fake_telegram.users import FakeUser
from bot.services import Services
from bot.storage.customers import Customers

TOKEN = "123456:BENCH-TOKEN"
HEAD_OFFICE = 9000
FIRST_CUSTOMER = 1_000_000
FIRST_PROBER = 900_000
BODY = "Benchmark broadcast: our workshops are open on Sunday"
GOAL_RATE = 27.0
GOAL_P99_MS = 250.0
ANSWER_TIMEOUT = 2.0
"""Seconds after which a /start counts as unanswered (its latency is recorded as this)."""


@dataclass
class Result:
    recipients: int
    seconds: float
    sending_seconds: float
    delivered: int
    all_sends_while_sending: int
    wrong_copies: int
    too_many_requests: int
    too_many_replies: int
    max_per_second: int
    max_per_chat_second: int
    latencies_ms: list[float]
    report: str

    @property
    def rate(self) -> float:
        """Broadcast messages a second, from the first copy to the last."""
        return self.delivered / self.sending_seconds if self.sending_seconds > 0 else 0.0

    @property
    def total_rate(self) -> float:
        """All messages a second over the same time: the broadcast plus the answers."""
        if self.sending_seconds <= 0:
            return 0.0
        return self.all_sends_while_sending / self.sending_seconds

    def percentile(self, p: int) -> float:
        if not self.latencies_ms:
            return float("nan")
        if len(self.latencies_ms) == 1:
            return self.latencies_ms[0]
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[p - 1]


async def seed(api: FakeBotApi, services: Services, count: int) -> list[int]:
    """Customers who talked to the bot before: one transaction, chats known to the fake."""
    db = services.db
    now = services.clock.now()
    ids = list(range(FIRST_CUSTOMER, FIRST_CUSTOMER + count))
    async with db.transaction() as tx:
        customers = Customers(tx)
        for user_id in ids:
            await customers.remember(user_id, f"C{user_id}", None, None, "en", now)
    for user_id in ids:
        FakeUser(api, user_id, f"C{user_id}")
    return ids


async def probe(
    api: FakeBotApi, probers: list[FakeUser], every: float, done: asyncio.Event
) -> list[float]:
    """/start from the probers in turn every `every` seconds; milliseconds to each answer."""
    latencies: list[float] = []
    turn = 0
    while not done.is_set():
        user = probers[turn % len(probers)]
        turn += 1
        before = api.sent_count(user.chat_id)
        started = time.perf_counter()
        user.send_command("/start")
        try:
            await api.wait_for(
                lambda u=user, n=before: api.sent_count(u.chat_id) > n, ANSWER_TIMEOUT
            )
        except TimeoutError:
            latencies.append(ANSWER_TIMEOUT * 1000)
        else:
            latencies.append((time.perf_counter() - started) * 1000)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(0.0, every - (time.perf_counter() - started))):
                await done.wait()
    return latencies


async def run(customers: int, every: float, probers: int) -> Result:
    with tempfile.TemporaryDirectory(prefix="bench-broadcast-") as folder:
        async with FakeBotApi(token=TOKEN, rate_limit=RateLimit(30, 1)) as api:
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                bot_token=TOKEN,
                telegram_api_url=api.base_url,
                database_path=Path(folder) / "bot.sqlite3",
                health_listen="127.0.0.1:0",
                head_office_ids=frozenset({HEAD_OFFICE}),
                log_level="WARNING",
            )
            async with running_bot(settings, SystemClock()) as app:
                services = app.bot_data["services"]
                recipients = await seed(api, services, customers)
                office = FakeUser(api, HEAD_OFFICE, "Olga")
                office.send_command("/broadcast", BODY)
                preview = await api.wait_for(
                    lambda: next(
                        (m for m in api.sent_to(HEAD_OFFICE) if "reply_markup" in m), None
                    ),
                    timeout=30,
                )
                print(f"preview: {preview['text'].splitlines()[0]}", flush=True)
                # Created only now, so they are not among the recipients.
                people = [
                    FakeUser(api, FIRST_PROBER + i, f"Probe{i}") for i in range(max(1, probers))
                ]
                started = time.monotonic()
                office.press("Confirm", preview["message_id"])
                done = asyncio.Event()
                probing = (
                    asyncio.create_task(probe(api, people, every, done)) if every > 0 else None
                )

                def report() -> str:
                    message = api.message(HEAD_OFFICE, preview["message_id"]) or {}
                    return str(message.get("text", ""))

                last_shown = ""
                while "finished" not in (text := report()) and "cancelled" not in text:
                    if text != last_shown:
                        print(f"  {text.splitlines()[0][:100]}", flush=True)
                        last_shown = text
                    with contextlib.suppress(TimeoutError):
                        await api.wait_for(lambda t=text: report() != t, timeout=5)
                seconds = time.monotonic() - started
                done.set()
                latencies = await probing if probing is not None else []

        body_calls = [
            call
            for call in api.calls_of("sendMessage")
            if call.ok and call.params.get("text") == BODY
        ]
        first, last = (body_calls[0].at_timer, body_calls[-1].at_timer) if body_calls else (0, 0)
        all_sends = sum(
            1
            for call in api.calls
            if call.ok and call.method.startswith("send") and first <= call.at_timer <= last
        )
        return Result(
            recipients=len(recipients),
            seconds=seconds,
            sending_seconds=last - first,
            delivered=len(body_calls),
            all_sends_while_sending=all_sends,
            wrong_copies=sum(1 for chat in recipients if api.sent_count(chat) != 1),
            too_many_requests=api.too_many_requests,
            too_many_replies=sum(
                1 for call in api.rate_limited() if call.params.get("text") != BODY
            ),
            max_per_second=api.max_rate(1.0),
            max_per_chat_second=max(
                api.max_rate(1.0, chat) for chat in [*recipients, *(p.chat_id for p in people)]
            ),
            latencies_ms=latencies,
            report=text,
        )


def table(result: Result) -> str:
    def ok(good: bool) -> str:
        return "ok" if good else "MISSED"

    p50, p99 = result.percentile(50), result.percentile(99)
    rows = [
        ("recipients", f"{result.recipients}", ""),
        ("delivered (exactly one copy each)", f"{result.delivered}", ok(result.wrong_copies == 0)),
        ("duration, Confirm to report, s", f"{result.seconds:.1f}", ""),
        (
            "achieved messages/s, all (copies + answers)",
            f"{result.total_rate:.1f}",
            f"goal >= {GOAL_RATE:.0f}: {ok(result.total_rate >= GOAL_RATE)}",
        ),
        ("  of them broadcast copies/s", f"{result.rate:.1f}", ""),
        (
            "429 answers",
            f"{result.too_many_requests}",
            f"goal 0: {ok(result.too_many_requests == 0)}",
        ),
        ("  of them to replies (answers lost)", f"{result.too_many_replies}", ""),
        (
            "max messages in any 1 s window",
            f"{result.max_per_second}",
            f"limit 30: {ok(result.max_per_second <= 30)}",
        ),
        ("max messages to one chat in 1 s", f"{result.max_per_chat_second}", ""),
        ("/start probes sent", f"{len(result.latencies_ms)}", ""),
        (
            f"  of them unanswered after {ANSWER_TIMEOUT:.0f} s",
            f"{sum(1 for ms in result.latencies_ms if ms >= ANSWER_TIMEOUT * 1000)}",
            "",
        ),
        ("/start answer latency p50, ms", f"{p50:.0f}", ""),
        (
            "/start answer latency p99, ms",
            f"{p99:.0f}",
            f"goal < {GOAL_P99_MS:.0f}: {ok(p99 < GOAL_P99_MS)}",
        ),
        (
            "/start answer latency max, ms",
            f"{max(result.latencies_ms, default=float('nan')):.0f}",
            "",
        ),
    ]
    width = max(len(name) for name, _, _ in rows)
    lines = [f"{name:<{width}}  {value:>8}  {note}".rstrip() for name, value, note in rows]
    lines.append(f"report: {result.report}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--customers", type=int, default=10_000, help="recipients (10000)")
    parser.add_argument(
        "--probe-every",
        type=float,
        default=0.2,
        help="seconds between /start probes; 0: none (0.2)",
    )
    parser.add_argument(
        "--probers",
        type=int,
        default=8,
        help="customers taking turns at /start, so no chat exceeds 1 message/s (8)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    result = asyncio.run(run(args.customers, args.probe_every, args.probers))
    print(table(result))


if __name__ == "__main__":
    main()
