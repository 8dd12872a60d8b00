"""Backing up the database file: a checked, owner-only copy, or nothing and the last one kept."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.storage.backup import BackupError, back_up
from bot.storage.database import Database, DatabaseFileError
from tests.storage.test_storage_database_file import (
    content_of,
    damage_the_index,
    make_bot_database,
    mode_of,
)

YESTERDAY = b"yesterday's good backup"


def names_in(folder: Path) -> list[str]:
    return sorted(each.name for each in folder.iterdir())


def names_of_customers(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as connection:
        return [row[0] for row in connection.execute("SELECT first_name FROM customers")]


async def test_a_backup_replaces_the_last_one_with_an_owner_only_self_contained_copy(
    db_path: Path, tmp_path: Path
) -> None:
    await make_bot_database(db_path)
    target = tmp_path / "backups" / "bot.sqlite3"
    target.parent.mkdir()
    target.write_bytes(YESTERDAY)

    size = back_up(db_path, target)

    assert size == target.stat().st_size
    assert mode_of(target) == 0o600
    assert names_of_customers(target) == ["Anna"]
    assert names_in(target.parent) == ["bot.sqlite3"]
    with closing(sqlite3.connect(target)) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


async def test_a_corrupt_database_is_refused_and_the_last_good_backup_is_kept(
    db_path: Path, tmp_path: Path
) -> None:
    await make_bot_database(db_path)
    damage_the_index(db_path, "tickets_slot")
    target = tmp_path / "backups" / "bot.sqlite3"
    target.parent.mkdir()
    target.write_bytes(YESTERDAY)

    with pytest.raises(DatabaseFileError, match="is corrupt") as refused:
        back_up(db_path, target)

    assert "no backup written" in str(refused.value)
    assert target.read_bytes() == YESTERDAY
    assert names_in(target.parent) == ["bot.sqlite3"]


@pytest.mark.sqlite_only("the backup copies the SQLite file")
async def test_the_live_database_and_its_journal_files_are_never_a_backup_target(
    db: Database, db_path: Path
) -> None:
    before, files = content_of(db_path), names_in(db_path.parent)
    for target in (db_path, db_path.with_name(f"{db_path.name}-wal"), db_path.parent / "."):
        with pytest.raises(BackupError) as refused:
            back_up(db_path, target)
        assert "\n" not in str(refused.value)

    assert content_of(db_path) == before
    assert names_in(db_path.parent) == files


def test_a_file_that_is_not_a_database_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("These are somebody's notes, not a database.\n" * 100, encoding="utf-8")
    target = tmp_path / "copy.sqlite3"

    with pytest.raises(DatabaseFileError, match="is not a SQLite database"):
        back_up(notes, target)

    assert names_in(tmp_path) == ["notes.txt"]
