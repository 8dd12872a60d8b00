"""The user side of the fake Telegram: people who write to the bot and tap its buttons.

Every action builds the Update JSON the real Bot API would deliver (with the details
python-telegram-bot's handlers depend on, such as the ``bot_command`` entity) and queues
it on the :class:`FakeBotApi`, which also records the user's message in the chat history.
"""

from __future__ import annotations

import copy
import enum
import re
from typing import Any, Literal

from bot.fake_telegram.server import MAX_ALBUM, MIN_ALBUM, FakeBotApi, JSONDict, utf16_len

_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?=\s|$)")


class _Own(enum.Enum):
    """Sentinel: "the user's own id" for shared contacts (None means a contact without one)."""

    ID = enum.auto()


OWN_ID = _Own.ID


class FakeUser:
    """A Telegram user writing to the bot: in their private chat (chat id == user id) unless
    made with `in_group`."""

    def __init__(
        self,
        api: FakeBotApi,
        user_id: int,
        first_name: str = "Anna",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "en",
        chat_id: int | None = None,
    ) -> None:
        self.api = api
        self.user_id = user_id
        self._chat_id = user_id if chat_id is None else chat_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.last_query_id: str | None = None
        api.register_user(self.user)

    @property
    def chat_id(self) -> int:
        return self._chat_id

    def in_group(
        self, chat_id: int, title: str = "Neighbours", kind: str = "supergroup"
    ) -> FakeUser:
        """The same person, writing in a group chat (a negative id) the bot is a member of."""
        self.api.register_chat({"id": chat_id, "type": kind, "title": title})
        return FakeUser(
            self.api,
            self.user_id,
            self.first_name,
            self.last_name,
            self.username,
            self.language_code,
            chat_id=chat_id,
        )

    @property
    def user(self) -> JSONDict:
        """The ``from`` object of this user's updates."""
        user: JSONDict = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.last_name is not None:
            user["last_name"] = self.last_name
        if self.username is not None:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    # ---------------------------------------------------------------- sending messages

    def _push_message(self, **content: Any) -> int:
        message: JSONDict = {
            "message_id": self.api.next_message_id(self.chat_id),
            "from": self.user,
            "chat": self.api.chat_info(self.chat_id),
            "date": self.api.now(),
            **content,
        }
        return self.api.push_update({"message": message})

    def _quote(self, message_id: int | None) -> JSONDict:
        """Telegram's reply: the message replied to rides along as ``reply_to_message``."""
        if message_id is None:
            return {}
        quoted = self.api.message(self.chat_id, message_id)
        if quoted is None:
            raise AssertionError(f"message {message_id} does not exist in chat {self.chat_id}")
        return {"reply_to_message": copy.deepcopy(quoted)}

    def send_text(self, text: str, reply_to: int | None = None) -> int:
        """Type a message, as a reply to message `reply_to` if given; a leading /command gets
        its entity like in real clients."""
        return self._push_message(**typed(text), **self._quote(reply_to))

    def edit_text(self, message_id: int, text: str) -> int:
        """Edit one's own message: Telegram delivers it whole again, as ``edited_message``."""
        original = self.api.message(self.chat_id, message_id)
        if original is None or original.get("from", {}).get("id") != self.user_id:
            raise AssertionError(f"{self.user_id} sent no message {message_id} to {self.chat_id}")
        original.pop("entities", None)
        edited = {**original, **typed(text), "edit_date": self.api.now()}
        return self.api.push_update({"edited_message": edited})

    def send_reply(self, message_id: int, text: str) -> int:
        """Reply to a message in the chat, quoting it as Telegram clients do."""
        return self._push_message(text=text, **self._quote(message_id))

    def send_command(self, command: str, args: str = "") -> int:
        """Send ``/command args``; accepts "start" as well as "/start"."""
        name = command if command.startswith("/") else f"/{command}"
        if not _COMMAND_RE.fullmatch(name):
            raise ValueError(f"not a valid bot command: {name!r}")
        text = f"{name} {args}" if args else name
        return self._push_message(
            text=text,
            entities=[{"type": "bot_command", "offset": 0, "length": utf16_len(name)}],
        )

    def send_location(self, lat: float, lon: float) -> int:
        return self._push_message(location={"latitude": lat, "longitude": lon})

    def send_contact(
        self,
        phone_number: str,
        user_id: int | Literal[_Own.ID] | None = OWN_ID,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> int:
        """Share a contact: by default one's own (what a request_contact button sends)."""
        contact: JSONDict = {
            "phone_number": phone_number,
            "first_name": first_name if first_name is not None else self.first_name,
        }
        if last_name is not None:
            contact["last_name"] = last_name
        elif first_name is None and self.last_name is not None:
            contact["last_name"] = self.last_name
        contact_user_id = self.user_id if user_id is OWN_ID else user_id
        if contact_user_id is not None:
            contact["user_id"] = contact_user_id
        return self._push_message(contact=contact)

    def send_sticker(self, emoji: str = "👍") -> int:
        sticker = self.api.make_file(
            "sticker",
            width=512,
            height=512,
            emoji=emoji,
            type="regular",
            is_animated=False,
            is_video=False,
        )
        return self._push_message(sticker=sticker)

    def send_photo(
        self, caption: str | None = None, data: bytes | None = None, reply_to: int | None = None
    ) -> int:
        content: JSONDict = {"photo": self.api.make_photo(data), **self._quote(reply_to)}
        if caption is not None:
            content["caption"] = caption
        return self._push_message(**content)

    def send_video(self, caption: str | None = None, duration: int = 5) -> int:
        content: JSONDict = {"video": self.api.make_video(duration=duration)}
        if caption is not None:
            content["caption"] = caption
        return self._push_message(**content)

    def send_album(self, photos: int = 3, videos: int = 0, caption: str | None = None) -> int:
        """Send an album as Telegram delivers it: one message per item, all with one
        ``media_group_id``, the caption on the first, photos first; the last update's id."""
        if not MIN_ALBUM <= photos + videos <= MAX_ALBUM:
            raise ValueError(f"an album holds {MIN_ALBUM}-{MAX_ALBUM} items")
        group = self.api.new_media_group_id()
        last = 0
        for number in range(photos + videos):
            content: JSONDict = {"media_group_id": group}
            if number < photos:
                content["photo"] = self.api.make_photo()
            else:
                content["video"] = self.api.make_video()
            if number == 0 and caption is not None:
                content["caption"] = caption
            last = self._push_message(**content)
        return last

    def send_voice(self, duration: int = 3, data: bytes | None = None) -> int:
        voice = self.api.make_file("voice", data, duration=duration, mime_type="audio/ogg")
        return self._push_message(voice=voice)

    def send_document(
        self,
        file_name: str = "invoice.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
        data: bytes | None = None,
    ) -> int:
        document = self.api.make_file("document", data, file_name=file_name, mime_type=mime_type)
        content: JSONDict = {"document": document}
        if caption is not None:
            content["caption"] = caption
        return self._push_message(**content)

    def block_bot(self) -> int:
        """Block the bot: Telegram tells it via my_chat_member, then refuses sends with 403."""
        return self._push_member_status("member", "kicked")

    def unblock_bot(self) -> int:
        return self._push_member_status("kicked", "member")

    def _push_member_status(self, old: str, new: str) -> int:
        def member(status: str) -> JSONDict:
            body: JSONDict = {"user": dict(self.api.bot_user), "status": status}
            if status == "kicked":
                body["until_date"] = 0
            return body

        return self.api.push_update(
            {
                "my_chat_member": {
                    "chat": self.api.chat_info(self.chat_id),
                    "from": self.user,
                    "date": self.api.now(),
                    "old_chat_member": member(old),
                    "new_chat_member": member(new),
                }
            }
        )

    # ---------------------------------------------------------------- buttons

    def _keyboard_messages(self) -> list[JSONDict]:
        """Bot messages with an inline keyboard, newest first."""
        return [m for m in reversed(self.messages()) if _inline_buttons(m)]

    def press(self, button_text: str, message_id: int | None = None) -> int:
        """Tap an inline button by its text (exact match first, then prefix).

        Searches the given message, or the bot's messages newest first, like a user scrolling
        up; stores the callback query id in :attr:`last_query_id`.
        """
        if message_id is not None:
            message = self.api.message(self.chat_id, message_id)
            if message is None:
                raise AssertionError(f"message {message_id} does not exist in chat {self.chat_id}")
            candidates = [message]
        else:
            candidates = self._keyboard_messages()
        for matches in (
            lambda text: text == button_text,
            lambda text: text.startswith(button_text),
        ):
            for message in candidates:
                for button in _inline_buttons(message):
                    if matches(button["text"]):
                        if "callback_data" not in button:
                            raise AssertionError(
                                f"button {button['text']!r} has no callback_data: {button}"
                            )
                        return self._push_callback(message, button["callback_data"])
        raise AssertionError(
            f"no inline button {button_text!r} in chat {self.chat_id}; "
            f"visible buttons: {self._describe_buttons(candidates)}"
        )

    def press_data(self, message_id: int, data: str) -> int:
        """Send arbitrary callback data for a message (stale or forged payloads)."""
        message = self.api.message(self.chat_id, message_id)
        if message is None:
            raise AssertionError(f"message {message_id} does not exist in chat {self.chat_id}")
        return self._push_callback(message, data)

    def _push_callback(self, message: JSONDict, data: str) -> int:
        query_id = self.api.new_callback_query_id()
        self.last_query_id = query_id
        return self.api.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.user,
                    "message": copy.deepcopy(message),
                    "chat_instance": str(-4_000_000_000_000_000 - self.chat_id),
                    "data": data,
                }
            }
        )

    @staticmethod
    def _describe_buttons(messages: list[JSONDict]) -> str:
        described = [
            f"message {m['message_id']}: {[b['text'] for b in _inline_buttons(m)]}"
            for m in messages
            if _inline_buttons(m)
        ]
        return "; ".join(described) if described else "(no inline keyboards)"

    def buttons(self, message_id: int | None = None) -> list[str]:
        """Inline button texts of a message (default: newest bot message with a keyboard)."""
        if message_id is not None:
            message = self.api.message(self.chat_id, message_id)
            return [b["text"] for b in _inline_buttons(message)] if message else []
        keyboards = self._keyboard_messages()
        return [b["text"] for b in _inline_buttons(keyboards[0])] if keyboards else []

    def reply_buttons(self) -> list[JSONDict]:
        """Buttons of the reply keyboard currently shown, flattened, as KeyboardButton dicts."""
        markup = self.api.reply_keyboard(self.chat_id)
        if markup is None:
            return []
        return [
            button if isinstance(button, dict) else {"text": str(button)}
            for row in markup["keyboard"]
            for button in row
        ]

    def press_reply(
        self,
        button_text: str,
        *,
        location: tuple[float, float] | None = None,
        phone_number: str = "+491701234567",
    ) -> int:
        """Tap a reply keyboard button: sends its text, or the contact/location it requests."""
        for button in self.reply_buttons():
            if button["text"] != button_text:
                continue
            if button.get("request_contact"):
                return self.send_contact(phone_number)
            if button.get("request_location"):
                if location is None:
                    raise AssertionError(f"button {button_text!r} requests a location; pass one")
                return self.send_location(*location)
            return self.send_text(button_text)
        visible = [b["text"] for b in self.reply_buttons()]
        raise AssertionError(f"no reply button {button_text!r}; visible: {visible}")

    # ---------------------------------------------------------------- reading

    def messages(self) -> list[JSONDict]:
        """The bot's messages in this chat, current state."""
        return self.api.sent_to(self.chat_id)

    def last_text(self) -> str | None:
        """Text (or caption) of the bot's latest message."""
        last = self.api.last_bot_message(self.chat_id)
        if last is None:
            return None
        text = last.get("text", last.get("caption"))
        return str(text) if text is not None else None


def typed(text: str) -> JSONDict:
    """Typed text as message content; a leading /command gets its entity, as in clients."""
    content: JSONDict = {"text": text}
    command = _COMMAND_RE.match(text)
    if command:
        content["entities"] = [
            {"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}
        ]
    return content


def _inline_buttons(message: JSONDict) -> list[JSONDict]:
    markup = message.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]
