"""A consistent copy of the database, taken while the bot runs, through SQLite's online backup.

The copy is read in one step, so it is one snapshot however the bot writes meanwhile (WAL lets
the bot go on writing). It is written beside the target under a temporary name and renamed only
once complete and checked: a backup job that dies half-way never leaves a half copy under the
backup's name, nor replaces the last good backup with one. Like the database, the copy holds
customers' names and phone numbers, so it is owner-only.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

from bot.storage.database import DatabaseFileError, _problem

LIVE_SUFFIXES = ("", "-wal", "-shm", "-journal")
"""The database file and the files SQLite keeps beside it while it is in use."""


class BackupError(Exception):
    """A backup that cannot be written: one line naming the file and the problem."""

    def __init__(self, target: Path, problem: str) -> None:
        super().__init__(f"backup {target} {problem}")


def back_up(database: Path, target: Path) -> int:
    """Copy `database` to `target`, replacing it if it exists; return the copy's size in bytes."""
    _refuse_live_file(database, target)
    if not database.is_file():
        raise DatabaseFileError(database, "does not exist (DATABASE_PATH); nothing to back up")
    temporary = _temporary_beside(target)
    try:
        _copy(database, temporary, target)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)
    return target.stat().st_size


def _refuse_live_file(database: Path, target: Path) -> None:
    """Writing over the database, or over its journal, would destroy what it means to save."""
    live = database.resolve()
    aimed = target.resolve()
    if any(aimed == live.with_name(live.name + suffix) for suffix in LIVE_SUFFIXES) or (
        target.exists() and database.exists() and os.path.samefile(target, database)
    ):
        raise BackupError(target, "is the live database (DATABASE_PATH); name another file")
    if target.is_dir():
        raise BackupError(target, "is a folder; name a file in it")


def _temporary_beside(target: Path) -> Path:
    """An owner-only empty file in the target's folder, so the final rename cannot cross disks."""
    try:
        handle, name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".partial", dir=target.parent
        )
    except OSError as error:
        raise BackupError(
            target, f"cannot be written in folder {target.parent} ({error.strerror})"
        ) from error
    os.close(handle)
    return Path(name)


def _copy(database: Path, temporary: Path, target: Path) -> None:
    """Copy every page in one step, make the copy one self-contained file, and check it."""
    with closing(_open_source(database)) as source:
        try:
            with closing(sqlite3.connect(temporary)) as copy:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")
                damage = [row[0] for row in copy.execute("PRAGMA quick_check")]
        except sqlite3.Error as error:
            raise BackupError(target, f"could not be written ({error})") from error
    if damage != ["ok"]:
        raise DatabaseFileError(database, f"is corrupt ({damage[0]}); no backup written")


def _open_source(database: Path) -> sqlite3.Connection:
    """Open the database without ever creating one, and tell a file that is not a database
    from a copy that fails."""
    try:
        source = sqlite3.connect(f"{database.resolve().as_uri()}?mode=rw", uri=True)
    except sqlite3.Error as error:
        raise DatabaseFileError(database, _problem(error)) from error
    try:
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as error:
        source.close()
        raise DatabaseFileError(database, _problem(error)) from error
    return source


def _sync_folder(folder: Path) -> None:
    """Make the rename itself survive a power cut."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
