"""A load balancer in front of several bot instances, whose route the test chooses.

Telegram (the fake) POSTs every update to the one public webhook address; the balancer passes
each request on, unchanged, to the instance the test named last, and hands its answer back,
as an ordinary HTTP load balancer would.
"""

from __future__ import annotations

from types import TracebackType

from aiohttp import ClientSession, web


class Balancer:
    def __init__(self) -> None:
        self.instances: dict[str, str] = {}
        """Each instance's name and the base address of its webhook listener."""
        self.route = ""
        """The instance the next requests go to."""
        self.passed: list[str] = []
        """Which instance each request went to, in order."""
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self.url = ""

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
        self.passed.append(self.route)
        target = self.instances[self.route] + request.path_qs
        headers = {
            name: value
            for name, value in request.headers.items()
            if name.lower() not in ("host", "content-length", "transfer-encoding")
        }
        body = await request.read()
        try:
            async with self._session.post(target, data=body, headers=headers) as answer:
                return web.Response(status=answer.status, body=await answer.read())
        except OSError:
            return web.Response(status=502)
