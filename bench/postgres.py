"""PostgreSQL for the benchmark: ``BENCH_DATABASE_URL``, or a throwaway cluster of its own.

The throwaway cluster is made as ``.ci/run`` makes the tests' one: the newest server under
``/usr/lib/postgresql/*/bin`` (Debian's ``postgresql`` package), ``initdb`` in a temporary
folder (run as the ``postgres`` user when this is root: the server refuses root), started with
``pg_ctl`` on a free loopback port and removed after. Every run gets an empty schema of its
own (the connection's search path, through the URL), dropped after.

Only the throwaway cluster's CPU time can be read (``/proc``, its postmaster and every server
process under it); a server named by ``BENCH_DATABASE_URL`` may be on another machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

HOW_TO_GET_ONE = (
    "PostgreSQL: set BENCH_DATABASE_URL=postgresql://user:password@host:5432/db (an empty "
    "database the user may create schemas in), or install the server (apt-get install "
    "postgresql) so the benchmark starts a throwaway one"
)


INITDB_LOCALE = ("--encoding=UTF8", "--locale=C.UTF-8")
"""Whatever this shell's locale is, as .ci/run."""


class NoPostgres(Exception):
    """Neither BENCH_DATABASE_URL nor a server to start: the message says how to get one."""


@dataclass
class PostgresServer:
    url: str
    """Where the runs make their schemas."""
    postmaster: int | None = None
    """The throwaway cluster's postmaster process id (None: a server of the operator's)."""

    @property
    def where(self) -> str:
        """Host, port and database, never the password."""
        parts = urlsplit(self.url)
        owned = "throwaway cluster" if self.postmaster is not None else "BENCH_DATABASE_URL"
        return f"{parts.hostname}:{parts.port or 5432}{parts.path} ({owned})"

    def cpu_s(self) -> float | None:
        """CPU seconds of the throwaway server so far: the postmaster, the server processes
        it has reaped, and those still running. None for a server of the operator's."""
        if self.postmaster is None:
            return None
        fields = _stat(self.postmaster)
        if fields is None:
            return None
        total = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                child = _stat(int(entry.name))
                if child is not None and int(child[1]) == self.postmaster:
                    total += int(child[11]) + int(child[12])
        return total / os.sysconf("SC_CLK_TCK")

    @contextlib.asynccontextmanager
    async def schema(self) -> AsyncIterator[str]:
        """An empty schema for one run; yields a DATABASE_URL whose search path it is."""
        name = f"bench_{uuid.uuid4().hex[:12]}"
        admin = await asyncpg.connect(self.url)
        try:
            await admin.execute(f"CREATE SCHEMA {name}")
            parts = urlsplit(self.url)
            query = urlencode([*parse_qsl(parts.query), ("search_path", name)])
            yield urlunsplit(parts._replace(query=query))
        finally:
            await admin.execute(f"DROP SCHEMA {name} CASCADE")
            await admin.close()


async def _reachable(server: PostgresServer) -> None:
    """Connect once, so a wrong BENCH_DATABASE_URL stops the part before any run."""
    try:
        connection = await asyncpg.connect(server.url, timeout=10)
    except (OSError, TimeoutError, asyncpg.PostgresError) as error:
        # asyncpg's messages name the user and host at most, never the password.
        raise NoPostgres(
            f"BENCH_DATABASE_URL: cannot connect to {server.where}: {error}\n{HOW_TO_GET_ONE}"
        ) from None
    await connection.close()


def _stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command name (state first), or None."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rpartition(")")[2].split()
    except OSError:
        return None


def _server_folder() -> Path | None:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class _Programs:
    """The server's programs, run as the user that may run them."""

    folder: Path
    as_postgres: tuple[str, ...]

    def run(self, program: str, *arguments: str) -> None:
        subprocess.run(
            [*self.as_postgres, str(self.folder / program), *arguments],
            check=True,
            capture_output=True,
        )


def _start(programs: _Programs, root: Path) -> PostgresServer:
    """initdb and pg_ctl start in ``root``, as ``.ci/run`` does."""
    data, log, port = str(root / "data"), str(root / "server.log"), _free_port()
    # Loopback only, trust: nothing but this benchmark reaches it, and it lives minutes.
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=200"
    try:
        programs.run("initdb", "-D", data, "-U", "postgres", "--auth=trust", *INITDB_LOCALE)
        programs.run("pg_ctl", "-D", data, "-w", "-l", log, "-o", options, "start")
    except subprocess.CalledProcessError as error:
        raise NoPostgres(
            f"starting PostgreSQL from {programs.folder} failed: "
            f"{error.stderr.decode(errors='replace').strip()}\n{HOW_TO_GET_ONE}"
        ) from None
    postmaster = int((root / "data" / "postmaster.pid").read_text().split()[0])
    return PostgresServer(f"postgresql://postgres@127.0.0.1:{port}/postgres", postmaster)


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """``BENCH_DATABASE_URL``'s server, or a throwaway cluster for the duration."""
    given = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if given:
        server = PostgresServer(given)
        asyncio.run(_reachable(server))
        yield server
        return
    folder = _server_folder()
    if folder is None:
        raise NoPostgres(HOW_TO_GET_ONE)
    root = Path(tempfile.mkdtemp(prefix="bench-postgresql-"))
    as_postgres: tuple[str, ...] = ()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")  # the server refuses to run as root
        as_postgres = ("runuser", "-u", "postgres", "--")
    programs = _Programs(folder, as_postgres)
    try:
        server = _start(programs, root)
        try:
            yield server
        finally:
            with contextlib.suppress(subprocess.CalledProcessError):
                programs.run("pg_ctl", "-D", str(root / "data"), "-m", "fast", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)
