"""Conversation states and user drafts, kept in the database across restarts and instances."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.storage.conversations import ConversationStore, Stored
from bot.storage.database import Database
from bot.storage.engine import Engine


async def test_one_read_gives_the_asked_states_and_the_persons_data(db: Engine) -> None:
    store = ConversationStore(db)
    await store.save({("repair", "[1, 1]"): "CATEGORY"}, {})
    await store.save({("repair", "[2, 2]"): "PHONE"}, {})
    await store.save({("bookings", "[1, 1]"): "CONFIRM_CANCEL"}, {})
    await store.save({}, {1: {"step": 1}})
    await store.save({}, {2: {"step": 2}})

    loaded = await ConversationStore(db).load([("repair", "[1, 1]"), ("bookings", "[1, 1]")], 1)

    assert loaded == Stored({"repair": "CATEGORY", "bookings": "CONFIRM_CANCEL"}, {"step": 1})


async def test_nothing_stored_loads_as_no_state_and_empty_data(db: Engine) -> None:
    store = ConversationStore(db)
    await store.save({("repair", "[2, 2]"): "PHONE"}, {})

    assert await store.load([("repair", "[1, 1]")], 1) == Stored()
    assert await store.load([], None) == Stored()
    assert await store.load([], 2) == Stored()
    assert await store.load([("repair", "[2, 2]")], None) == Stored({"repair": "PHONE"})


async def test_setting_a_state_again_replaces_it(db: Engine) -> None:
    store = ConversationStore(db)

    await store.save({("repair", "[1, 1]"): "CATEGORY"}, {})
    await store.save({("repair", "[1, 1]"): "TREE"}, {})

    assert (await store.load([("repair", "[1, 1]")], None)).states == {"repair": "TREE"}


async def test_setting_a_state_to_none_deletes_it(db: Engine) -> None:
    store = ConversationStore(db)
    await store.save({("repair", "[1, 1]"): "TREE"}, {})
    await store.save({("repair", "[2, 2]"): "TREE"}, {})

    await store.save({("repair", "[1, 1]"): None}, {})

    row = await db.fetch_one("SELECT COUNT(*) AS n FROM conversations")
    assert row is not None and row["n"] == 1
    assert (await store.load([("repair", "[2, 2]")], None)).states == {"repair": "TREE"}


async def test_user_data_round_trips_with_nested_values_and_cyrillic(db: Engine) -> None:
    store = ConversationStore(db)
    draft = {"category": "phone", "path": [{"node": "ph_start"}], "city": "Москва", "n": 2}

    await store.save({}, {5: draft})

    assert (await ConversationStore(db).load([], 5)).data == draft


async def test_user_data_is_replaced_and_emptied_data_is_dropped(db: Engine) -> None:
    store = ConversationStore(db)
    await store.save({}, {5: {"step": 1}})
    await store.save({}, {6: {"step": 1}})

    await store.save({}, {5: {"step": 2}})
    await store.save({}, {6: {}})

    assert (await store.load([], 5)).data == {"step": 2}
    row = await db.fetch_one("SELECT COUNT(*) AS n FROM user_data")
    assert row is not None and row["n"] == 1

    await store.save({}, {5: None})

    row = await db.fetch_one("SELECT COUNT(*) AS n FROM user_data")
    assert row is not None and row["n"] == 0


async def test_states_and_user_data_survive_reopening_the_database(db_path: Path) -> None:
    first = await Database.open(db_path)
    await ConversationStore(first).save({("repair", "[1, 1]"): "LOCATION"}, {})
    await ConversationStore(first).save({}, {1: {"workshop": "MSK-CENTER"}})
    await first.close()

    again = await Database.open(db_path)
    try:
        loaded = await ConversationStore(again).load([("repair", "[1, 1]")], 1)
        assert loaded == Stored({"repair": "LOCATION"}, {"workshop": "MSK-CENTER"})
    finally:
        await again.close()


async def changes(db: Engine) -> object:
    """What tells whether anything was written since: on SQLite, the rows this connection
    has changed so far; on PostgreSQL, the transaction that wrote each row's version."""
    if db.dialect.name == "sqlite":
        row = await db.fetch_one("SELECT total_changes() AS n")
    else:
        row = await db.fetch_one(
            "SELECT coalesce((SELECT string_agg(xmin::text, ',' ORDER BY name, key)"
            " FROM conversations), '') || '/' || coalesce((SELECT string_agg(xmin::text, ','"
            " ORDER BY user_id) FROM user_data), '') AS n"
        )
    assert row is not None
    return row["n"]


