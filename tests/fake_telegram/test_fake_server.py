"""The fake Bot API, exercised through the real python-telegram-bot client.

If these pass, bot tests can trust that what fails against the fake fails against Telegram
(and vice versa) for the behaviours covered here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
import pytest_asyncio
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes

from bot.fake_telegram import DEFAULT_TOKEN, FakeBotApi, FakeUser
from bot.fake_telegram.server import RateLimit

USER_ID = 1001


@pytest_asyncio.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(clock=lambda: 1_700_000_000.0) as fake:
        yield fake


@pytest_asyncio.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(DEFAULT_TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as b:
        yield b


@pytest.fixture
def user(api: FakeBotApi) -> FakeUser:
    return FakeUser(api, USER_ID, first_name="Anna", username="anna")


class ManualTimer:
    """A monotonic timer the test moves by hand, so rate windows need no real sleeping."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


@pytest.mark.asyncio
async def test_get_me_describes_the_bot(api: FakeBotApi, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot
    assert me.username == "repair_test_bot"
    assert me.id == 123456
    assert me.can_join_groups is True
    assert api.calls_of("getme")[0].ok


@pytest.mark.asyncio
async def test_wrong_token_is_unauthorized(api: FakeBotApi) -> None:
    wrong = Bot("999:WRONG", base_url=api.base_url)
    with pytest.raises(InvalidToken, match="rejected by the server"):
        async with wrong:  # initialize() calls getMe
            pass
    assert api.calls[-1].error_code == 401
    assert api.calls[-1].description == "Unauthorized"


@pytest.mark.asyncio
async def test_unknown_method_is_not_found(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(Exception, match=r"(?i)not found"):
        await bot.do_api_request("sendUnicorn", api_kwargs={"chat_id": USER_ID})
    assert api.calls[-1].error_code == 404


@pytest.mark.asyncio
async def test_raw_http_encodings_and_error_bodies(api: FakeBotApi, user: FakeUser) -> None:
    url = f"{api.base_url}{DEFAULT_TOKEN}"
    markup = '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}'
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{url}/GETME") as response:
            assert (await response.json())["result"]["is_bot"] is True
        body = {"chat_id": USER_ID, "text": "123", "reply_markup": markup}
        async with http.post(f"{url}/sendMessage", json=body) as response:
            sent = (await response.json())["result"]
        assert sent["text"] == "123"
        assert sent["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"
        query = {"chat_id": str(USER_ID), "text": "true"}
        async with http.get(f"{url}/sendMessage", params=query) as response:
            assert (await response.json())["result"]["text"] == "true"
        async with http.post(f"{api.base_url}1:nope/getMe") as response:
            assert response.status == 401
            assert await response.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with http.post(f"{url}/sendUnicorn") as response:
            assert response.status == 404
            assert (await response.json())["description"] == "Not Found"
    methods = [c.method for c in api.calls]
    assert methods == ["getMe", "sendMessage", "sendMessage", "getMe", "sendUnicorn"]


@pytest.mark.asyncio
async def test_send_message_round_trip_keeps_history(
    api: FakeBotApi, bot: Bot, user: FakeUser
) -> None:
    user.send_text("hello")
    first = await bot.send_message(USER_ID, "Welcome!", reply_markup=keyboard([("Go", "go")]))
    second = await bot.send_message(USER_ID, "<b>Bold</b> &amp; plain", parse_mode=ParseMode.HTML)

    assert (first.message_id, second.message_id) == (2, 3)  # user's message took id 1
    assert first.chat.first_name == "Anna"
    assert first.from_user is not None
    assert first.from_user.is_bot
    assert first.date.timestamp() == 1_700_000_000
    assert second.text == "Bold & plain"
    assert second.entities[0].type == "bold"
    assert [m["text"] for m in api.history(USER_ID)] == ["hello", "Welcome!", "Bold & plain"]
    assert user.buttons() == ["Go"]
    assert user.last_text() == "Bold & plain"
    call = api.calls_of("sendMessage")[0]
    assert call.params["chat_id"] == USER_ID  # decoded from the form's "1001"
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "go"


@pytest.mark.asyncio
async def test_edit_applies_in_place_and_refuses_no_op(
    api: FakeBotApi, bot: Bot, user: FakeUser
) -> None:
    sent = await bot.send_message(USER_ID, "Step 1", reply_markup=keyboard([("Next", "n")]))
    edited = await bot.edit_message_text(
        "Step 2", chat_id=USER_ID, message_id=sent.message_id, reply_markup=keyboard([("B", "b")])
    )
    assert edited.edit_date is not None
    assert api.sent_to(USER_ID)[0]["text"] == "Step 2"
    assert user.buttons() == ["B"]

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "Step 2",
            chat_id=USER_ID,
            message_id=sent.message_id,
            reply_markup=keyboard([("B", "b")]),
        )
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER_ID, message_id=999)

    await bot.edit_message_reply_markup(USER_ID, sent.message_id, reply_markup=None)
    assert "reply_markup" not in api.sent_to(USER_ID)[0]
    assert await bot.delete_message(USER_ID, sent.message_id)
    assert api.sent_to(USER_ID) == []


@pytest.mark.asyncio
async def test_validation_errors_surface_as_ptb_exceptions(
    api: FakeBotApi, bot: Bot, user: FakeUser
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(4242, "who?")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER_ID, "   ")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER_ID, "x" * 4097)
    await bot.send_message(USER_ID, "<b>x</b>" * 1000 + "y" * 3096, parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)Text buttons are unallowed"):
        await bot.send_message(
            USER_ID, "t", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("plain")]])
        )
    assert len(api.sent_to(USER_ID)) == 1


