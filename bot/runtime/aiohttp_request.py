"""A python-telegram-bot request backend on aiohttp, a drop-in for the library's HTTPXRequest.

Why: measured against the fake Bot API, HTTPXRequest spends about 1.6 ms of CPU per update,
an aiohttp-based backend a third of that, and CPU is what limits how many updates one bot
process answers. Behaviour mirrors HTTPXRequest: the same defaults, the same parameters and
the same exceptions (timeouts become ``TimedOut``, other transport failures ``NetworkError``),
so the status-code handling of the library's ``BaseRequest.post`` sees no difference. The
body is one JSON object (which the Bot API takes for every method), or multipart when files
are uploaded, as with httpx; JSON costs less to build than httpx's url-encoded form, whose
nested objects are JSON first and then percent-encoded.

It lives in ``bot.handlers`` because that is the only package allowed to import ``telegram``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.runtime.metrics import call_outcome

log = logging.getLogger(__name__)

_JSON = "application/json"
# HTTPXRequest's wording, so logs and alerts read the same with either backend.
POOL_TIMEOUT_MESSAGE = (
    "Pool timeout: All connections in the connection pool are occupied. "
    "Request was *not* sent to Telegram. Consider adjusting the connection "
    "pool size or the pool timeout."
)


def _sum_or_none(*timeouts: float | None) -> float | None:
    """The sum of the timeouts, or None (no limit) as soon as one of them is unlimited."""
    total = 0.0
    for timeout in timeouts:
        if timeout is None:
            return None
        total += timeout
    return total


def client_timeout(
    read_timeout: float | None,
    write_timeout: float | None,
    connect_timeout: float | None,
) -> aiohttp.ClientTimeout:
    """Translate httpx-style timeouts into aiohttp's (the pool timeout is handled apart).

    * ``connect_timeout`` bounds resolving and connecting (``connect``), and each connection
      attempt (``sock_connect``);
    * ``read_timeout`` bounds every wait for data once the request is sent (``sock_read``),
      so a long poll needs a read timeout longer than the poll, which ``Bot.get_updates``
      ensures by adding the poll time to it;
    * ``write_timeout``: aiohttp has none, so the sum of the three limits the whole request
      (``total``), which keeps a stalled upload from hanging forever; any of them being None
      lifts that limit.
    """
    return aiohttp.ClientTimeout(
        total=_sum_or_none(connect_timeout, write_timeout, read_timeout),
        connect=connect_timeout,
        sock_connect=connect_timeout,
        sock_read=read_timeout,
    )


class AiohttpRequest(BaseRequest):
    """:class:`telegram.request.BaseRequest` implemented with an ``aiohttp.ClientSession``.

    The arguments mean what they mean for ``HTTPXRequest`` (see :func:`client_timeout` for
    how the timeouts map onto aiohttp's). ``pool_timeout`` bounds the wait for one of the
    ``connection_pool_size`` connections, enforced here because aiohttp would count that
    wait against the connect timeout. Uploads use ``media_write_timeout`` instead of
    ``write_timeout`` unless a call passes its own, as in HTTPXRequest.

    Unlike HTTPXRequest it ignores ``HTTPS_PROXY``/``ALL_PROXY`` (aiohttp's ``trust_env``
    would look them up in a thread on every request) and offers no HTTP/2.
    """

    __slots__ = (
        "_connect_timeout",
        "_connection_pool_size",
        "_media_write_timeout",
        "_observe",
        "_pool",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        observe: Callable[[str, str], None] | None = None,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._connection_pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._observe = observe
        """Told each call's Bot API method and outcome (see `bot.runtime.metrics`)."""
        # Both are created inside the running loop (initialize() or the first request):
        # aiohttp sessions and asyncio semaphores belong to the loop they are first used in.
        self._session: aiohttp.ClientSession | None = None
        self._pool: asyncio.Semaphore | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout; ``Bot.get_updates`` adds the long-poll time to it."""
        return self._read_timeout

    def _ensure_session(self) -> tuple[aiohttp.ClientSession, asyncio.Semaphore]:
        """The open session and its pool slots, created on first use.

        Synchronous on purpose: with no await between the check and the assignment,
        concurrent first requests cannot create two sessions.
        """
        session, pool = self._session, self._pool
        if session is None or pool is None or session.closed:
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connection_pool_size),
                headers={"User-Agent": self.USER_AGENT},
                timeout=client_timeout(
                    self._read_timeout, self._write_timeout, self._connect_timeout
                ),
                # The Bot API sets no cookies; the default jar would parse every response.
                cookie_jar=aiohttp.DummyCookieJar(),
            )
            pool = asyncio.Semaphore(self._connection_pool_size)
            self._session, self._pool = session, pool
        return session, pool

    async def initialize(self) -> None:
        """See :meth:`BaseRequest.initialize`; may follow :meth:`shutdown` to reopen."""
        self._ensure_session()

    async def shutdown(self) -> None:
        """See :meth:`BaseRequest.shutdown`; closes the session and its pooled connections."""
        session, self._session, self._pool = self._session, None, None
        if session is None or session.closed:
            log.debug("This AiohttpRequest is already shut down. Returning.")
            return
        await session.close()

    @staticmethod
    def _body(request_data: RequestData | None) -> aiohttp.FormData | bytes | None:
        """Multipart with files, as HTTPXRequest sends them; else one JSON object."""
        if request_data is None:
            return None
        if request_data.contains_files:
            # quote_fields=False: file names go out as UTF-8 like httpx sends them, not
            # percent-encoded (Telegram would show "%D0%BE..." as the document's name).
            form = aiohttp.FormData(quote_fields=False, default_to_multipart=True)
            for name, value in request_data.json_parameters.items():
                form.add_field(name, value)
            for name, (filename, content, mimetype) in request_data.multipart_data.items():
                form.add_field(name, content, filename=filename or name, content_type=mimetype)
            return form
        parameters = request_data.parameters
        if not parameters:
            return None  # like httpx: no body at all, e.g. for getMe
        return json.dumps(parameters).encode()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See :meth:`BaseRequest.do_request`; unset timeouts fall back to this instance's."""
        session, pool = self._ensure_session()
        body = self._body(request_data)

        if isinstance(read_timeout, DefaultValue):
            read_timeout = self._read_timeout
        if isinstance(connect_timeout, DefaultValue):
            connect_timeout = self._connect_timeout
        if isinstance(pool_timeout, DefaultValue):
            pool_timeout = self._pool_timeout
        if isinstance(write_timeout, DefaultValue):
            uploads = isinstance(body, aiohttp.FormData)
            write_timeout = self._media_write_timeout if uploads else self._write_timeout
        timeout = client_timeout(read_timeout, write_timeout, connect_timeout)
        headers = {"Content-Type": _JSON} if isinstance(body, bytes) else None

        if pool.locked():  # only then pay for a timeout scope
            try:
                async with asyncio.timeout(pool_timeout):
                    await pool.acquire()
            except TimeoutError as err:
                raise TimedOut(POOL_TIMEOUT_MESSAGE) from err
        else:
            await pool.acquire()
        outcome = "network"
        try:
            async with session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                answer = response.status, await response.read()
                outcome = call_outcome(response.status)
                return answer
        except TimeoutError as err:  # asyncio.TimeoutError is this since Python 3.11
            # Before ClientError: aiohttp's ServerTimeoutError is both. Its class name tells a
            # read timeout (SocketTimeoutError) from a connect one (ConnectionTimeoutError).
            detail = f": aiohttp.{type(err).__name__}: {err}" if str(err) else ""
            raise TimedOut(f"Timed out{detail}") from err
        except aiohttp.ClientError as err:
            # The class name helps when the message is empty (ServerDisconnectedError).
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err
        finally:
            pool.release()
            if self._observe is not None:
                self._observe(url.rpartition("/")[2], outcome)
