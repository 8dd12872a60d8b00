"""The SQLite files: WAL, foreign keys, migrations, and one lock for every statement.

Coroutines share a connection, so two interleaving their statements would share one
transaction: the lock makes each `transaction()` (and each statement) a unit that no other
coroutine can cut into. The main file's statements run on the event loop's thread, and only
what may take long on aiosqlite's (`Database` says why).

The file holds customers' names and phone numbers: it is checked before the bot writes to it,
and kept readable by its owner only. SQLite's inbox lives in a file of its own next to it
(`InboxDatabase`), with the same checks.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import stat
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager, closing, suppress
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeAlias

import aiosqlite

from bot.storage.dialect import SQLITE
from bot.storage.migrations import INBOX_MIGRATIONS, INBOX_MOVED, MIGRATIONS

if TYPE_CHECKING:
    from bot.storage.postgres import PostgresDatabase, PostgresTransaction

Row = aiosqlite.Row

log = logging.getLogger(__name__)

OWNER_ONLY_FILE = 0o600
OWNER_ONLY_FOLDER = 0o700
TABLES_SQL = (
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite/_%' ESCAPE '/'"
)
"""Every table but SQLite's own (sqlite_sequence, sqlite_stat1)."""
SETTINGS = ("PRAGMA busy_timeout = 5000", "PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL")
"""Connection settings, which write nothing to the file, so they may come before its checks."""


class DatabaseFileError(Exception):
    """A database file the bot cannot use: one line naming the file and the problem."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path, self.problem = path, problem
        super().__init__(f"database {path} {problem}")


class SqliteFile:
    """One SQLite file, opened, checked and migrated through aiosqlite, on its thread.

    The lock orders this process's writers to the file: a transaction holds it from
    `BEGIN IMMEDIATE` to `COMMIT`, so coroutines never interleave inside one and never wait
    for SQLite's own lock with the event loop held.
    """

    dialect = SQLITE
    migrations: Sequence[str] = MIGRATIONS
    inbox_moved_at = INBOX_MOVED
    """The migration before which the main file's inbox rows move to the inbox file."""
    created_level = logging.INFO

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path, *, fresh: bool = False) -> Self:
        """Open and migrate the database at `path`, or refuse it with a `DatabaseFileError`.

        The file is checked before anything is written to it, so another application's file
        is left as it was; on every failure the connection's thread is closed, or the
        process would never exit. `fresh`: a new empty database is what the caller wants
        (the emulator's), not a sign of a wrong path.
        """
        folder_is_new = _make_folder(path)
        _create_private_file(path)
        try:
            connection = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as error:
            raise DatabaseFileError(path, _problem(error)) from error
        connection.row_factory = aiosqlite.Row
        database = cls(connection)
        try:
            for setting in SETTINGS:
                await connection.execute(setting)
            empty = await database._check(path)
            _make_private(path)
            await connection.execute("PRAGMA journal_mode = WAL")
            await database._migrate(path)
            database._opened(path)
        except BaseException as error:
            await connection.close()
            if isinstance(error, sqlite3.Error):
                raise DatabaseFileError(path, _problem(error)) from error
            raise
        if empty and (folder_is_new or fresh):
            log.log(cls.created_level, "created a new database at %s", path)
        elif empty:
            # The folder was there: an operator who pointed at the wrong file sees it here.
            log.warning(
                "created a new empty database at %s; if the bot has run before, "
                "its database is elsewhere",
                path,
            )
        return database

    def _opened(self, path: Path) -> None:
        """The file is checked and migrated: what else the class needs of it."""

    async def close(self) -> None:
        await self._connection.close()

    async def _check(self, path: Path) -> bool:
        """Refuse a file that is corrupt, not ours, too new, or read-only; True when empty."""
        tables = {row[0] for row in await self._connection.execute_fetchall(TABLES_SQL)}
        version = (await self._connection.execute_fetchall("PRAGMA user_version"))[0][0]
        damage = [row[0] for row in await self._connection.execute_fetchall("PRAGMA quick_check")]
        if damage != ["ok"]:
            # One finding, without the "*** in database main ***" heading some come under.
            findings = [line for line in "\n".join(damage).splitlines() if line[:3] != "***"]
            raise DatabaseFileError(path, f"is corrupt ({findings[0]})")
        refusal = _schema_refusal(tuple(self.migrations), version, tables)
        if refusal:
            raise DatabaseFileError(path, refusal)
        # BEGIN IMMEDIATE alone succeeds on a read-only file in WAL mode: only a write fails.
        await self._connection.execute("BEGIN IMMEDIATE")
        try:
            await self._connection.execute(f"PRAGMA user_version = {version}")
        finally:
            await self._connection.execute("ROLLBACK")
        return version == 0 and not tables

    async def _migrate(self, path: Path) -> None:
        """Apply, each in its own transaction, the migrations newer than `user_version`."""
        async with self._connection.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        current = row[0] if row else 0
        for version, script in enumerate(self.migrations, start=1):
            if version <= current:
                continue
            if version == self.inbox_moved_at:
                await self._move_inbox(inbox_path(path))
            await self._connection.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;"
            )

    async def _move_inbox(self, to: Path) -> None:
        """Copy the inbox's unhandled rows, and the handled ones of the last day (a re-delivery
        is still recognised), into the inbox file, before the migration drops the table.

        Rows already there are left as they are, so a start cut short in between copies again.
        A fresh database has none, and then the inbox file is left for the bot to create.
        """
        rows = await self._connection.execute_fetchall(
            f"SELECT COUNT(*) FROM inbox WHERE {RECENT_INBOX_ROWS}"
        )
        if not rows[0][0]:
            return
        await (await InboxDatabase.open(to, fresh=True)).close()
        await self._connection.execute("ATTACH DATABASE ? AS moved", (str(to),))
        try:
            await self._connection.execute(
                "INSERT OR IGNORE INTO moved.inbox"
                " (update_id, raw, received_at, handled_at, failure, chat_id)"
                " SELECT update_id, raw, received_at, handled_at, failure, chat_id"
                f" FROM main.inbox WHERE {RECENT_INBOX_ROWS}"
            )
        finally:
            await self._connection.execute("DETACH DATABASE moved")
        log.info("moved %d inbox rows to %s", rows[0][0], to)


