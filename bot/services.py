"""Everything handlers need, created once per run and reached through `bot_data`."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bot.booking import Bookings
from bot.broadcasts import BroadcastDesk
from bot.clock import Clock
from bot.config import Settings
from bot.fault_reports import FaultReports
from bot.flood import Flood, FloodGuard, SharedFloodGuard
from bot.gazetteer import gazetteer_of
from bot.locator import Locator
from bot.parts import load_parts
from bot.questions import QuestionDesk
from bot.roles import Access
from bot.stock import StockDesk
from bot.storage.conversations import ConversationStore
from bot.storage.customers import Customers
from bot.storage.engine import Engine, open_database
from bot.storage.flood_buckets import FloodBuckets
from bot.storage.postgres import PostgresDatabase
from bot.storage.unit_of_work import Storage
from bot.ticket_desk import TicketDesk
from bot.troubleshooting import TroubleshootingTree, load_tree
from bot.workshops import Network, load_workshops


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading a big network makes a million objects and no reference cycles: the cyclic
    collector would walk them all again and again for nothing (a third of the load time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_data_files(settings: Settings) -> tuple[TroubleshootingTree, Network, Locator]:
    """Read, check and index the troubleshooting tree, the workshops and the towns."""
    with _collector_paused():
        tree = load_tree(settings.troubleshooting_file)
        network = load_workshops(settings.workshops_file, tree, settings.zone)
        gazetteer = gazetteer_of(settings.default_region)
        return tree, network, Locator(network.workshops.values(), gazetteer)


def flood_guard(settings: Settings, db: Engine) -> Flood:
    """Buckets in memory for SQLite's one instance; in the database, shared, on PostgreSQL,
    where several instances may each see some of one person's updates."""
    if isinstance(db, PostgresDatabase):
        return SharedFloodGuard(FloodBuckets(db), settings.flood_burst, settings.flood_rate)
    return FloodGuard(settings.flood_burst, settings.flood_rate)


@dataclass(frozen=True)
class Services:
    settings: Settings
    clock: Clock
    db: Engine
    """The engine itself, for the runtime's wiring (inbox, persistence, health) only."""
    storage: Storage
    """What services and handlers read and write through."""
    tree: TroubleshootingTree
    network: Network
    customers: Customers
    reports: FaultReports
    bookings: Bookings
    conversations: ConversationStore
    access: Access
    desk: TicketDesk
    broadcasts: BroadcastDesk
    locator: Locator
    flood: Flood
    questions: QuestionDesk
    stock: StockDesk

    @classmethod
    async def open(cls, settings: Settings, clock: Clock) -> Services:
        """Load and check the data files before touching the database: a bad file stops here."""
        tree, network, locator = load_data_files(settings)
        parts = load_parts(settings.parts_file, tree, network)
        db = await open_database(settings)
        storage = Storage(db)
        return cls(
            settings=settings,
            clock=clock,
            db=db,
            storage=storage,
            tree=tree,
            network=network,
            customers=Customers(db),
            reports=FaultReports(storage, clock),
            bookings=Bookings(storage, network, clock),
            conversations=ConversationStore(db),
            access=Access(storage, settings.head_office_ids, network, clock),
            desk=TicketDesk(storage, network, clock, settings.currency),
            broadcasts=BroadcastDesk(storage, clock, settings.quiet, settings.zone),
            locator=locator,
            flood=flood_guard(settings, db),
            questions=QuestionDesk(storage, network, clock, settings.question_sla_minutes),
            stock=StockDesk(storage, parts, network, clock),
        )

    async def close(self) -> None:
        await self.db.close()
