"""The fault in the customer's own words and pictures, for the workshop to read and see.

Photos and videos stay on Telegram's servers: the bot keeps their `file_id`s and shows them
to the workshop by those ids, so nothing is downloaded and the database holds only the ids.
The limits are what the workshop can be shown at once: one album holds at most ten items.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

MAX_WORDS = 1000
"""Characters of description, all messages of the step together."""
MAX_ATTACHMENTS = 10
"""Photos and videos together: what one album (`sendMediaGroup`) can show."""
MAX_VIDEOS = 1


class MediaKind(StrEnum):
    PHOTO = "photo"
    VIDEO = "video"


class Attachment(BaseModel):
    """A photo or video on Telegram's servers, by its id."""

    model_config = ConfigDict(frozen=True)

    kind: MediaKind
    file_id: str = Field(min_length=1, max_length=256)


class Refusal(StrEnum):
    TOO_LONG = "too_long"
    TOO_MANY = "too_many"
    SECOND_VIDEO = "second_video"


class FaultNotes(BaseModel):
    """What the customer has told and shown so far at the description step."""

    words: str = ""
    attachments: list[Attachment] = []

    @property
    def empty(self) -> bool:
        return not self.words and not self.attachments

    @property
    def room(self) -> int:
        """How long the next message may be: messages are joined with a line break."""
        return max(MAX_WORDS - len(self.words) - (1 if self.words else 0), 0)

    def add_words(self, typed: str) -> Refusal | None:
        """Add a message to the description; one that does not fit is refused whole, never cut."""
        typed = typed.strip()
        if len(typed) > self.room:
            return Refusal.TOO_LONG
        self.words = f"{self.words}\n{typed}" if self.words else typed
        return None

    def add(self, attachment: Attachment) -> Refusal | None:
        """Keep a photo or video while there is room; the same one twice is kept once."""
        if attachment in self.attachments:
            return None
        if len(self.attachments) >= MAX_ATTACHMENTS:
            return Refusal.TOO_MANY
        if attachment.kind is MediaKind.VIDEO and self.count(MediaKind.VIDEO) >= MAX_VIDEOS:
            return Refusal.SECOND_VIDEO
        self.attachments.append(attachment)
        return None

    def count(self, kind: MediaKind) -> int:
        return sum(1 for attachment in self.attachments if attachment.kind is kind)