CHECKPOINT_AFTER_ROWS = 500
"""Rows written on the event loop's thread between two checkpoints of the write-ahead log,
each run on aiosqlite's thread: SQLite's own (every 1000 pages of log) would run in the
committing connection, with two fsyncs, on the event loop."""


class Database(SqliteFile):
    """The main file: the bot's own statements on the event loop's thread, the long ones aside.

    A statement of the bot's takes SQLite a few microseconds, but a trip to aiosqlite's thread
    and back costs about 80 of CPU (a queue, a thread switch, a wake-up of the loop: measured,
    with the benchmark's 8.8 trips an update it was a quarter of the bot's CPU). So every
    statement and transaction runs through a `sqlite3` connection on the loop's thread, where
    the lock's holder never waits for another process: nothing else writes this file (the
    webhook receiver writes the inbox file; a backup only reads). What may take long, reports
    over every ticket and a broadcast's audience, runs `aside`, on aiosqlite's thread, as do
    the checks, the migrations and the log's checkpoints.
    """

    _here: sqlite3.Connection
    """The connection on the event loop's thread."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        super().__init__(connection)
        self.aside = ThreadStatements(connection, self._lock)
        """Statements and transactions that may take long: on aiosqlite's thread."""
        self._checkpointed_at = 0
        self._checkpoint: asyncio.Task[None] | None = None

    def _opened(self, path: Path) -> None:
        here = sqlite3.connect(path, isolation_level=None)
        try:
            here.row_factory = sqlite3.Row
            for setting in (*SETTINGS, "PRAGMA wal_autocheckpoint = 0"):
                here.execute(setting)
        except BaseException:
            here.close()
            raise
        self._here = here

    async def close(self) -> None:
        if self._checkpoint is not None:
            await self._checkpoint
        self._here.close()
        # The last connection to close checkpoints the log and removes it.
        await super().close()

    async def ping(self) -> None:
        """Answer a trivial query in the queue of every other statement (health checks)."""
        await self.fetch_one("SELECT 1")

    @asynccontextmanager
    async def transaction(self, *, serialized: bool = True) -> AsyncIterator[Transaction]:
        """A write transaction; SQLite has one writer, so each is `serialized` whatever asked."""
        async with self._lock:
            self._here.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._here)
                self._here.execute("COMMIT")
            except BaseException:
                # Also when COMMIT itself failed and left it open (a deferred constraint):
                # else every later BEGIN would fail.
                if self._here.in_transaction:
                    self._here.execute("ROLLBACK")
                raise
            self._wrote()

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        async with self._lock:
            row = await Transaction(self._here).fetch_one(sql, params)
            self._wrote()
            return row

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        async with self._lock:
            rows = await Transaction(self._here).fetch_all(sql, params)
            self._wrote()
            return rows

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement as its own transaction; return how many rows it changed."""
        async with self._lock:
            changed = await Transaction(self._here).execute(sql, params)
            self._wrote()
            return changed

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        async with self._lock:
            row_id = await Transaction(self._here).insert(sql, params)
            self._wrote()
            return row_id

    def _wrote(self) -> None:
        """Checkpoint the log aside once enough rows went into it since the last time (a
        read also ends here: it may have been a write that returns rows)."""
        if self._here.total_changes - self._checkpointed_at < CHECKPOINT_AFTER_ROWS:
            return
        if self._checkpoint is None:
            self._checkpointed_at = self._here.total_changes
            self._checkpoint = asyncio.create_task(self._checkpoint_log(), name="checkpoint")

    async def _checkpoint_log(self) -> None:
        try:
            await self.aside.checkpoint()
        except sqlite3.Error as error:
            # Nothing is lost: the log grows until the next checkpoint.
            log.warning("checkpoint of the database's log failed: %s", _problem(error))
        finally:
            self._checkpoint = None


class ThreadStatements:
    """Statements on aiosqlite's connection and thread, so the event loop goes on meanwhile:
    the main file's that may take long (`Database.aside`), and all of the inbox file's.

    A read waits only for a transaction on this same connection (it would run inside it),
    never for the event loop's writers: the log gives it a snapshot. A write takes the file's
    lock too, so the loop's writers wait for it in asyncio, never inside SQLite.
    """

    dialect = SQLITE

    def __init__(self, connection: aiosqlite.Connection, file_lock: asyncio.Lock) -> None:
        self._connection = connection
        self._file_lock = file_lock
        self._connection_lock = asyncio.Lock()

    @property
    def aside(self) -> ThreadStatements:
        return self

    async def ping(self) -> None:
        await self.fetch_one("SELECT 1")

    async def checkpoint(self) -> None:
        """Copy the log into the file; PASSIVE: writers go on meanwhile, readers keep theirs."""
        async with self._connection_lock:
            await self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[ThreadTransaction]:
        async with self._file_lock, self._connection_lock:
            await self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield ThreadTransaction(self._connection)
                await self._connection.execute("COMMIT")
            except BaseException:
                if self._connection.in_transaction:
                    await self._connection.execute("ROLLBACK")
                raise

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        async with self._connection_lock:
            return await ThreadTransaction(self._connection).fetch_one(sql, params)

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        async with self._connection_lock:
            return await ThreadTransaction(self._connection).fetch_all(sql, params)

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        async with self._file_lock, self._connection_lock:
            return await ThreadTransaction(self._connection).execute(sql, params)

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        async with self._file_lock, self._connection_lock:
            return await ThreadTransaction(self._connection).insert(sql, params)


class InboxDatabase(SqliteFile, ThreadStatements):
    """SQLite's inbox, in a file of its own (`inbox_path`): nothing else writes there, so
    storing an update (one short statement) waits only for other inbox statements, never for
    the bot's transactions on the main file. It holds only updates in flight and the ids of
    the last day's, so backups leave it out.

    The webhook receiver's process writes this file too: its statements stay on aiosqlite's
    thread, so waiting for that process's lock never holds up the event loop."""

    migrations = INBOX_MIGRATIONS
    inbox_moved_at = 0
    created_level = logging.DEBUG
    """Its creation is routine: the main database's is the line worth reading."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        SqliteFile.__init__(self, connection)
        ThreadStatements.__init__(self, connection, self._lock)


def inbox_path(path: Path) -> Path:
    """Where the inbox of the database at ``path`` lives: bot.sqlite3 -> bot.inbox.sqlite3."""
    return path.with_name(f"{path.stem}.inbox{path.suffix}")


RECENT_INBOX_ROWS = (
    "handled_at IS NULL OR handled_at >= strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-1 day')"
)
"""The inbox rows worth keeping when it moves: those a re-delivery could still match."""


class Transaction:
    """Statements run inside `Database.transaction()`, which commit or roll back together, on
    the event loop's thread (see `Database`)."""

    dialect = SQLITE

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        row: Row | None = self._connection.execute(sql, tuple(params)).fetchone()
        return row

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        return self._connection.execute(sql, tuple(params)).fetchall()

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        return self._connection.execute(sql, tuple(params)).rowcount

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run an INSERT and return the new row's id."""
        return _row_id(self._connection.execute(sql, tuple(params)).lastrowid)


