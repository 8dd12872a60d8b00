"""What changed in a chat since the page last looked: the events behind the long poll.

The fake Bot API holds each chat's current state (messages with edits applied, the reply
keyboard, answered button presses). A feed compares that state with what it has already
reported and numbers every difference, so the page can ask "what happened after event N?"
"""

from __future__ import annotations

import copy
from typing import Any

from bot.emulator.render import render_message, reply_keyboard
from bot.fake_telegram import FakeBotApi

JSONDict = dict[str, Any]


class ChatFeed:
    def __init__(self, api: FakeBotApi, chat_id: int) -> None:
        self._api = api
        self._chat_id = chat_id
        self.seq = 0
        self._events: list[JSONDict] = []
        self._raw: dict[int, JSONDict] = {}
        self._shown: dict[int, JSONDict] = {}
        self._order: list[int] = []
        self._keyboard: JSONDict | None = None
        self._answers = len(api.callback_answers(chat_id))

    def _emit(self, event: JSONDict) -> None:
        self.seq += 1
        self._events.append({"seq": self.seq, **event})

    def sync(self) -> int:
        """Record what changed since the last sync; returns the latest event number."""
        history = self._api.history(self._chat_id)
        seen: set[int] = set()
        order: list[int] = []
        for message in history:
            message_id = int(message["message_id"])
            seen.add(message_id)
            order.append(message_id)
            if self._raw.get(message_id) != message:
                self._raw[message_id] = message
                shown = render_message(message, self._api.bot_id)
                self._shown[message_id] = shown
                self._emit({"type": "message", "message": shown})
        for message_id in [m for m in self._order if m not in seen]:
            self._raw.pop(message_id, None)
            self._shown.pop(message_id, None)
            self._emit({"type": "deleted", "message_id": message_id})
        self._order = order
        keyboard = reply_keyboard(self._api.reply_keyboard(self._chat_id))
        if keyboard != self._keyboard:
            self._keyboard = keyboard
            self._emit({"type": "reply_keyboard", "reply_keyboard": keyboard})
        answers = self._api.callback_answers(self._chat_id)
        for answer in answers[self._answers :]:
            if answer.text:
                self._emit({"type": "toast", "text": answer.text, "show_alert": answer.show_alert})
        self._answers = len(answers)
        return self.seq

    def snapshot(self) -> JSONDict:
        """The chat as it looks now, and the event number to continue from."""
        self.sync()
        return {
            "seq": self.seq,
            "messages": [copy.deepcopy(self._shown[m]) for m in self._order],
            "reply_keyboard": copy.deepcopy(self._keyboard),
        }

    def events_after(self, after: int) -> list[JSONDict]:
        if after >= self.seq:
            return []
        start = max(0, after)
        return copy.deepcopy(self._events[start:])
