import asyncio
import os
from typing import Any

import pytest

from tests.support.postgres import (
    SKIP_REASON,
    TEST_DATABASE_URL,
    drop_spare_schemas,
    engines_of,
)

# python-telegram-bot's RetryAfter warns about its own deprecated int `retry_after` unless
# this opts in to timedeltas; with warnings as errors that warning would hide every 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")

LEFT_OUT = pytest.StashKey[int]()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test whose database comes from the `engine` fixture runs once on each engine."""
    if "engine" in metafunc.fixturenames:
        metafunc.parametrize("engine", engines_of(metafunc.definition), indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """Which engine this run of the test has its database on: "sqlite" or "postgresql"."""
    return request.param


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without TEST_DATABASE_URL, leave out the PostgreSQL tests, said once at the end rather
    than as a skip line per test."""
    if TEST_DATABASE_URL:
        return
    left_out = [item for item in items if item.get_closest_marker("postgresql")]
    if left_out:
        items[:] = [item for item in items if not item.get_closest_marker("postgresql")]
        config.hook.pytest_deselected(items=left_out)
    config.stash[LEFT_OUT] = len(left_out)
    if hasattr(config, "workeroutput"):  # a pytest-xdist worker: its controller says the line
        config.workeroutput["left_out"] = len(left_out)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """Under pytest-xdist the workers collect: each has left out the same tests."""
    left_out = getattr(node, "workeroutput", {}).get("left_out", 0)
    node.config.stash[LEFT_OUT] = max(node.config.stash.get(LEFT_OUT, 0), left_out)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    left_out = config.stash.get(LEFT_OUT, 0)
    if left_out:
        terminalreporter.write_line(f"PostgreSQL tests not run ({left_out}): {SKIP_REASON}")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Leave TEST_DATABASE_URL's database as the session found it."""
    asyncio.run(drop_spare_schemas())