@pytest.mark.asyncio
async def test_length_limits_count_utf16_units_after_html_parsing_like_telegram(
    api: FakeBotApi, bot: Bot, user: FakeUser
) -> None:
    await bot.send_message(USER_ID, "😀" * 2048)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER_ID, "😀" * 2049)
    await bot.send_message(USER_ID, "&lt;" * 4096, parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER_ID, "&amp;" * 4097, parse_mode=ParseMode.HTML)
    await bot.send_document(
        USER_ID, b"x", filename="a.txt", caption="&lt;" * 1024, parse_mode=ParseMode.HTML
    )
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_document(USER_ID, b"x", filename="a.txt", caption="😀" * 513)
    assert len(api.sent_to(USER_ID)) == 3


@pytest.mark.asyncio
async def test_callback_data_over_64_bytes_is_refused(bot: Bot, user: FakeUser) -> None:
    await bot.send_message(USER_ID, "ok", reply_markup=keyboard([("a", "x" * 64)]))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(USER_ID, "no", reply_markup=keyboard([("a", "ü" * 33)]))


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("html", "detail"),
    [
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", "Unmatched end tag"),
        ("1 < 2", 'Unsupported start tag ""'),
        ("line<br>break", 'Unsupported start tag "br"'),
        ("Tom & Jerry", "Character '&'"),
    ],
)
async def test_html_parse_errors(bot: Bot, user: FakeUser, html: str, detail: str) -> None:
    with pytest.raises(BadRequest, match=r"^Can't parse entities: ") as info:
        await bot.send_message(USER_ID, html, parse_mode=ParseMode.HTML)
    # python-telegram-bot strips "Bad Request: " and capitalize()s the rest (lowercasing it)
    assert detail.lower() in str(info.value)