async def test_a_write_that_changes_nothing_is_skipped(db: Engine) -> None:
    store = ConversationStore(db)
    await store.save({("repair", "[1, 1]"): "TREE"}, {})
    await store.save({}, {1: {"step": 1}})
    before = await changes(db)

    await store.save({("repair", "[1, 1]"): "TREE"}, {})
    await store.save({}, {1: {"step": 1}})

    assert await changes(db) == before


async def test_what_was_loaded_counts_as_written(db: Engine) -> None:
    await ConversationStore(db).save({("repair", "[1, 1]"): "TREE"}, {})
    await ConversationStore(db).save({}, {1: {"step": 1}})
    store = ConversationStore(db)
    await store.load([("repair", "[1, 1]"), ("repair", "[2, 2]")], 1)
    await store.load([], 2)
    before = await changes(db)

    await store.save({("repair", "[1, 1]"): "TREE"}, {})
    await store.save({}, {1: {"step": 1}})
    await store.save({("repair", "[2, 2]"): None}, {})
    await store.save({}, {2: {}})

    assert await changes(db) == before


async def test_what_another_instance_wrote_since_is_known_once_loaded(db: Engine) -> None:
    """This instance wrote TREE, another moved the customer on to PHONE: going back to TREE
    here must be written, although it is what this instance last wrote itself."""
    here, there = ConversationStore(db), ConversationStore(db)
    await here.save({("repair", "[1, 1]"): "TREE"}, {})
    await here.save({}, {1: {"step": 1}})
    await there.load([("repair", "[1, 1]")], 1)
    await there.save({("repair", "[1, 1]"): "PHONE"}, {})
    await there.save({}, {1: {"step": 2}})

    await here.load([("repair", "[1, 1]")], 1)
    await here.save({("repair", "[1, 1]"): "TREE"}, {})
    await here.save({}, {1: {"step": 1}})

    assert await there.load([("repair", "[1, 1]")], 1) == Stored({"repair": "TREE"}, {"step": 1})


async def test_going_back_to_an_earlier_value_is_written(db: Engine) -> None:
    store = ConversationStore(db)
    await store.save({("repair", "[1, 1]"): "TREE"}, {})
    await store.save({}, {1: {"step": 1}})

    await store.save({("repair", "[1, 1]"): "PHONE"}, {})
    await store.save({}, {1: {"step": 2}})
    await store.save({("repair", "[1, 1]"): "TREE"}, {})
    await store.save({}, {1: {"step": 1}})

    assert await store.load([("repair", "[1, 1]")], 1) == Stored({"repair": "TREE"}, {"step": 1})


async def test_the_same_value_after_a_delete_is_written_again(db: Engine) -> None:
    store = ConversationStore(db)
    await store.save({("repair", "[1, 1]"): "TREE"}, {})
    await store.save({}, {1: {"step": 1}})
    await store.save({("repair", "[1, 1]"): None}, {})
    await store.save({}, {1: None})

    await store.save({("repair", "[1, 1]"): "TREE"}, {})
    await store.save({}, {1: {"step": 1}})

    assert await store.load([("repair", "[1, 1]")], 1) == Stored({"repair": "TREE"}, {"step": 1})


@pytest.mark.postgresql
async def test_a_conversation_is_saved_while_a_booking_holds_the_write_lock(db: Engine) -> None:
    store = ConversationStore(db)
    async with db.transaction() as booking:
        await booking.execute("DELETE FROM staff WHERE user_id = ?", (1,))
        # Under its chat's lease, a step and a draft need no place behind the booking.
        await asyncio.wait_for(store.save({("repair", "[1, 1]"): "SLOT"}, {1: {"step": 3}}), 5)

    assert await ConversationStore(db).load([("repair", "[1, 1]")], 1) == Stored(
        {"repair": "SLOT"}, {"step": 3}
    )
