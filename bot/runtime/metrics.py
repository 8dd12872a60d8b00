"""What `/metrics` shows Prometheus: counters kept as things happen, backlogs read when scraped.

Each application has a registry of its own, not the library's global one: tests start many
bots in one process, and each must count only its own. Counters are bumped where the event
happens (the intake, the update processor, the HTTP backend, the rate limiter); backlogs and
broadcast progress are read from the inbox and the database at scrape time, so they can never
drift from what the database says.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from telegram import Bot, Update

from bot.storage.broadcasts import Tally

UPDATE_TYPES = frozenset(Update.ALL_TYPES)

API_METHODS = {
    name.lower(): name
    for name in dir(Bot)
    if name[:1].islower() and name != name.lower() and "_" not in name
}
"""Bot API method names as documented (sendMessage), by their lower case: names are
case-insensitive, and some calls spell them in lower case, which would split their counts."""

HANDLING_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
"""Seconds: most updates take a few milliseconds, a booking with its notices some tens."""


def raw_update_type(item: Mapping[str, Any]) -> str:
    """``message``, ``callback_query``, ...: the one payload key of a raw update."""
    for key in item:
        if key != "update_id":
            return key if key in UPDATE_TYPES else "other"
    return "other"


def update_type(update: object) -> str:
    if isinstance(update, Update):
        for kind in Update.ALL_TYPES:
            if getattr(update, kind, None) is not None:
                return str(kind)
    return "other"


def call_outcome(status: int) -> str:
    """How a Bot API answer is counted: ``ok``, ``429``, ``403``, ``5xx``, or its 4xx code."""
    if status < 300:
        return "ok"
    if status >= 500:
        return "5xx"
    return str(status)


@dataclass
class State:
    """What the database and the inbox hold right now, read just before a scrape."""

    inbox_backlog: int = 0
    leader: bool = False
    outbox_backlog: Mapping[str, int] = field(default_factory=dict)
    oldest_due_outbox_seconds: int | None = None
    broadcasts: Mapping[int, Tally] = field(default_factory=dict)


class StateCollector(Collector):
    """Gauges from the latest `State`: nothing to keep in step while the bot runs."""

    def __init__(self) -> None:
        self.state = State()

    def collect(self) -> Iterator[Metric]:
        state = self.state
        inbox = GaugeMetricFamily(
            "repairbot_inbox_backlog", "Updates stored in the inbox and not yet handled."
        )
        inbox.add_metric([], state.inbox_backlog)
        yield inbox
        yield GaugeMetricFamily(
            "repairbot_leader",
            "1 on the instance that plans digests and scheduled broadcasts and sends broadcasts.",
            value=int(state.leader),
        )
        outbox = GaugeMetricFamily(
            "repairbot_outbox_backlog",
            "Messages in the outbox not yet sent, due now or later, by kind.",
            labels=["kind"],
        )
        for kind, count in sorted(state.outbox_backlog.items()):
            outbox.add_metric([kind], count)
        yield outbox
        if state.oldest_due_outbox_seconds is not None:
            yield GaugeMetricFamily(
                "repairbot_outbox_oldest_due_seconds",
                "How long the longest-waiting message that is due has waited to go out.",
                value=state.oldest_due_outbox_seconds,
            )
        recipients = GaugeMetricFamily(
            "repairbot_broadcast_recipients",
            "Recipients of each running broadcast, by delivery state (sent, pending, ...).",
            labels=["broadcast", "state"],
        )
        for broadcast_id, tally in sorted(state.broadcasts.items()):
            for name in ("pending", "sent", "blocked", "failed", "cancelled"):
                recipients.add_metric([str(broadcast_id), name], getattr(tally, name))
        yield recipients


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.updates_received = Counter(
            "repairbot_updates_received",
            "Updates stored in the inbox, by type (re-deliveries not counted).",
            ["type"],
            registry=self.registry,
        )
        self.updates_handled = Counter(
            "repairbot_updates_handled",
            "Updates done with, by type and outcome (ok, failed, refused by flood control).",
            ["type", "outcome"],
            registry=self.registry,
        )
        self.handling_seconds = Histogram(
            "repairbot_update_handling_seconds",
            "Time the handlers took on an update, once its turn came, by type.",
            ["type"],
            buckets=HANDLING_BUCKETS,
            registry=self.registry,
        )
        self.api_calls = Counter(
            "repairbot_bot_api_calls",
            "Bot API requests by method and outcome (ok, 429, 403, other 4xx, 5xx, network).",
            ["method", "outcome"],
            registry=self.registry,
        )
        self.messages_sent = Counter(
            "repairbot_messages_sent",
            "Messages Telegram took, by lane: replies, the outbox, broadcasts.",
            ["lane"],
            registry=self.registry,
        )
        self._state = StateCollector()
        self.registry.register(self._state)

    def received(self, item: Mapping[str, Any]) -> None:
        self.updates_received.labels(raw_update_type(item)).inc()

    def handled(self, kind: str, outcome: str) -> None:
        self.updates_handled.labels(kind, outcome).inc()

    def took(self, update: object, seconds: float) -> None:
        self.handling_seconds.labels(update_type(update)).observe(seconds)

    def api_call(self, method: str, outcome: str) -> None:
        self.api_calls.labels(API_METHODS.get(method.lower(), method), outcome).inc()

    def sent(self, lane: str) -> None:
        self.messages_sent.labels(lane).inc()

    def exposition(self, state: State) -> bytes:
        """The text format, with gauges from ``state`` (no await between: one consistent view)."""
        self._state.state = state
        return generate_latest(self.registry)


def metrics_route(
    metrics: Metrics, read_state: Callable[[], Awaitable[State]]
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The `GET /metrics` handler."""

    async def serve(request: web.Request) -> web.Response:
        body = metrics.exposition(await read_state())
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return serve
