"""The Dockerfile, compose.yaml, deploy/nginx.conf and the README's "Running in production" tell
the same story.

Docker is not on the machines the tests run on: nothing is built. The files are read, and the
image's health check, a Python one-liner, is run against a small server playing the bot.
"""

from __future__ import annotations

import asyncio
import configparser
import fnmatch
import json
import os
import re
import shlex
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from aiohttp import web

from bot.config import OPERATOR_PATHS, Settings
from bot.runtime.receiver import SECRET_HEADER
from bot.runtime.web import MAX_REQUEST

CHECKOUT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Dockerfile:
    instructions: list[tuple[str, str]]

    @classmethod
    def read(cls) -> Dockerfile:
        """Instructions with their arguments, continuation lines joined, comments left out."""
        text = (CHECKOUT / "Dockerfile").read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
        joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
        found = []
        for line in filter(str.strip, joined.splitlines()):
            name, _, arguments = line.strip().partition(" ")
            found.append((name.upper(), arguments.strip()))
        return cls(found)

    def all(self, name: str) -> list[str]:
        return [arguments for each, arguments in self.instructions if each == name]

    def one(self, name: str) -> str:
        (arguments,) = self.all(name)
        return arguments

    def env(self) -> dict[str, str]:
        pairs = (shlex.split(arguments) for arguments in self.all("ENV"))
        return dict(pair.split("=", 1) for each in pairs for pair in each)

    def command(self) -> list[str]:
        return json.loads(self.one("CMD"))

    def health_check(self) -> list[str]:
        """The HEALTHCHECK's command, after its options."""
        _, _, command = self.one("HEALTHCHECK").partition(" CMD ")
        return json.loads(command)


def production_section() -> str:
    readme = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n## Running in production\n")
    end = readme.index("\n## ", start + 1)
    return readme[start:end]


def systemd_unit() -> configparser.ConfigParser:
    """The README's unit file: the code block with a [Service] section."""
    blocks = re.findall(r"```ini\n(.*?)```", production_section(), flags=re.DOTALL)
    (unit,) = [block for block in blocks if "[Service]" in block]
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(unit)
    return parser


def compose() -> dict[str, Any]:
    return yaml.safe_load((CHECKOUT / "compose.yaml").read_text(encoding="utf-8"))


def compose_service() -> dict[str, Any]:
    """The single-instance bot of a plain `docker compose up -d`."""
    return compose()["services"]["bot"]


SCALE = "scale"
"""compose.yaml's profile of several instances on PostgreSQL behind a load balancer."""


def scale_services() -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in compose()["services"].items()
        if SCALE in service.get("profiles", [])
    }


@dataclass(frozen=True)
class Directive:
    """One nginx directive: its name, arguments and, for a block, the directives inside."""

    name: str
    arguments: list[str]
    block: list[Directive] | None = None

    def all(self, name: str) -> list[Directive]:
        return [each for each in self.block or [] if each.name == name]

    def one(self, name: str) -> Directive:
        (found,) = self.all(name)
        return found


