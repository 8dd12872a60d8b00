"""Everything handlers need, created once per run and reached through `bot_data`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.booking import Bookings
from bot.broadcasts import BroadcastDesk
from bot.clock import Clock
from bot.config import Settings
from bot.fault_reports import FaultReports
from bot.flood import FloodGuard
from bot.locator import Locator
from bot.roles import Access
from bot.storage.conversations import ConversationStore
from bot.storage.customers import Customers
from bot.storage.database import Database
from bot.ticket_desk import TicketDesk
from bot.troubleshooting import TroubleshootingTree, load_tree
from bot.workshops import Network, load_workshops


@dataclass(frozen=True)
class Services:
    settings: Settings
    clock: Clock
    db: Database
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
    flood: FloodGuard

    @classmethod
    async def open(cls, settings: Settings, clock: Clock) -> Services:
        """Load and check the data files before touching the database: a bad file stops here."""
        tree = load_tree(settings.troubleshooting_file)
        network = load_workshops(settings.workshops_file, tree, settings.zone)
        db = await Database.open(settings.database_path)
        return cls(
            settings=settings,
            clock=clock,
            db=db,
            tree=tree,
            network=network,
            customers=Customers(db),
            reports=FaultReports(db, clock),
            bookings=Bookings(db, network, clock),
            conversations=ConversationStore(db),
            access=Access(db, settings.head_office_ids, network, clock),
            desk=TicketDesk(db, network, clock, settings.currency),
            broadcasts=BroadcastDesk(db, clock, settings.quiet, settings.zone),
            locator=Locator(network.workshops.values()),
            flood=FloodGuard(settings.flood_burst, settings.flood_rate),
        )

    async def close(self) -> None:
        await self.db.close()
