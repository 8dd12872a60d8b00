"""The fault in the customer's own words and pictures reaches the workshop and head office."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi, JSONDict
from tests.support.bot_runner import BotRunner, Person
from tests.support.clock import FakeClock

ONE_WORKSHOP = Path(__file__).parent / "data" / "one_workshop.yaml"
HEAD_OFFICE = 9000
MECHANIC = 7001
ASKED = "in your own words"
SLOW_DOWN = "faster than I can read them"


@pytest.fixture
async def network(
    api: FakeBotApi, settings: Settings, clock: FakeClock
) -> AsyncIterator[BotRunner]:
    runner = BotRunner(
        api,
        settings.model_copy(
            update={"head_office_ids": frozenset({HEAD_OFFICE}), "workshops_file": ONE_WORKSHOP}
        ),
        clock,
    )
    await runner.start()
    yield runner
    await runner.stop()


@pytest.fixture
async def paced(
    api: FakeBotApi, settings: Settings, clock: FakeClock
) -> AsyncIterator[BotRunner]:
    """The same network with the default flood limits."""
    defaults = Settings.model_fields
    runner = BotRunner(
        api,
        settings.model_copy(
            update={
                "head_office_ids": frozenset({HEAD_OFFICE}),
                "workshops_file": ONE_WORKSHOP,
                "flood_burst": defaults["flood_burst"].default,
                "flood_rate": defaults["flood_rate"].default,
            }
        ),
        clock,
    )
    await runner.start()
    yield runner
    await runner.stop()


async def hire_mechanic(network: BotRunner) -> Person:
    mechanic = network.person(MECHANIC, "Mike")
    await mechanic.command("/start")
    await network.person(HEAD_OFFICE, "Olga").command("/addstaff", f"{MECHANIC} TEST-ONE")
    return mechanic


WASHER_WONT_DRAIN = {
    "en": ("Washing machine", "Won't drain", "❌ Still broken"),
    "ru": ("Стиральная машина", "Не сливает воду", "❌ Не помогло"),
}


async def to_description(customer: Person, lang: str = "en") -> list[JSONDict]:
    """A washer that won't drain, the fix did not help: the description is asked for."""
    category, fault, still_broken = WASHER_WONT_DRAIN[lang]
    await customer.command("/repair")
    await customer.taps(category)
    await customer.taps(fault)
    return await customer.taps(still_broken)


async def book_from_here(customer: Person) -> tuple[str, str]:
    """From the location step on, the second day at 09:00: the code, and the summary shown
    before Confirm (which replaces it)."""
    await customer.says("Testville")
    await customer.taps("One Bench")
    await customer.taps(customer.buttons()[1])
    await customer.taps("09:00")
    summary = (await customer.shares_contact("+79001112233"))[-1]["text"]
    await customer.taps("Confirm")
    booked = next(t for t in customer.texts() if "Booked!" in t)
    found = re.search(r"SR-[0-9A-Z]{6}", booked)
    assert found is not None
    return found.group(0), summary


def sent_media(api: FakeBotApi, chat_id: int) -> list[str]:
    """The file ids of the photos (largest size) and videos a person sent, in order."""
    ids = []
    for message in api.history(chat_id):
        if message.get("from", {}).get("id") != chat_id:
            continue
        if message.get("photo"):
            ids.append(message["photo"][-1]["file_id"])
        elif message.get("video"):
            ids.append(message["video"]["file_id"])
    return ids


def albums_to(api: FakeBotApi, chat_id: int) -> list[list[JSONDict]]:
    """What the bot sent a chat as albums, each as its list of InputMedia."""
    return [
        call.params["media"]
        for call in api.calls_of("sendMediaGroup")
        if call.ok and int(call.params["chat_id"]) == chat_id
    ]


def answers_to(messages: list[JSONDict]) -> list[str]:
    return [m.get("text", "") for m in messages]