def nginx_config() -> Directive:
    """deploy/nginx.conf as a tree of directives (comments left out; no includes in it)."""
    text = (CHECKOUT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    tokens = re.findall(r'"[^"]*"|[{};]|[^\s{};"]+', re.sub(r"#[^\n]*", "", text))
    position = 0

    def block() -> list[Directive]:
        nonlocal position
        directives: list[Directive] = []
        words: list[str] = []
        while position < len(tokens):
            token = tokens[position]
            position += 1
            if token == ";":
                directives.append(Directive(words[0], words[1:]))
                words = []
            elif token == "{":
                directives.append(Directive(words[0], words[1:], block()))
                words = []
            elif token == "}":
                break
            else:
                words.append(token.strip('"'))
        return directives

    return Directive("main", [], block())


def settings_variables() -> set[str]:
    """The environment variables the bot reads: one per field of `Settings`."""
    return {name.upper() for name in Settings.model_fields}


def example_webhook_path() -> str:
    """The path of the WEBHOOK_URL that .env.example gives as its example."""
    example = (CHECKOUT / ".env.example").read_text(encoding="utf-8")
    found = re.search(r"#[^\n]*Telegram should call[^\n]*\n#\s*(https://\S+)", example)
    assert found is not None, ".env.example explains WEBHOOK_URL with an example address"
    return urlsplit(found.group(1)).path


def test_the_readme_runs_and_installs_the_bot_as_the_image_does() -> None:
    dockerfile, section = Dockerfile.read(), production_section()
    command = " ".join(dockerfile.command())
    (install,) = [run for run in dockerfile.all("RUN") if "pip install" in run]
    pip_install = re.search(r"pip install [^&;]*?(?=\s*(&&|;|$))", install)

    assert command == "python -m bot"
    assert f"`{command}`" in section
    assert pip_install is not None
    assert f"`{pip_install.group(0)}`" in section
    assert f"/bin/{pip_install.group(0)} " in section, "the systemd install, in a virtualenv"
    assert dockerfile.one("FROM") == "python:3.11-slim"
    assert f"`{dockerfile.one('FROM')}`" in section


def test_the_systemd_unit_runs_the_images_command_as_a_user_restarted_on_failure() -> None:
    unit = systemd_unit()
    service = unit["Service"]
    program, *arguments = shlex.split(service["ExecStart"])

    assert [PurePosixPath(program).name, *arguments] == Dockerfile.read().command()
    assert service["Restart"] == "on-failure"
    assert service["User"] not in ("root", "0")
    assert service["EnvironmentFile"].startswith("/")
    assert service["WorkingDirectory"].startswith("/")
    assert {"Unit", "Service", "Install"} <= set(unit.sections())


def test_the_database_lives_on_the_volume_in_the_image_the_readme_and_compose() -> None:
    dockerfile, section = Dockerfile.read(), production_section()
    database = dockerfile.env()["DATABASE_PATH"]
    service = compose_service()
    ((named_volume, mounted),) = [volume.split(":") for volume in service["volumes"]]

    assert dockerfile.one("VOLUME") == str(PurePosixPath(database).parent)
    assert f"`DATABASE_PATH={database}`" in section
    assert mounted == str(PurePosixPath(database).parent)
    assert service["environment"]["DATABASE_PATH"] == database
    assert named_volume in compose()["volumes"]
    assert service["env_file"] == ".env"
    assert service["restart"] == "unless-stopped"


def test_a_plain_compose_up_starts_only_the_single_instance_bot() -> None:
    services = compose()["services"]
    always = {name for name, service in services.items() if not service.get("profiles")}
    scale = scale_services()

    assert always == {"bot"}
    assert set(scale) | always == set(services)
    assert {"postgres", "instance", "balancer"} <= set(scale)


def test_the_scale_instances_are_the_bots_image_as_webhooks_on_its_postgresql() -> None:
    scale = scale_services()
    instance, postgres = scale["instance"], scale["postgres"]
    environment = instance["environment"]
    database = urlsplit(environment["DATABASE_URL"])
    database_env = postgres["environment"]

    assert instance["image"] == compose_service()["image"]
    assert instance["build"] == compose_service()["build"]
    assert instance["env_file"] == ".env", "BOT_TOKEN, WEBHOOK_URL and WEBHOOK_SECRET"
    assert instance["restart"] == "unless-stopped"
    assert instance["deploy"]["replicas"] >= 2
    assert set(environment) <= settings_variables()
    assert environment["WEBHOOK_LISTEN"] == Dockerfile.read().env()["WEBHOOK_LISTEN"]
    assert environment["WEBHOOK_LISTEN"].startswith("0.0.0.0:"), "the balancer reaches it"
    assert database.scheme == "postgresql"
    assert (database.hostname, database.port) == ("postgres", 5432)
    assert database.username == database_env["POSTGRES_USER"]
    assert database.path == f"/{database_env['POSTGRES_DB']}"
    assert database.password == database_env["POSTGRES_PASSWORD"]
    assert instance["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert postgres["image"].startswith("postgres:")
    assert "pg_isready" in postgres["healthcheck"]["test"]
    ((named_volume, _),) = [volume.split(":") for volume in postgres["volumes"]]
    assert named_volume in compose()["volumes"]


def test_the_balancer_passes_the_webhook_path_to_every_instance_and_nothing_else() -> None:
    balancer = scale_services()["balancer"]
    instance = scale_services()["instance"]
    http = nginx_config().one("http")
    upstream = http.one("upstream")
    server = http.one("server")
    ((listen,),) = [each.arguments for each in server.all("listen")]
    (container_port,) = [port.rsplit(":", 1)[1] for port in balancer["ports"]]
    host, port = upstream.one("server").arguments[0].rsplit(":", 1)
    proxied = {
        tuple(location.arguments): location
        for location in server.all("location")
        if location.all("proxy_pass")
    }
    ((matched, webhook),) = proxied.items()
    headers = {each.arguments[0]: each.arguments[1] for each in webhook.all("proxy_set_header")}

    name, _, tag = balancer["image"].partition(":")
    assert name == "nginx"
    assert tuple(map(int, tag.split("-")[0].split("."))) >= (1, 28), "`resolve`: nginx 1.27.3"
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in balancer["volumes"]
    assert container_port == listen
    assert balancer["ports"][0].startswith("127.0.0.1:"), "behind the TLS proxy on this host"
    assert (host, port) == ("instance", instance["environment"]["WEBHOOK_LISTEN"].split(":")[1])
    assert "resolve" in upstream.one("server").arguments, "instances added with --scale"
    assert upstream.all("zone") and upstream.all("resolver")
    assert matched == ("=", example_webhook_path())
    assert matched[1] not in OPERATOR_PATHS
    assert webhook.one("proxy_pass").arguments == [f"http://{upstream.arguments[0]}"]
    assert webhook.one("client_max_body_size").arguments == [f"{MAX_REQUEST // 1024**2}m"]
    assert headers[SECRET_HEADER] == "$http_" + SECRET_HEADER.lower().replace("-", "_")
    assert {"error", "timeout", "http_502", "http_503", "http_504", "non_idempotent"} <= set(
        webhook.one("proxy_next_upstream").arguments
    )


def test_the_image_runs_as_a_user_and_exposes_the_webhook_port() -> None:
    dockerfile = Dockerfile.read()

    assert dockerfile.one("USER") not in ("root", "0")
    assert dockerfile.one("EXPOSE") == dockerfile.env()["WEBHOOK_LISTEN"].rpartition(":")[2]
    assert dockerfile.env()["HEALTH_LISTEN"].startswith("127.0.0.1:")


def test_nothing_secret_or_local_goes_into_the_image() -> None:
    patterns = [
        line.strip().rstrip("/")
        for line in (CHECKOUT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(name: str) -> bool:
        return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)

    assert all(ignored(name) for name in (".env", ".venv", ".git", "data", "bot.sqlite3"))
    assert not any(ignored(name) for name in ("pyproject.toml", "README.md", "bot"))


@pytest.fixture
async def bot_health() -> AsyncIterator[tuple[int, list[int]]]:
    """A server playing the bot's /healthz: answers the status the test puts in the list."""
    status = [200]

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"database": "ok"}, status=status[0])

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield port, status
    finally:
        await runner.cleanup()


async def health_check(**environment: str) -> int:
    """Run the image's HEALTHCHECK command here, with the image's settings and `environment`."""
    program, *arguments = Dockerfile.read().health_check()
    assert program == "python"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *arguments,
        env={"PATH": os.environ.get("PATH", ""), **Dockerfile.read().env(), **environment},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    return await asyncio.wait_for(process.wait(), timeout=30)


async def test_the_health_check_asks_healthz_where_the_bot_serves_it_and_fails_on_503(
    bot_health: tuple[int, list[int]],
) -> None:
    port, status = bot_health
    polling = {"HEALTH_LISTEN": f"127.0.0.1:{port}"}
    webhook = {
        "WEBHOOK_URL": "https://bot.example.com/telegram",
        "WEBHOOK_LISTEN": f"0.0.0.0:{port}",
    }

    assert await health_check(**polling) == 0
    assert await health_check(**webhook) == 0
    status[0] = 503
    assert await health_check(**polling) != 0
    assert await health_check(**webhook) != 0
