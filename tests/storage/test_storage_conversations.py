"""Conversation states and user drafts, kept in the database across restarts."""

from __future__ import annotations

from pathlib import Path

from bot.storage.conversations import ConversationStore
from bot.storage.database import Database
from bot.storage.engine import Engine


async def test_states_round_trip_per_conversation(db: Database) -> None:
    store = ConversationStore(db)

    await store.set_state("repair", "1:1", "CHOOSE_CATEGORY")
    await store.set_state("repair", "2:2", "ASK_PHONE")
    await store.set_state("bookings", "1:1", "CONFIRM_CANCEL")

    assert await store.states("repair") == {"1:1": "CHOOSE_CATEGORY", "2:2": "ASK_PHONE"}
    assert await store.states("bookings") == {"1:1": "CONFIRM_CANCEL"}
    assert await store.states("nothing") == {}


async def test_setting_a_state_again_replaces_it(db: Database) -> None:
    store = ConversationStore(db)

    await store.set_state("repair", "1:1", "CHOOSE_CATEGORY")
    await store.set_state("repair", "1:1", "TREE")

    assert await store.states("repair") == {"1:1": "TREE"}


async def test_setting_a_state_to_none_deletes_it(db: Database) -> None:
    store = ConversationStore(db)
    await store.set_state("repair", "1:1", "TREE")
    await store.set_state("repair", "2:2", "TREE")

    await store.set_state("repair", "1:1", None)

    assert await store.states("repair") == {"2:2": "TREE"}
    row = await db.fetch_one("SELECT COUNT(*) AS n FROM conversations WHERE key = '1:1'")
    assert row is not None and row["n"] == 0


async def test_user_data_round_trips_with_nested_values_and_cyrillic(db: Database) -> None:
    store = ConversationStore(db)
    draft = {"category": "phone", "path": [{"node": "ph_start"}], "city": "Москва", "n": 2}

    await store.set_user_data(5, draft)
    await store.set_user_data(6, {"lang": "en"})

    assert await store.user_data() == {5: draft, 6: {"lang": "en"}}


async def test_user_data_is_replaced_and_emptied_data_is_dropped(db: Database) -> None:
    store = ConversationStore(db)
    await store.set_user_data(5, {"step": 1})
    await store.set_user_data(6, {"step": 1})

    await store.set_user_data(5, {"step": 2})
    await store.set_user_data(6, {})

    assert await store.user_data() == {5: {"step": 2}}

    await store.drop_user_data(5)

    assert await store.user_data() == {}


async def test_states_and_user_data_survive_reopening_the_database(db_path: Path) -> None:
    first = await Database.open(db_path)
    await ConversationStore(first).set_state("repair", "1:1", "ASK_LOCATION")
    await ConversationStore(first).set_user_data(1, {"workshop": "MSK-CENTER"})
    await first.close()

    again = await Database.open(db_path)
    try:
        store = ConversationStore(again)
        assert await store.states("repair") == {"1:1": "ASK_LOCATION"}
        assert await store.user_data() == {1: {"workshop": "MSK-CENTER"}}
    finally:
        await again.close()


async def changes(db: Engine) -> object:
    """What tells whether anything was written since: on SQLite, the rows this connection
    has changed so far; on PostgreSQL, the transaction that wrote each row's version."""
    if db.dialect.name == "sqlite":
        row = await db.fetch_one("SELECT total_changes() AS n")
    else:
        row = await db.fetch_one(
            "SELECT (SELECT string_agg(xmin::text, ',' ORDER BY name, key) FROM conversations)"
            " || '/' || (SELECT string_agg(xmin::text, ',' ORDER BY user_id) FROM user_data)"
            " AS n"
        )
    assert row is not None
    return row["n"]


async def test_a_write_that_changes_nothing_is_skipped(db: Engine) -> None:
    store = ConversationStore(db)
    await store.set_state("repair", "1:1", "TREE")
    await store.set_user_data(1, {"step": 1})
    before = await changes(db)

    await store.set_state("repair", "1:1", "TREE")
    await store.set_user_data(1, {"step": 1})

    assert await changes(db) == before


async def test_what_was_loaded_counts_as_written(db_path: Path) -> None:
    first = await Database.open(db_path)
    await ConversationStore(first).set_user_data(1, {"step": 1})
    await first.close()
    again = await Database.open(db_path)
    try:
        store = ConversationStore(again)
        await store.user_data()
        before = await changes(again)

        await store.set_user_data(1, {"step": 1})

        assert await changes(again) == before
    finally:
        await again.close()


async def test_going_back_to_an_earlier_value_is_written(db: Database) -> None:
    store = ConversationStore(db)
    await store.set_state("repair", "1:1", "TREE")
    await store.set_user_data(1, {"step": 1})

    await store.set_state("repair", "1:1", "PHONE")
    await store.set_user_data(1, {"step": 2})
    await store.set_state("repair", "1:1", "TREE")
    await store.set_user_data(1, {"step": 1})

    assert await store.states("repair") == {"1:1": "TREE"}
    assert await store.user_data() == {1: {"step": 1}}


async def test_the_same_value_after_a_delete_is_written_again(db: Database) -> None:
    store = ConversationStore(db)
    await store.set_state("repair", "1:1", "TREE")
    await store.set_user_data(1, {"step": 1})
    await store.set_state("repair", "1:1", None)
    await store.drop_user_data(1)

    await store.set_state("repair", "1:1", "TREE")
    await store.set_user_data(1, {"step": 1})

    assert await store.states("repair") == {"1:1": "TREE"}
    assert await store.user_data() == {1: {"step": 1}}