async def test_an_album_of_three_photos_and_a_description_reach_the_workshop_as_one_album(
    network: BotRunner, api: FakeBotApi
) -> None:
    mechanic = await hire_mechanic(network)
    office = network.person(HEAD_OFFICE, "Olga")
    anna = network.person(1001, "Anna")
    await to_description(anna)

    noted = await anna.says("Bosch WAT28, the pump hums but no water goes out")
    assert answers_to(noted) == ["✍️ Noted. Add photos or a video if you like, or tap ➡️ Continue."]
    album = await anna.sends_album(photos=3)
    assert answers_to(album) == ["📷 Got it. Send more, or tap ➡️ Continue."]
    where = await anna.finishes_description()
    assert "Share your location" in where[-1]["text"]
    code, summary = await book_from_here(anna)
    assert "📝 Bosch WAT28, the pump hums" in summary and "Photos and videos: 3" in summary

    alert = next(t for t in mechanic.texts() if "New booking" in t)
    assert "📝 Bosch WAT28, the pump hums but no water goes out" in alert
    assert "📎 Photos and videos: 3" in alert

    photos = sent_media(api, anna.id)
    assert len(photos) == 3
    for reader in (mechanic, office):
        reader.new_messages()
        card = await reader.command("/job", code)
        assert "Bosch WAT28, the pump hums but no water goes out" in card[0]["text"]
        [shown] = albums_to(api, reader.id)
        assert [item["media"] for item in shown] == photos
        assert {item["type"] for item in shown} == {"photo"}
        assert shown[0]["caption"] == f"{code}: the customer's photos and video"
        assert sum(1 for m in card if m.get("media_group_id")) == 3, "one album in the chat"


async def test_photos_telegram_refuses_leave_the_card_and_a_plain_note(
    network: BotRunner, api: FakeBotApi
) -> None:
    mechanic = await hire_mechanic(network)
    anna = network.person(1009, "Anna")
    await to_description(anna)
    await anna.sends_album(photos=2)
    await anna.finishes_description()
    code, _ = await book_from_here(anna)
    mechanic.new_messages()
    api.fail_next("sendMediaGroup", 400, "Bad Request: wrong file identifier/HTTP URL specified")

    answers = answers_to(await mechanic.command("/job", code))

    assert answers[0].startswith(f"Ticket {code}")
    assert answers[1:] == [
        "📎 The customer's photos and videos (2) could not be shown: Telegram refused them."
    ]


async def test_an_album_of_ten_after_three_typed_lines_is_never_refused_and_gets_one_answer(
    paced: BotRunner, clock: FakeClock
) -> None:
    anna = paced.person(1002, "Anna")
    for step in (
        lambda: anna.command("/repair"),
        lambda: anna.taps("Washing machine"),
        lambda: anna.taps("Won't drain"),
        lambda: anna.taps("❌ Still broken"),
    ):
        await step()
        clock.advance(seconds=3)  # a person's pace through the buttons

    last = 0
    for line in ("Bosch WAT28", "bought in 2019", "the pump hums"):
        last = anna.user.send_text(line)
    last = anna.user.send_album(photos=10)
    paced.last_update_id = last
    await paced.settle()
    answers = answers_to(anna.new_messages())

    assert not [a for a in answers if SLOW_DOWN in a]
    assert answers.count("✍️ Noted. Add photos or a video if you like, or tap ➡️ Continue.") == 3
    assert answers.count("📷 Got it. Send more, or tap ➡️ Continue.") == 1, "one answer an album"
    assert len(answers) == 4
    summary = await to_summary(anna, pace=clock)
    assert "Bosch WAT28\nbought in 2019\nthe pump hums" in summary
    assert "Photos and videos: 10" in summary


async def to_summary(customer: Person, pace: FakeClock | None = None) -> str:
    """From the description step to the booking summary, a step every 3 s of `pace`."""
    steps = [
        lambda: customer.finishes_description(),
        lambda: customer.says("Testville"),
        lambda: customer.taps("One Bench"),
        lambda: customer.taps(customer.buttons()[1]),
        lambda: customer.taps("09:00"),
    ]
    for step in steps:
        if pace is not None:
            pace.advance(seconds=3)
        await step()
    return str((await customer.taps_reply("Skip"))[-1]["text"])


