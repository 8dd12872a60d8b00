"""A load balancer in front of several bot instances, whose route the test chooses.

Telegram (the fake) POSTs every update to the one public webhook address; the balancer passes
each request on, unchanged, to the instance the test named last, and hands its answer back,
as an ordinary HTTP load balancer would. With no route named it takes the instances in turn,
as nginx does by default; an instance that refuses the connection (it is down) is passed
over for the next, as nginx's ``proxy_next_upstream error`` does, while one that fails after
taking the request gets a 502, which Telegram sends again later.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType

from aiohttp import ClientConnectorError, ClientError, ClientSession, web
from pydantic import SecretStr

from bot.config import Listen, Settings
from tests.support.bot_runner import BotRunner


class Balancer:
    def __init__(self) -> None:
        self.instances: dict[str, str] = {}
        """Each instance's name and the base address of its webhook listener."""
        self.route = ""
        """The instance the next requests go to; empty: each instance in turn."""
        self.passed: list[str] = []
        """Which instance each request went to, in order."""
        self.given: defaultdict[str, set[int]] = defaultdict(set)
        """The update ids whose request reached each instance, whatever became of it."""
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self.url = ""
        self._turn = 0

    async def __aenter__(self) -> Balancer:
        app = web.Application()
        app.router.add_route("POST", "/{path:.*}", self._pass_on)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        self._session = ClientSession()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _pass_on(self, request: web.Request) -> web.Response:
        assert self._session is not None
        headers = {
            name: value
            for name, value in request.headers.items()
            if name.lower() not in ("host", "content-length", "transfer-encoding")
        }
        body = await request.read()
        update_id = update_of(body)
        for name in self._upstreams():
            self.passed.append(name)
            target = self.instances[name] + request.path_qs
            try:
                async with self._session.post(target, data=body, headers=headers) as answer:
                    self._gave(name, update_id)
                    return web.Response(status=answer.status, body=await answer.read())
            except ClientConnectorError:
                continue  # refused: nothing reached that instance, so the next may have it
            except (ClientError, OSError):
                self._gave(name, update_id)  # it may have stored the update, or not
                return web.Response(status=502)
        return web.Response(status=502)

    def _gave(self, name: str, update_id: int | None) -> None:
        if update_id is not None:
            self.given[name].add(update_id)

    def _upstreams(self) -> list[str]:
        """The instances to try for one request, in order: the named route alone, or all of
        them starting with the next in turn."""
        if self.route:
            return [self.route]
        names = list(self.instances)
        first = self._turn % len(names)
        self._turn += 1
        return names[first:] + names[:first]


def update_of(body: bytes) -> int | None:
    """The id of the update a request carries, if it carries one."""
    try:
        update = json.loads(body)
    except ValueError:
        return None
    update_id = update.get("update_id") if isinstance(update, dict) else None
    return update_id if isinstance(update_id, int) else None


SECRET = "instances-behind-a-balancer_" + "s" * 24


def behind(settings: Settings, balancer: Balancer) -> Settings:
    """Settings for instances in webhook mode behind ``balancer``: one public address (the
    balancer's), each instance listening on a port of its own, as in production."""
    return settings.model_copy(
        update={
            "webhook_url": f"{balancer.url}/telegram",
            "webhook_secret": SecretStr(SECRET),
            "webhook_listen": Listen(host="127.0.0.1", port=0),
        }
    )


@asynccontextmanager
async def serving(
    balancer: Balancer, runners: dict[str, BotRunner]
) -> AsyncIterator[dict[str, BotRunner]]:
    """Start each instance and put it behind the balancer under its name; stop all after."""
    try:
        for name, runner in runners.items():
            await runner.start()
            assert runner.app is not None
            balancer.instances[name] = f"http://127.0.0.1:{runner.app.bot_data['web'].port}"
        yield runners
    finally:
        for runner in runners.values():
            await runner.stop()
