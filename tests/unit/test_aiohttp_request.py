"""AiohttpRequest, the aiohttp request backend, driven by the real client against the fake API.

It replaces the library's HTTPXRequest, so besides the happy paths these pin down what the
rest of the bot relies on: the same request bodies, the same exceptions, working long polls.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from bot.fake_telegram import FakeBotApi, FakeUser
from bot.runtime.aiohttp_request import POOL_TIMEOUT_MESSAGE, AiohttpRequest, client_timeout

USER_ID = 1001


@pytest_asyncio.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
def user(api: FakeBotApi) -> FakeUser:
    return FakeUser(api, USER_ID, first_name="Anna")


def make_bot(api: FakeBotApi, read_timeout: float | None = 5.0) -> Bot:
    return Bot(
        api.token,
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        request=AiohttpRequest(read_timeout=read_timeout),
        get_updates_request=AiohttpRequest(read_timeout=read_timeout),
    )


@pytest_asyncio.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with make_bot(api) as b:
        yield b


@pytest.mark.asyncio
async def test_get_me(api: FakeBotApi, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (api.bot_id, api.bot_username, True)


@pytest.mark.asyncio
async def test_send_message_round_trips_reply_markup(
    api: FakeBotApi, bot: Bot, user: FakeUser
) -> None:
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Да ✅", callback_data="yes:1"),
                InlineKeyboardButton("No", url="https://example.com/a?b=c&d"),
            ]
        ]
    )
    sent = await bot.send_message(
        USER_ID, "Привет &amp; <b>hi</b>", reply_markup=markup, parse_mode="HTML"
    )
    assert sent.text == "Привет & hi"
    assert sent.reply_markup == markup
    assert api.calls_of("sendMessage")[-1].params["reply_markup"] == markup.to_dict()
    assert user.buttons() == ["Да ✅", "No"]


@pytest.mark.asyncio
async def test_upload_is_multipart_with_the_bytes_and_downloads_back(
    api: FakeBotApi, bot: Bot, user: FakeUser
) -> None:
    data = bytes(range(256)) * 300  # binary, 76.8 kB, with every byte value
    photo = await bot.send_photo(USER_ID, data, caption="<i>Receipt</i>", parse_mode="HTML")
    assert photo.caption == "Receipt"
    uploaded = api.uploaded("sendPhoto")
    assert (uploaded.data, uploaded.size) == (data, len(data))
    doc = await bot.send_document(USER_ID, b"a;b\n", filename="отчёт 1.csv")
    assert doc.document is not None
    assert (doc.document.file_name, api.uploaded().content_type) == ("отчёт 1.csv", "text/csv")
    # Downloads are GETs through the same backend.
    file = await bot.get_file(doc.document.file_id)
    assert await file.download_as_bytearray() == b"a;b\n"


@pytest.mark.asyncio
async def test_the_api_receives_the_same_parameters_as_from_httpx(
    api: FakeBotApi, bot: Bot, user: FakeUser
) -> None:
    async def send_all(b: Bot) -> None:
        await b.send_message(USER_ID, "x=1&y=ä", disable_notification=True)
        await b.send_document(USER_ID, b"%PDF", filename="q.pdf", caption="c", protect_content=True)
        await b.get_me()

    await send_all(bot)
    ours = [(c.method, c.params, c.files) for c in api.calls]
    api.calls.clear()
    async with Bot(
        api.token,
        base_url=api.base_url,
        request=HTTPXRequest(),
        get_updates_request=HTTPXRequest(),
    ) as httpx_bot:
        await send_all(httpx_bot)
    theirs = [(c.method, c.params, c.files) for c in api.calls]
    assert ours == theirs


@pytest.mark.asyncio
async def test_long_poll_outlasts_the_read_timeout_and_returns_a_pushed_update(
    api: FakeBotApi, user: FakeUser
) -> None:
    # get_updates adds the poll time to the read timeout; a poll parked for longer than
    # read_timeout alone must not time out.
    async with make_bot(api, read_timeout=0.1) as bot:
        poll = asyncio.ensure_future(bot.get_updates(timeout=1))
        await api.wait_for(lambda: api.parked_polls == 1)
        await asyncio.sleep(0.3)
        update_id = user.send_text("hello")
        updates = await poll
    assert [(u.update_id, u.message.text if u.message else None) for u in updates] == [
        (update_id, "hello")
    ]


@pytest.mark.asyncio
async def test_dropped_connection_raises_network_error_and_the_next_call_works(
    api: FakeBotApi, bot: Bot, user: FakeUser
) -> None:
    await bot.send_message(USER_ID, "warm up the connection pool")
    api.drop_next("sendMessage")
    with pytest.raises(NetworkError, match=r"^aiohttp\.ServerDisconnectedError") as info:
        await bot.send_message(USER_ID, "lost")
    assert type(info.value) is NetworkError  # not a subclass such as BadRequest or TimedOut
    assert api.calls[-1].dropped
    await bot.send_message(USER_ID, "through")
    assert [m["text"] for m in api.sent_to(USER_ID)][-1] == "through"


@pytest.mark.asyncio
async def test_refused_connection_raises_network_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nobody listens there
    async with AiohttpRequest() as request:
        with pytest.raises(NetworkError, match=r"^aiohttp\.ClientConnectorError") as info:
            await request.post(f"http://127.0.0.1:{port}/bot1:x/getMe")
    assert type(info.value) is NetworkError


@pytest.mark.asyncio
async def test_error_status_becomes_the_library_exception(
    api: FakeBotApi, bot: Bot, user: FakeUser
) -> None:
    api.fail_next("sendMessage", 400, "Bad Request: chat not found")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(USER_ID, "to nowhere")


@pytest.mark.asyncio
async def test_read_timeout_raises_timed_out_and_a_per_call_timeout_overrides_it(
    api: FakeBotApi,
) -> None:
    async with make_bot(api, read_timeout=0.1) as bot:
        await bot.get_me()
        api.latency = 0.5
        with pytest.raises(TimedOut, match="SocketTimeoutError"):
            await bot.get_me()
        me = await bot.get_me(read_timeout=2)
    assert me.username == api.bot_username


@pytest.mark.asyncio
async def test_pool_timeout_when_every_connection_is_busy(api: FakeBotApi) -> None:
    api.latency = 0.2
    async with AiohttpRequest(connection_pool_size=1, pool_timeout=0.05) as request:
        url = f"{api.base_url}{api.token}/getMe"
        busy = asyncio.ensure_future(request.post(url))
        await asyncio.sleep(0.05)
        with pytest.raises(TimedOut) as info:
            await request.post(url)
        assert info.value.message == POOL_TIMEOUT_MESSAGE
        assert (await busy)["username"] == api.bot_username
        assert (await request.post(url, pool_timeout=None))["username"] == api.bot_username


def test_timeouts_translate_to_aiohttp() -> None:
    timeout = client_timeout(read_timeout=15, write_timeout=5, connect_timeout=2)
    assert (timeout.sock_read, timeout.sock_connect, timeout.connect) == (15, 2, 2)
    assert timeout.total == 22  # aiohttp has no write timeout: bound the whole request
    unbounded = client_timeout(read_timeout=None, write_timeout=5, connect_timeout=2)
    assert (unbounded.sock_read, unbounded.total) == (None, None)


@pytest.mark.asyncio
async def test_lifecycle(api: FakeBotApi) -> None:
    request = AiohttpRequest(read_timeout=7)
    assert request.read_timeout == 7
    url = f"{api.base_url}{api.token}/getMe"
    try:
        # Not initialized: the first request opens the session itself.
        assert (await request.post(url))["is_bot"] is True
        await request.shutdown()
        await request.shutdown()  # twice is harmless
        await request.initialize()  # and it can be reopened, like HTTPXRequest
        assert (await request.post(url))["is_bot"] is True
    finally:
        await request.shutdown()


@pytest.mark.asyncio
async def test_application_answers_start_while_polling(api: FakeBotApi, user: FakeUser) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("hi")

    app: Application = (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest())
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    await app.initialize()
    try:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            user.send_command("/start")
            await api.wait_for(lambda: user.last_text() == "hi", timeout=3)
        finally:
            await app.updater.stop()
            await app.stop()
    finally:
        await app.shutdown()
    assert api.pending_updates() == 0