async def test_a_5000_character_description_is_refused_whole_and_asked_to_shorten(
    network: BotRunner,
) -> None:
    anna = network.person(1003, "Anna")
    await to_description(anna)

    refused = await anna.says("drum " * 1000)

    assert len(refused) == 1
    assert "4999 characters long" in refused[0]["text"], "counted without the trailing space"
    assert "1000 at most (1000 left)" in refused[0]["text"]
    assert "shorten it" in refused[0]["text"] and "none of it was kept" in refused[0]["text"]
    assert anna.buttons(refused[0]["message_id"])[0] == "Skip", "nothing was kept"

    kept = await anna.says("The drum does not turn")
    assert anna.buttons(kept[0]["message_id"])[0] == "➡️ Continue"
    later = await anna.says("x" * 990)
    assert "(977 left)" in later[0]["text"], "the room left beside the 22 characters kept"
    summary = await to_summary(anna)
    assert summary.endswith("📝 The drum does not turn"), "the refused text is not in it"


async def test_an_eleventh_photo_and_a_second_video_are_refused_plainly_and_not_kept(
    network: BotRunner, api: FakeBotApi
) -> None:
    mechanic = await hire_mechanic(network)
    anna = network.person(1004, "Anna")
    await to_description(anna)

    first = await anna.sends_album(photos=5, videos=1)
    assert answers_to(first) == ["📷 Got it. Send more, or tap ➡️ Continue."]
    second_video = await anna.sends("video")
    assert "One video is enough" in second_video[0]["text"]
    overflow = await anna.sends_album(photos=6)
    [answer] = overflow
    assert "📷 Got it." in answer["text"], "the album's one answer"
    assert answer.get("edit_date"), "corrected once the album ran over"
    assert "the first 10 are kept, the rest are not" in answer["text"]
    eleventh = await anna.sends("photo")
    assert "the first 10 are kept" in eleventh[0]["text"]

    await anna.finishes_description()
    code, summary = await book_from_here(anna)
    assert "Photos and videos: 10" in summary
    await mechanic.command("/job", code)
    [shown] = albums_to(api, mechanic.id)
    sent = sent_media(api, anna.id)
    kept = [*sent[:6], *sent[7:11]]  # the album of five and a video; not the second video
    assert [item["media"] for item in shown] == kept
    assert [item["type"] for item in shown] == ["photo"] * 5 + ["video"] + ["photo"] * 4


async def test_skip_goes_on_to_the_booking_and_the_workshop_gets_no_album(
    network: BotRunner, api: FakeBotApi
) -> None:
    mechanic = await hire_mechanic(network)
    anna = network.person(1005, "Anna")
    asked = await to_description(anna)
    assert "Tell the workshop what is wrong" in asked[-1]["text"]
    assert anna.buttons(asked[-1]["message_id"]) == ["Skip", "⬅️ Back", "✖️ Exit"]

    where = await anna.finishes_description()
    assert "Share your location" in where[-1]["text"]
    code, summary = await book_from_here(anna)
    assert "📝" not in summary and "📎" not in summary

    card = await mechanic.command("/job", code)
    assert "📝" not in card[0]["text"]
    assert not api.calls_of("sendMediaGroup") and not api.calls_of("sendPhoto")


async def test_back_from_the_description_returns_to_the_fix_and_keeps_what_was_sent(
    network: BotRunner,
) -> None:
    anna = network.person(1006, "Anna")
    await to_description(anna)
    await anna.says("Bosch WAT28")

    await anna.taps("⬅️ Back")
    assert "drain pump filter" in anna.screen["text"]
    again = await anna.taps("❌ Still broken")
    assert anna.buttons(again[-1]["message_id"])[0] == "➡️ Continue"
    assert "📝 Bosch WAT28" in await to_summary(anna)