class ThreadTransaction:
    """The same statements on aiosqlite's thread (`ThreadStatements`).

    Each statement is one trip to the thread: a cursor's fetch and close would each be
    another, and those trips cost more than the statements.
    """

    dialect = SQLITE

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        rows = await self._connection.execute_fetchall(sql, tuple(params))
        return next(iter(rows), None)

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        return list(await self._connection.execute_fetchall(sql, tuple(params)))

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        cursor = await self._connection.execute(sql, tuple(params))
        return cursor.rowcount

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run an INSERT and return the new row's id."""
        cursor = await self._connection.execute(sql, tuple(params))
        return _row_id(cursor.lastrowid)


def _row_id(row_id: int | None) -> int:
    if row_id is None:
        raise RuntimeError("INSERT produced no row id")
    return row_id


Executor: TypeAlias = (
    "Database | Transaction | ThreadStatements | ThreadTransaction | InboxDatabase"
    " | PostgresDatabase | PostgresTransaction"
)
"""Where a repository runs a statement, on either engine: on its own, aside, or inside a
caller's transaction."""


def stamp(moment: datetime) -> str:
    """Aware datetime to the stored UTC text form."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; store aware ones")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def unstamp(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _make_folder(path: Path) -> bool:
    """Create the database's missing folders, owner-only; True when there was no folder."""
    folder = path.parent
    try:
        missing = [each for each in (folder, *folder.parents) if not each.exists()]
        for each in reversed(missing):
            each.mkdir(mode=OWNER_ONLY_FOLDER, exist_ok=True)
    except OSError as error:
        raise DatabaseFileError(
            path, f"cannot be created in folder {folder} ({error.strerror})"
        ) from error
    if not folder.is_dir():
        raise DatabaseFileError(path, f"cannot be created: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        # SQLite needs the folder too: it creates the -wal and -shm files next to the database.
        where = "on a read-only file system" if _read_only_mount(folder) else "read-only"
        raise DatabaseFileError(path, f"cannot be written: its folder {folder} is {where}")
    return bool(missing)


def _read_only_mount(folder: Path) -> bool:
    return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)


