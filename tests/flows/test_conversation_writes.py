"""A conversation's step and its draft are written together or not at all: an update cut short
between the two (a killed instance, a database that refuses one) must not leave a step whose
draft lacks what that step needs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi
from tests.support.bot_runner import BotRunner, Person
from tests.support.clock import FakeClock

ONE_WORKSHOP = Path(__file__).parent / "data" / "one_workshop.yaml"
REFUSE = {
    "sqlite": [
        "CREATE TRIGGER refuse_new_drafts BEFORE INSERT ON user_data"
        " BEGIN SELECT RAISE(ABORT, 'disk full'); END",
        "CREATE TRIGGER refuse_changed_drafts BEFORE UPDATE ON user_data"
        " BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_drafts() RETURNS trigger LANGUAGE plpgsql"
        " AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$",
        "CREATE TRIGGER refuse_drafts BEFORE INSERT OR UPDATE ON user_data"
        " FOR EACH ROW EXECUTE FUNCTION refuse_drafts()",
    ],
}
ACCEPT = {
    "sqlite": ["DROP TRIGGER refuse_new_drafts", "DROP TRIGGER refuse_changed_drafts"],
    "postgresql": ["DROP TRIGGER refuse_drafts ON user_data"],
}


@pytest.fixture
async def testville(
    api: FakeBotApi, settings: Settings, clock: FakeClock
) -> AsyncIterator[BotRunner]:
    runner = BotRunner(api, settings.model_copy(update={"workshops_file": ONE_WORKSHOP}), clock)
    await runner.start()
    yield runner
    await runner.stop()


async def step_of(runner: BotRunner, customer: Person) -> str | None:
    assert runner.app is not None
    row = await runner.app.bot_data["services"].db.fetch_one(
        "SELECT state FROM conversations WHERE name = 'repair' AND key = ?",
        (f"[{customer.id}, {customer.id}]",),
    )
    return row["state"] if row else None


async def test_a_draft_the_database_refuses_leaves_the_step_as_it_was_and_the_customer_can_go_on(
    testville: BotRunner, engine: str
) -> None:
    anna = testville.person(3201)
    await anna.command("/repair")
    await anna.taps("Washing machine")
    await anna.taps("Won't drain")
    await anna.taps("❌ Still broken")
    await anna.finishes_description()
    before = await step_of(testville, anna)
    assert testville.app is not None
    db = testville.app.bot_data["services"].db
    for statement in REFUSE[engine]:
        await db.execute(statement)

    await anna.says("Testville")  # its draft (where she is) cannot be written

    assert await step_of(testville, anna) == before
    for statement in ACCEPT[engine]:
        await db.execute(statement)
    retried = await anna.says("Testville")
    assert any("Workshops that repair" in message.get("text", "") for message in retried)