@pytest.mark.parametrize("kind", ["sticker", "voice", "document"])
async def test_a_sticker_voice_or_document_gets_a_kind_answer_and_the_step_stays(
    network: BotRunner, kind: str
) -> None:
    anna = network.person(1007, "Anna")
    await to_description(anna)

    answer = await anna.sends(kind)

    assert "I can take text, photos or a video" in answer[-1]["text"]
    assert anna.buttons(answer[-1]["message_id"])[0] == "Skip"
    noted = await anna.says("Bosch WAT28")
    assert "Noted" in noted[-1]["text"]


async def test_a_walk_in_customer_describes_the_fault_when_claiming_the_ticket(
    network: BotRunner, api: FakeBotApi
) -> None:
    mechanic = await hire_mechanic(network)
    created = await mechanic.command("/walkin", "washer drum")
    link = re.search(r"\?start=(\S+)", created[0]["text"])
    code = re.search(r"SR-[0-9A-Z]{6}", created[0]["text"])
    assert link is not None and code is not None
    walter = network.person(1500, "Walter")

    claimed = await walter.command("/start", link.group(1))
    assert code.group(0) in claimed[0]["text"]
    assert ASKED in claimed[-1]["text"]
    assert walter.buttons(claimed[-1]["message_id"]) == ["Skip", "✖️ Exit"], "no tree to go back"
    await walter.says("Siemens iQ500: the drum stops after a minute")
    await walter.sends("video")
    thanked = await walter.taps("➡️ Continue")
    assert not thanked or "Thank you" in walter.screen["text"]
    assert f"the workshop will see it with ticket {code.group(0)}" in walter.screen["text"]

    mechanic.new_messages()
    card = await mechanic.command("/job", code.group(0))
    assert "drum\nSiemens iQ500: the drum stops after a minute" in card[0]["text"]
    [video] = [m for m in card if m.get("video")]
    assert video["video"]["file_id"] == sent_media(api, walter.id)[0]
    assert video["caption"] == f"{code.group(0)}: the customer's photos and video"
    assert not api.calls_of("sendMediaGroup"), "one video goes alone"


async def test_a_walk_in_customer_who_skips_adds_nothing_to_the_ticket(
    network: BotRunner,
) -> None:
    mechanic = await hire_mechanic(network)
    created = await mechanic.command("/walkin", "washer drum")
    link = re.search(r"\?start=(\S+)", created[0]["text"])
    assert link is not None
    walter = network.person(1501, "Walter")
    await walter.command("/start", link.group(1))

    await walter.taps("Skip")

    assert walter.screen["text"].startswith("OK, nothing added.")
    mechanic.new_messages()
    code = re.search(r"SR-[0-9A-Z]{6}", created[0]["text"])
    assert code is not None
    card = await mechanic.command("/job", code.group(0))
    assert "described" not in card[0]["text"] and "• 📝 — drum" in card[0]["text"]


async def test_a_russian_customer_is_asked_and_answered_in_russian(network: BotRunner) -> None:
    ivan = network.person(1008, "Иван", language_code="ru")

    asked = await to_description(ivan, "ru")
    assert "Опишите неисправность своими словами" in asked[-1]["text"]
    assert ivan.buttons(asked[-1]["message_id"]) == ["Пропустить", "⬅️ Назад", "✖️ Выйти"]
    too_long = await ivan.says("а" * 1001)
    assert "Символов в этом тексте: 1001" in too_long[0]["text"]
    noted = await ivan.says("Bosch: не сливает воду")
    assert noted[0]["text"].startswith("✍️ Записал.")
    assert ivan.buttons(noted[0]["message_id"])[0] == "➡️ Продолжить"
    album = await ivan.sends_album(photos=2)
    assert [m["text"] for m in album] == ["📷 Получил. Пришлите ещё или нажмите «➡️ Продолжить»."]
    odd = await ivan.sends("sticker")
    assert "Здесь я принимаю текст, фото или видео" in odd[0]["text"]