@pytest.mark.asyncio
async def test_blocked_user_and_injected_failures(
    api: FakeBotApi, bot: Bot, user: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the opt-in, RetryAfter.__init__ itself emits a PTBDeprecationWarning (22.2+),
    # which filterwarnings=error turns into the exception raised instead of RetryAfter.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    api.fail_next("sendmessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(USER_ID, "flood")
    assert info.value.retry_after == timedelta(seconds=7)
    await bot.send_message(USER_ID, "fine now")

    api.block(USER_ID)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(USER_ID, "still there?")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(USER_ID, "typing")
    assert [c.ok for c in api.calls_of("sendMessage")] == [False, True, False]

    user.send_command("start")  # the "Restart" button unblocks, as in Telegram
    await bot.send_message(USER_ID, "welcome back")
    user.block_bot()
    assert (await bot.get_updates())[-1].my_chat_member is not None
    with pytest.raises(Forbidden):
        await bot.send_message(USER_ID, "gone")


@pytest.mark.asyncio
async def test_long_poll_returns_pushed_update_and_offset_confirms(
    api: FakeBotApi, bot: Bot, user: FakeUser
) -> None:
    assert await bot.get_updates(timeout=0) == ()
    task = asyncio.ensure_future(bot.get_updates(timeout=5))
    await api.wait_for(lambda: api.parked_polls == 1)
    update_id = user.send_command("start", "deep-link")
    updates = await asyncio.wait_for(task, 2)
    assert [u.update_id for u in updates] == [update_id]
    message = updates[0].message
    assert message is not None
    assert message.text == "/start deep-link"
    assert (message.entities[0].type, message.entities[0].length) == ("bot_command", 6)
    assert api.pending_updates() == 1

    assert await bot.get_updates(offset=update_id + 1, timeout=0) == ()
    assert api.pending_updates() == 0
    assert api.confirmed_offset == update_id + 1


@pytest.mark.asyncio
async def test_a_redelivered_update_comes_again_with_its_id_and_payload(
    api: FakeBotApi, bot: Bot, user: FakeUser
) -> None:
    update_id = user.send_command("quote", "SR-7K2Q9D 1500")
    first = await bot.get_updates(timeout=0)
    assert await bot.get_updates(offset=update_id + 1, timeout=0) == ()

    api.redeliver(update_id)

    assert api.confirmed_offset == update_id, "the confirmation never reached Telegram"
    again = await bot.get_updates(timeout=0)
    assert [u.to_dict() for u in again] == [u.to_dict() for u in first]
    with pytest.raises(KeyError):
        api.redeliver(update_id + 1)


@pytest.mark.asyncio
async def test_concurrent_long_poll_is_terminated_with_conflict(api: FakeBotApi, bot: Bot) -> None:
    async with Bot(DEFAULT_TOKEN, base_url=api.base_url) as second:
        first_poll = asyncio.ensure_future(bot.get_updates(timeout=5))
        await api.wait_for(lambda: api.parked_polls == 1)
        second_poll = asyncio.ensure_future(second.get_updates(timeout=0))
        with pytest.raises(Conflict, match="terminated by other getUpdates"):
            await first_poll
        assert await second_poll == ()


@pytest.mark.asyncio
async def test_press_builds_a_callback_the_bot_can_answer_once(
    api: FakeBotApi, bot: Bot, user: FakeUser
) -> None:
    sent = await bot.send_message(
        USER_ID, "Pick", reply_markup=keyboard([("Yes, book it", "book:1"), ("No", "no")])
    )
    user.press("Yes")  # prefix match
    updates = await bot.get_updates()
    query = updates[-1].callback_query
    assert query is not None
    assert query.data == "book:1"
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    assert await query.answer("Booked!")
    assert api.callback_answers(USER_ID)[0].text == "Booked!"
    assert api.callback_answers(USER_ID)[0].data == "book:1"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer()

    with pytest.raises(AssertionError, match=r"visible buttons: .*'Yes, book it', 'No'"):
        user.press("Maybe")
    user.press_data(sent.message_id, "forged")
    assert (await bot.get_updates(offset=updates[-1].update_id + 1))[-1].callback_query


@pytest.mark.asyncio
async def test_commands_reply_keyboard_media_and_chat(
    api: FakeBotApi, bot: Bot, user: FakeUser
) -> None:
    await bot.set_my_commands([BotCommand("start", "Start")])
    await bot.set_my_commands(
        [BotCommand("status", "Status")], scope=BotCommandScopeChat(USER_ID), language_code="de"
    )
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    assert api.commands({"type": "chat", "chat_id": USER_ID}, "de")[0]["command"] == "status"
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])

    share = ReplyKeyboardMarkup([[KeyboardButton("Share phone", request_contact=True)]])
    sent = await bot.send_message(USER_ID, "Phone?", reply_markup=share)
    assert sent.reply_markup is None  # Telegram only echoes inline keyboards
    assert user.reply_buttons()[0]["request_contact"] is True
    user.press_reply("Share phone")
    assert api.history(USER_ID)[-1]["contact"]["user_id"] == USER_ID
    await bot.send_message(USER_ID, "Thanks", reply_markup=ReplyKeyboardRemove())
    assert api.reply_keyboard(USER_ID) is None

    photo = await bot.send_photo(
        USER_ID, b"\x89PNG fake", caption="<i>Receipt</i>", parse_mode="HTML"
    )
    assert photo.caption == "Receipt" and photo.photo[-1].file_size == 9
    assert api.calls_of("sendPhoto")[0].files["photo"].data == b"\x89PNG fake"
    doc = await bot.send_document(USER_ID, b"%PDF", filename="quote.pdf")
    assert doc.document is not None
    assert doc.document.file_name == "quote.pdf"
    assert await (await bot.get_file(doc.document.file_id)).download_as_bytearray() == b"%PDF"
    venue = await bot.send_venue(USER_ID, 52.5, 13.4, "Workshop", "Main St 1")
    assert venue.venue is not None
    assert venue.location is not None
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(USER_ID, "no-such-file-id")

    chat = await bot.get_chat(USER_ID)
    assert chat.username == "anna"
    assert await bot.set_chat_menu_button()


