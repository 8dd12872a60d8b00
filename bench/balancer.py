"""A round-robin load balancer in front of several bot instances, as deploy/nginx.conf is.

The fake Bot API POSTs every update to the one public webhook address (this); each request
goes on, unchanged, to the next instance in turn, and its answer comes back. A connection that
fails, an answer not in time, or one of 502-504 sends the request on to the next instance, as
nginx's ``proxy_next_upstream`` does: the inbox stores an update once however often it comes.
It runs in the benchmark's process, beside the fake: its CPU time is not the bot's.
"""

from __future__ import annotations

import itertools
from types import TracebackType

from aiohttp import ClientError, ClientSession, ClientTimeout, TCPConnector, web

PASSED_ON = frozenset({502, 503, 504})
"""Answers that send the request on to the next instance."""
DROPPED_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})


class RoundRobin:
    def __init__(self, instances: list[str]) -> None:
        """``instances``: each instance's base address (``http://127.0.0.1:PORT``)."""
        self.instances = instances
        self._turn = itertools.cycle(range(len(instances)))
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self.url = ""
        """The balancer's own base address, once entered."""

    async def __aenter__(self) -> RoundRobin:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_route("POST", "/{path:.*}", self._pass_on)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        # Connections kept open to the instances, as nginx's `keepalive`.
        self._session = ClientSession(
            connector=TCPConnector(limit=0), timeout=ClientTimeout(total=20)
        )
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
            if name.lower() not in DROPPED_HEADERS
        }
        body = await request.read()
        status = 502
        for _ in self.instances:
            target = self.instances[next(self._turn)] + request.path_qs
            try:
                async with self._session.post(target, data=body, headers=headers) as answer:
                    status, answered = answer.status, await answer.read()
            except (ClientError, TimeoutError):
                continue
            if status not in PASSED_ON:
                return web.Response(status=status, body=answered)
        return web.Response(status=status)
