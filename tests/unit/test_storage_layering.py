"""Services and handlers reach the database through the storage and its units of work only.

Read from the source tree, so a new module that takes the engine, opens a transaction of its
own or asks the services for their raw database fails here, not in a review.
"""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
WIRING = {
    "app.py": "builds the runtime over the engine",
    "services.py": "opens the engine and the storage over it",
    "__main__.py": "opens and backs up the database before the bot runs",
    "emulator/app.py": "creates the emulator's fresh database file",
}
"""Modules, besides bot/storage/ and bot/runtime/, that may hold the engine, and why."""
ENGINE_NAMES = frozenset(
    {"Database", "PostgresDatabase", "Transaction", "PostgresTransaction", "Executor", "Engine"}
)


def _modules() -> list[tuple[str, ast.Module]]:
    """Every module outside the storage, the runtime and the wiring, by its path in bot/."""
    found = []
    for path in sorted(BOT.rglob("*.py")):
        name = path.relative_to(BOT).as_posix()
        if name.startswith(("storage/", "runtime/")) or name in WIRING:
            continue
        found.append((name, ast.parse(path.read_text(encoding="utf-8"), filename=name)))
    return found


def _breaches(name: str, tree: ast.Module) -> list[str]:
    breaches = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot.storage"):
            breaches += [
                f"{name}:{node.lineno} imports {alias.name} from {node.module}"
                for alias in node.names
                if alias.name in ENGINE_NAMES
            ]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "transaction":
                breaches.append(f"{name}:{node.lineno} opens a transaction itself")
        elif isinstance(node, ast.Attribute) and node.attr == "db":
            owner = node.value
            owner_name = owner.attr if isinstance(owner, ast.Attribute) else ""
            if isinstance(owner, ast.Name):
                owner_name = owner.id
            if owner_name in {"services", "_services"}:
                breaches.append(f"{name}:{node.lineno} reaches for the services' raw database")
    return breaches


def test_no_service_or_handler_holds_the_engine_or_opens_a_transaction_itself() -> None:
    breaches = [breach for name, tree in _modules() for breach in _breaches(name, tree)]

    assert breaches == []


def test_the_layering_check_sees_each_way_around_the_unit_of_work() -> None:
    source = (
        "from bot.storage.database import Database, stamp\n"
        "async def f(services, db):\n"
        "    async with db.transaction() as tx:\n"
        "        return services.db\n"
    )

    assert _breaches("example.py", ast.parse(source)) == [
        "example.py:1 imports Database from bot.storage.database",
        "example.py:3 opens a transaction itself",
        "example.py:4 reaches for the services' raw database",
    ]