@pytest.mark.asyncio
async def test_a_persons_menu_is_the_first_list_set_in_telegrams_order(
    api: FakeBotApi, bot: Bot
) -> None:
    await bot.set_my_commands([BotCommand("start", "Start")])
    await bot.set_my_commands([BotCommand("start", "Старт")], language_code="ru")
    assert api.menu_of(USER_ID, "ru")[0]["description"] == "Старт"
    assert api.menu_of(USER_ID, "de")[0]["description"] == "Start"

    await bot.set_my_commands([BotCommand("jobs", "Заявки")], scope=BotCommandScopeChat(USER_ID))
    assert api.menu_of(USER_ID, "en")[0]["description"] == "Заявки", "the chat scope wins"
    await bot.set_my_commands(
        [BotCommand("jobs", "Jobs")], scope=BotCommandScopeChat(USER_ID), language_code="en"
    )
    assert api.menu_of(USER_ID, "en")[0]["description"] == "Jobs"
    assert api.menu_of(USER_ID, "ru")[0]["description"] == "Заявки"
    assert api.menu_of(USER_ID + 1, "ru")[0]["description"] == "Старт"


@pytest.mark.asyncio
async def test_wait_for_times_out_with_recent_calls(api: FakeBotApi, bot: Bot) -> None:
    await bot.get_me()
    with pytest.raises(TimeoutError, match=r"(?s)condition not met within 0.05s.*getMe -> ok"):
        await api.wait_for(lambda: api.calls_of("sendMessage"), timeout=0.05)


@pytest.mark.asyncio
async def test_application_answers_start(api: FakeBotApi, user: FakeUser) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("hi")

    app: Application = ApplicationBuilder().token(DEFAULT_TOKEN).base_url(api.base_url).build()
    app.add_handler(CommandHandler("start", start))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        user.send_command("/start")
        await api.wait_for(lambda: user.last_text() == "hi", timeout=3)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert api.pending_updates() == 0
    assert [c.method for c in api.calls if c.method != "getUpdates"][:2] == [
        "getMe",
        "deleteWebhook",
    ]


