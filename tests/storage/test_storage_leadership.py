"""One leader at a time: PostgreSQL's advisory lock on a connection of its own; SQLite's one
instance always leads."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import asyncpg
import pytest

from bot.runtime.leadership import TRY_EVERY
from bot.storage.leadership import (
    KEEPALIVE,
    LEADER_LOCK,
    SERVER_GIVES_UP,
    PostgresLeadership,
    SoleLeadership,
    leadership_for,
)
from tests.support.postgres import TEST_DATABASE_URL, fresh_schema

PROJECT = Path(__file__).resolve().parents[2]
HOLD_THE_LOCK = """
import asyncio, sys
from bot.storage.leadership import PostgresLeadership

async def main():
    leadership = PostgresLeadership(sys.argv[1])
    print("leading" if await leadership.try_lead() else "following", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""

@pytest.fixture
async def url() -> AsyncIterator[str]:
    async with fresh_schema() as schema_url:
        yield schema_url


async def lock_holder(url: str) -> int | None:
    """The server process holding this schema's leader lock, from another connection."""
    schema = parse_qs(urlsplit(url).query)["search_path"][0]
    admin = await asyncpg.connect(TEST_DATABASE_URL)
    try:
        return await admin.fetchval(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = $1 AND objid = hashtext($2)::oid AND objsubid = 2",
            LEADER_LOCK,
            schema,
        )
    finally:
        await admin.close()


async def test_sqlite_has_one_instance_and_it_always_leads() -> None:
    leadership = leadership_for(None)
    assert isinstance(leadership, SoleLeadership)
    assert await leadership.try_lead()
    assert await leadership.try_lead()
    await leadership.close()


@pytest.mark.postgresql
async def test_of_two_instances_on_one_database_exactly_one_leads(url: str) -> None:
    first, second = PostgresLeadership(url), PostgresLeadership(url)
    try:
        assert await first.try_lead()
        assert not await second.try_lead()
        for _ in range(3):
            assert await first.try_lead()
            assert not await second.try_lead()
        assert await lock_holder(url) is not None
    finally:
        await first.close()
        await second.close()


@pytest.mark.postgresql
async def test_a_leader_that_stops_lets_the_other_lead_at_its_next_try(url: str) -> None:
    first, second = PostgresLeadership(url), PostgresLeadership(url)
    try:
        assert await first.try_lead()
        assert not await second.try_lead()
        await first.close()
        assert await second.try_lead()
        assert not await first.try_lead()
    finally:
        await first.close()
        await second.close()


@pytest.mark.postgresql
async def test_a_dropped_connection_frees_the_lock_and_the_leader_knows_at_once(url: str) -> None:
    lost = asyncio.Event()
    first, second = PostgresLeadership(url, on_lost=lost.set), PostgresLeadership(url)
    try:
        assert await first.try_lead()
        holder = await lock_holder(url)
        assert holder is not None
        admin = await asyncpg.connect(TEST_DATABASE_URL)
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", holder)
        finally:
            await admin.close()
        async with asyncio.timeout(5):
            await lost.wait()
        assert await second.try_lead()
        assert not await first.try_lead(), "the old leader reconnects as a follower"
    finally:
        await first.close()
        await second.close()


@pytest.mark.postgresql
async def test_a_killed_leaders_lock_is_taken_at_the_next_try(url: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        HOLD_THE_LOCK,
        url,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
        stdout=asyncio.subprocess.PIPE,
    )
    survivor = PostgresLeadership(url)
    try:
        assert process.stdout is not None
        async with asyncio.timeout(20):
            assert await process.stdout.readline() == b"leading\n"
        assert not await survivor.try_lead()
        process.send_signal(signal.SIGKILL)
        await process.wait()
        # The kernel closes a killed process's sockets, and the server frees the lock as soon
        # as it reads that: wait for that moment, then the survivor's next try leads.
        schema = parse_qs(urlsplit(url).query)["search_path"][0]
        admin = await asyncpg.connect(TEST_DATABASE_URL)
        try:
            key = (LEADER_LOCK, schema)
            async with asyncio.timeout(5):
                await admin.execute("SELECT pg_advisory_lock($1, hashtext($2))", *key)
            await admin.execute("SELECT pg_advisory_unlock($1, hashtext($2))", *key)
        finally:
            await admin.close()
        assert await survivor.try_lead()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await survivor.close()


@pytest.mark.postgresql
async def test_a_database_that_cannot_be_reached_means_not_leading() -> None:
    leadership = PostgresLeadership("postgresql://nobody@127.0.0.1:9/nothing")
    assert not await leadership.try_lead()
    await leadership.close()


@pytest.mark.postgresql
async def test_the_server_gives_up_a_silent_leader_in_time_for_a_takeover_within_15_s(
    url: str,
) -> None:
    leadership = PostgresLeadership(url)
    try:
        assert await leadership.try_lead(), "the server accepts every keepalive setting"
        holder = await lock_holder(url)
        admin = await asyncpg.connect(TEST_DATABASE_URL)
        try:
            name = await admin.fetchval(
                "SELECT application_name FROM pg_stat_activity WHERE pid = $1", holder
            )
        finally:
            await admin.close()
        assert name == KEEPALIVE["application_name"], "the lock's connection carries them"
        idle = int(KEEPALIVE["tcp_keepalives_idle"])
        probes = int(KEEPALIVE["tcp_keepalives_interval"]) * int(KEEPALIVE["tcp_keepalives_count"])
        assert idle + probes <= SERVER_GIVES_UP
        assert int(KEEPALIVE["tcp_user_timeout"]) / 1000 <= SERVER_GIVES_UP
        assert SERVER_GIVES_UP + TRY_EVERY < 15
    finally:
        await leadership.close()
