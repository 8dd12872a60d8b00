"""What the customer tells and shows of the fault: limits kept whole, nothing cut or doubled."""

from __future__ import annotations

from bot.fault_notes import (
    MAX_ATTACHMENTS,
    MAX_WORDS,
    Attachment,
    FaultNotes,
    MediaKind,
    Refusal,
)


def photo(n: int) -> Attachment:
    return Attachment(kind=MediaKind.PHOTO, file_id=f"photo-{n}")


def video(n: int) -> Attachment:
    return Attachment(kind=MediaKind.VIDEO, file_id=f"video-{n}")


def test_messages_join_into_one_description_with_line_breaks() -> None:
    notes = FaultNotes()

    assert notes.add_words("  Bosch WAT28 ") is None
    assert notes.add_words("the pump hums") is None

    assert notes.words == "Bosch WAT28\nthe pump hums"
    assert notes.room == MAX_WORDS - len(notes.words) - 1


def test_a_message_that_does_not_fit_is_refused_whole_and_changes_nothing() -> None:
    notes = FaultNotes()
    notes.add_words("short")

    assert notes.add_words("x" * notes.room) is None
    assert len(notes.words) == MAX_WORDS
    assert notes.add_words("y") is Refusal.TOO_LONG
    assert "y" not in notes.words


def test_ten_photos_are_kept_and_the_eleventh_is_refused() -> None:
    notes = FaultNotes()

    results = [notes.add(photo(n)) for n in range(MAX_ATTACHMENTS + 1)]

    assert results == [None] * MAX_ATTACHMENTS + [Refusal.TOO_MANY]
    assert notes.attachments == [photo(n) for n in range(MAX_ATTACHMENTS)]


def test_one_video_is_kept_beside_photos_and_a_second_is_refused() -> None:
    notes = FaultNotes()

    assert [notes.add(video(1)), notes.add(photo(1)), notes.add(video(2))] == [
        None,
        None,
        Refusal.SECOND_VIDEO,
    ]
    assert notes.attachments == [video(1), photo(1)]


def test_the_same_photo_sent_again_is_kept_once() -> None:
    notes = FaultNotes()

    assert notes.add(photo(1)) is None
    assert notes.add(photo(1)) is None

    assert notes.attachments == [photo(1)]
    assert not notes.empty