@pytest.mark.asyncio
async def test_flood_control_refuses_the_31st_message_within_a_second(
    api: FakeBotApi, bot: Bot
) -> None:
    timer = ManualTimer(0.0)
    api.timer = timer
    api.rate_limit = RateLimit()
    chats = [2000 + n for n in range(31)]  # one message each: only the global limit applies
    for chat_id in chats:
        api.register_user({"id": chat_id, "first_name": f"U{chat_id}"})
    for chat_id in chats[:30]:
        await bot.send_message(chat_id, "news")
        timer.now += 0.01

    with pytest.raises(RetryAfter) as info:
        await bot.send_message(chats[30], "one too many")
    assert info.value.retry_after == timedelta(seconds=1)
    assert api.calls[-1].description == "Too Many Requests: retry after 1"
    assert api.sent_to(chats[30]) == []  # refused, not executed
    assert (api.sent_count(), api.sent_count(chats[30]), api.max_rate()) == (30, 0, 30)
    assert api.too_many_requests == 1
    assert api.rate_limited(chats[30]) == api.rate_limited_calls == [api.calls[-1]]
    assert api.rate_limited(chats[0]) == []

    timer.now = 1.0  # the first message (at 0.0) has left the window
    await bot.send_message(chats[30], "now it fits")
    assert api.sent_count() == 31
    assert (api.max_rate(), api.max_rate(window=2.0)) == (30, 31)


@pytest.mark.asyncio
async def test_flood_control_per_chat(api: FakeBotApi, bot: Bot, user: FakeUser) -> None:
    timer = ManualTimer()
    api.timer = timer
    api.rate_limit = RateLimit()
    first = await bot.send_message(USER_ID, "one")
    timer.now += 0.4
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(USER_ID, "two")
    assert info.value.retry_after == timedelta(seconds=1)
    # Only messages count: chat actions, edits and other chats are not held back.
    await bot.send_chat_action(USER_ID, "typing")
    await bot.edit_message_text("one!", chat_id=USER_ID, message_id=first.message_id)
    api.register_user({"id": 2002, "first_name": "Ben"})
    await bot.send_message(2002, "elsewhere")

    timer.now += 0.6  # exactly one second after "one"
    await bot.send_message(USER_ID, "two")
    assert [m["text"] for m in api.sent_to(USER_ID)] == ["one!", "two"]
    assert (api.max_rate(chat_id=USER_ID), api.max_rate()) == (1, 2)
    assert (api.sent_count(USER_ID), api.sent_count(2002)) == (2, 1)

    api.rate_limit = RateLimit(per_chat_per_second=20 / 60)  # Telegram's group limit
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(USER_ID, "three")
    assert info.value.retry_after == timedelta(seconds=3)
    api.rate_limit = None
    await bot.send_message(USER_ID, "three")
    assert api.max_rate(chat_id=USER_ID) == 2
    assert api.too_many_requests == len(api.rate_limited(USER_ID)) == 2


@pytest.mark.asyncio
async def test_dropped_connections_and_queued_failures(
    api: FakeBotApi, bot: Bot, user: FakeUser
) -> None:
    api.drop_next("sendMessage")
    with pytest.raises(NetworkError) as info:
        await bot.send_message(USER_ID, "lost")
    assert type(info.value) is NetworkError  # not one of its subclasses such as BadRequest
    assert api.sent_to(USER_ID) == []
    assert api.calls[-1].dropped
    assert "DROPPED" in api.calls[-1].summary()

    # Faults queue up in order, whichever helper added them.
    api.fail_next("sendMessage", 500, "Internal Server Error", times=2)
    api.drop_next("sendMessage")
    for _ in range(3):
        with pytest.raises(NetworkError):
            await bot.send_message(USER_ID, "flaky")
    await bot.send_message(USER_ID, "through")
    outcomes = [(c.error_code, c.dropped) for c in api.calls_of("sendMessage")]
    assert outcomes == [(None, True), (500, False), (500, False), (None, True), (None, False)]
    assert [m["text"] for m in api.sent_to(USER_ID)] == ["through"]
    assert api.sent_count() == 1