def _create_private_file(path: Path) -> None:
    """Create the file owner-only: SQLite gives the `-wal` and `-shm` it creates the same mode."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OWNER_ONLY_FILE))
    except FileExistsError:
        if not path.is_file():
            raise DatabaseFileError(path, "is not a file") from None
    except OSError as error:
        raise DatabaseFileError(path, f"cannot be created ({error.strerror})") from error


def _make_private(path: Path) -> None:
    """Make a database other users could read owner-only, with its `-wal` and `-shm`."""
    loose: dict[Path, int] = {}
    for each in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        with suppress(FileNotFoundError):
            mode = stat.S_IMODE(each.stat().st_mode)
            if mode & ~OWNER_ONLY_FILE:
                loose[each] = mode
    if not loose:
        return
    mode = next(iter(loose.values()))
    try:
        for each in loose:
            each.chmod(OWNER_ONLY_FILE)
    except OSError as error:
        log.warning(
            "database %s is open to other users (mode %03o): %s", path, mode, error.strerror
        )
    else:
        log.warning(
            "database %s was open to other users (mode %03o); made it owner-only", path, mode
        )


def _schema_refusal(migrations: tuple[str, ...], version: int, tables: set[str]) -> str | None:
    """Why the bot must not migrate into a file holding `tables` at `version`, or None."""
    known = len(migrations)
    if version == 0 and tables:
        return f"holds another application's tables ({_names(tables)}), not this bot's"
    missing = _tables_made_by(migrations, min(version, known)) - tables
    if missing:
        return f"is not this bot's: schema {version}, but tables {_names(missing)} are missing"
    if version > known:
        return (
            f"was written by a newer version of the bot "
            f"(schema {version}, this version knows {known})"
        )
    return None


@cache
def _tables_made_by(migrations: tuple[str, ...], version: int) -> frozenset[str]:
    """The tables the first `version` migrations create, found by running them in memory."""
    with closing(sqlite3.connect(":memory:")) as memory:
        for script in migrations[:version]:
            memory.executescript(script)
        return frozenset(row[0] for row in memory.execute(TABLES_SQL))


def _names(tables: Iterable[str], shown: int = 5) -> str:
    ordered = sorted(tables)
    more = f" and {len(ordered) - shown} more" if len(ordered) > shown else ""
    return ", ".join(ordered[:shown]) + more


PROBLEMS = {
    sqlite3.SQLITE_NOTADB: "is not a SQLite database",
    sqlite3.SQLITE_CORRUPT: "is corrupt or truncated",
    sqlite3.SQLITE_READONLY: "is read-only, and the bot must write to it",
    sqlite3.SQLITE_CANTOPEN: "cannot be opened",
    sqlite3.SQLITE_BUSY: "is locked by another process",
    sqlite3.SQLITE_FULL: "cannot grow: the disk is full",
}


def _problem(error: sqlite3.Error) -> str:
    """SQLite's own words, after ours on what they mean for the operator."""
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF  # the primary code, not the extended
    return f"{PROBLEMS.get(code, 'cannot be used')} ({error})"