@pytest.mark.asyncio
async def test_latency_delays_every_answer(api: FakeBotApi, bot: Bot) -> None:
    api.latency = 0.05
    loop = asyncio.get_running_loop()
    started = loop.time()
    await bot.get_me()
    assert await bot.get_updates(timeout=0) == ()
    assert 0.09 <= loop.time() - started < 5


@pytest.mark.asyncio
async def test_uploaded_returns_the_bytes_the_bot_sent(
    api: FakeBotApi, bot: Bot, user: FakeUser
) -> None:
    await bot.send_document(USER_ID, b"%PDF-1", filename="first.pdf")
    second = await bot.send_document(USER_ID, b"%PDF-2", filename="second.pdf")
    assert second.document is not None
    await bot.send_document(USER_ID, second.document.file_id)  # a re-send uploads nothing
    assert (api.uploaded().data, api.uploaded().filename) == (b"%PDF-2", "second.pdf")
    assert api.uploaded("senddocument", 0).data == b"%PDF-1"
    with pytest.raises(AssertionError, match="0 successful sendPhoto uploads"):
        api.uploaded("sendPhoto")


async def test_an_album_of_known_file_ids_becomes_one_message_per_item_like_telegram(
    api: FakeBotApi, bot: Bot, user: FakeUser
) -> None:
    user.send_album(photos=2, videos=1, caption="the drum")
    sent = [m for m in api.history(USER_ID) if m.get("media_group_id")]
    assert len({m["media_group_id"] for m in sent}) == 1 and sent[0]["caption"] == "the drum"
    photo, video = sent[0]["photo"][-1]["file_id"], sent[2]["video"]["file_id"]

    album = await bot.send_media_group(
        USER_ID, [InputMediaPhoto(photo, caption="SR-1"), InputMediaVideo(video)]
    )

    assert [m.photo[-1].file_id if m.photo else m.video.file_id for m in album] == [photo, video]
    assert album[0].caption == "SR-1" and album[0].media_group_id == album[1].media_group_id
    alone = await bot.send_video(USER_ID, video, caption="one")
    assert alone.video is not None and alone.video.file_id == video
    uploaded = await bot.send_media_group(
        USER_ID, [InputMediaPhoto(b"\x89PNG one"), InputMediaPhoto(photo)]
    )
    assert api.file_data(uploaded[0].photo[-1].file_id) == b"\x89PNG one"


@pytest.mark.parametrize(
    ("album", "detail"),
    [
        (["photo"], "Media must include 2-10 items"),
        (["photo"] * 11, "Media must include 2-10 items"),
        (["photo", "no-such-file-id"], "Wrong file identifier"),
    ],
)
async def test_an_album_of_the_wrong_size_or_an_unknown_file_is_refused_whole(
    api: FakeBotApi, bot: Bot, user: FakeUser, album: list[str], detail: str
) -> None:
    photo = api.make_photo()[-1]["file_id"]
    media = [InputMediaPhoto(photo if item == "photo" else item) for item in album]

    with pytest.raises(BadRequest, match=detail):
        await bot.send_media_group(USER_ID, media)
    assert api.sent_to(USER_ID) == []


async def test_a_document_cannot_join_photos_in_an_album(
    api: FakeBotApi, bot: Bot, user: FakeUser
) -> None:
    photo = api.make_photo()[-1]["file_id"]
    document = api.make_file("document", file_name="a.pdf")["file_id"]

    with pytest.raises(BadRequest, match="mixed with other media types"):
        await bot.send_media_group(USER_ID, [InputMediaPhoto(photo), InputMediaDocument(document)])
    with pytest.raises(BadRequest, match=r"(?i)use file of type photo as video"):
        await bot.send_media_group(USER_ID, [InputMediaPhoto(photo), InputMediaVideo(photo)])
