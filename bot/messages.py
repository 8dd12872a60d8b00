"""Every user-facing string, in English and Russian.

`text()` is for message bodies, which are sent as HTML: its parameters are escaped, so data
typed by people or head office can never break the markup. `label()` is for buttons, which
Telegram shows as plain text.
"""

from __future__ import annotations

import html
from typing import Any

from bot.i18n import Lang

CATALOGUE: dict[str, dict[Lang, str]] = {
    # Main menu and general
    "greeting": {
        Lang.EN: (
            "Hello, {name}! 👋 I am the assistant of the repair network.\n\n"
            "Tell me what is wrong with your device: most faults can be fixed in a minute "
            "at home, and if not, I will book a drop-off at the nearest workshop."
        ),
        Lang.RU: (
            "Здравствуйте, {name}! 👋 Я помощник сервисной сети.\n\n"
            "Расскажите, что случилось с устройством: многие неполадки можно устранить "
            "дома за минуту, а если нет — я запишу вас в ближайшую мастерскую."
        ),
    },
    "menu_repair": {Lang.EN: "🔧 Report a fault", Lang.RU: "🔧 Сообщить о неисправности"},
    "menu_bookings": {Lang.EN: "📋 My bookings", Lang.RU: "📋 Мои записи"},
    "menu_language": {Lang.EN: "🌐 Language", Lang.RU: "🌐 Язык"},
    "menu_help": {Lang.EN: "❓ Help", Lang.RU: "❓ Помощь"},
    "help": {
        Lang.EN: (
            "<b>How I can help</b>\n"
            "/repair — describe a fault, try a quick fix, book a drop-off\n"
            "/mybookings — your bookings and their status; cancel one\n"
            "/language — switch between English and Russian\n"
            "/cancel — stop what we are doing\n\n"
            "Tip: at the booking step you can share your location or just type your city."
        ),
        Lang.RU: (
            "<b>Чем я могу помочь</b>\n"
            "/repair — описать неисправность, попробовать простое решение, записаться\n"
            "/mybookings — ваши записи и их статус; отмена записи\n"
            "/language — сменить язык (русский / английский)\n"
            "/cancel — прервать текущее действие\n\n"
            "Совет: на шаге записи можно отправить геопозицию или просто написать город."
        ),
    },
    "choose_language": {
        Lang.EN: "Choose your language:",
        Lang.RU: "Выберите язык:",
    },
    "language_set": {
        Lang.EN: "Done: I will speak English.",
        Lang.RU: "Готово: буду говорить по-русски.",
    },
    "unknown_input": {
        Lang.EN: "I did not get that. Send /repair to report a fault, /mybookings "
        "for your bookings, or /help.",
        Lang.RU: "Не понял вас. Отправьте /repair, чтобы сообщить о неисправности, "
        "/mybookings — ваши записи, или /help.",
    },
    "unknown_command": {
        Lang.EN: "I do not know the command {command}. See /help.",
        Lang.RU: "Я не знаю команды {command}. Смотрите /help.",
    },
    "stale_button": {
        Lang.EN: "This button is no longer active.",
        Lang.RU: "Эта кнопка больше не действует.",
    },
    "error": {
        Lang.EN: "Sorry, something went wrong on our side. Please try again in a moment.",
        Lang.RU: "Извините, у нас что-то пошло не так. Попробуйте ещё раз чуть позже.",
    },
    "nothing_to_cancel": {
        Lang.EN: "There is nothing to cancel. Send /repair to report a fault.",
        Lang.RU: "Отменять нечего. Отправьте /repair, чтобы сообщить о неисправности.",
    },
    # Telegram's command menu
    "cmd_start": {Lang.EN: "Main menu", Lang.RU: "Главное меню"},
    "cmd_repair": {Lang.EN: "Report a fault, book a repair", Lang.RU: "Сообщить о неисправности"},
    "cmd_mybookings": {Lang.EN: "My bookings", Lang.RU: "Мои записи"},
    "cmd_language": {Lang.EN: "Change language", Lang.RU: "Сменить язык"},
    "cmd_help": {Lang.EN: "What I can do", Lang.RU: "Что я умею"},
    "cmd_cancel": {Lang.EN: "Stop the current action", Lang.RU: "Прервать текущее действие"},
    # The repair conversation
    "btn_back": {Lang.EN: "⬅️ Back", Lang.RU: "⬅️ Назад"},
    "btn_exit": {Lang.EN: "✖️ Exit", Lang.RU: "✖️ Выйти"},
    "choose_category": {
        Lang.EN: "<b>What needs repair?</b> Choose the kind of product:",
        Lang.RU: "<b>Что нужно отремонтировать?</b> Выберите тип изделия:",
    },
    "question": {Lang.EN: "❓ <b>{question}</b>", Lang.RU: "❓ <b>{question}</b>"},
    "fix": {
        Lang.EN: "💡 <b>Try this first</b>\n\n{fix}\n\nDid it help?",
        Lang.RU: "💡 <b>Сначала попробуйте</b>\n\n{fix}\n\nПомогло?",
    },
    "btn_fixed": {Lang.EN: "✅ That fixed it", Lang.RU: "✅ Помогло"},
    "btn_still_broken": {Lang.EN: "❌ Still broken", Lang.RU: "❌ Не помогло"},
    "self_resolved": {
        Lang.EN: "🎉 Great, glad it works again, no visit needed! If the problem comes back, "
        "send /repair.",
        Lang.RU: "🎉 Отлично, рады, что всё работает и ехать никуда не нужно! Если неполадка "
        "вернётся, отправьте /repair.",
    },
    "left": {
        Lang.EN: "OK, stopped. Send /repair whenever you want to start again.",
        Lang.RU: "Хорошо, остановились. Отправьте /repair, когда захотите начать снова.",
    },
    "use_buttons": {
        Lang.EN: "Please choose with the buttons in the message above, or send /cancel to stop.",
        Lang.RU: "Пожалуйста, выберите кнопкой в сообщении выше или отправьте /cancel, "
        "чтобы выйти.",
    },
    "ask_location": {
        Lang.EN: "Let's find a workshop near you. 📍 Share your location with the button "
        "below, or type your city or address.",
        Lang.RU: "Найдём мастерскую рядом с вами. 📍 Отправьте геопозицию кнопкой ниже "
        "или напишите город или адрес.",
    },
    "btn_send_location": {Lang.EN: "📍 Send my location", Lang.RU: "📍 Отправить геопозицию"},
    "location_unknown": {
        Lang.EN: "I could not find “{typed}” among the places we serve. Type a city, "
        "for example {cities}, or share your location with the button.",
        Lang.RU: "Не нашёл «{typed}» среди мест, где мы работаем. Напишите город, "
        "например {cities}, или отправьте геопозицию кнопкой.",
    },
    "location_expected": {
        Lang.EN: "Please share your location with the button below, or type your city or address.",
        Lang.RU: "Пожалуйста, отправьте геопозицию кнопкой ниже или напишите город или адрес.",
    },
    "searching": {
        Lang.EN: "🔎 Looking for workshops near you…",
        Lang.RU: "🔎 Ищу мастерские рядом с вами…",
    },
    "no_workshops": {
        Lang.EN: "Sorry, no workshop of our network repairs this kind of product yet.",
        Lang.RU: "К сожалению, пока ни одна мастерская сети не ремонтирует такие изделия.",
    },
    "choose_workshop": {
        Lang.EN: "<b>Workshops that repair {category}</b>, nearest first:",
        Lang.RU: "<b>Мастерские, где ремонтируют: {category}</b>, сначала ближайшие:",
    },
    "workshop_button": {Lang.EN: "{name} · {km} km", Lang.RU: "{name} · {km} км"},
    "choose_day": {
        Lang.EN: "<b>{name}</b>\n{address}\n☎️ {phone}\n\nChoose a day to bring your device:",
        Lang.RU: "<b>{name}</b>\n{address}\n☎️ {phone}\n\nВыберите день, когда принесёте "
        "устройство:",
    },
    "no_days": {
        Lang.EN: "<b>{name}</b> has no free drop-off slots in the next 14 days. "
        "Please go back and choose another workshop.",
        Lang.RU: "В мастерской <b>{name}</b> нет свободного времени в ближайшие 14 дней. "
        "Вернитесь и выберите другую мастерскую.",
    },
    "choose_slot": {
        Lang.EN: "<b>{name}</b>, {day}\nChoose a drop-off time:",
        Lang.RU: "<b>{name}</b>, {day}\nВыберите время:",
    },
    "day_full": {
        Lang.EN: "No free times are left that day. Choose another day:",
        Lang.RU: "На этот день свободного времени не осталось. Выберите другой день:",
    },
    "slot_taken": {
        Lang.EN: "😔 Sorry, that time has just been taken by someone else.",
        Lang.RU: "😔 Извините, это время только что занял кто-то другой.",
    },
    "slot_passed": {
        Lang.EN: "That time has already passed.",
        Lang.RU: "Это время уже прошло.",
    },
    "ask_phone": {
        Lang.EN: "May the workshop call you about the repair? Share your phone number with "
        "the button below, or tap Skip.",
        Lang.RU: "Может ли мастерская позвонить вам по поводу ремонта? Отправьте номер "
        "кнопкой ниже или нажмите «Пропустить».",
    },
    "btn_share_phone": {
        Lang.EN: "📱 Share my phone number",
        Lang.RU: "📱 Отправить мой номер",
    },
    "btn_skip": {Lang.EN: "Skip", Lang.RU: "Пропустить"},
    "phone_not_own": {
        Lang.EN: "Please share your own number with the button below, or tap Skip.",
        Lang.RU: "Пожалуйста, отправьте свой собственный номер кнопкой ниже или нажмите "
        "«Пропустить».",
    },
    "phone_expected": {
        Lang.EN: "Please use the button below to share your number, or tap Skip.",
        Lang.RU: "Пожалуйста, отправьте номер кнопкой ниже или нажмите «Пропустить».",
    },
    "phone_noted": {Lang.EN: "📱 Thank you, noted.", Lang.RU: "📱 Спасибо, записал."},
    "phone_skipped": {
        Lang.EN: "OK, without a phone number.",
        Lang.RU: "Хорошо, без номера телефона.",
    },
    "summary": {
        Lang.EN: "<b>Please check your booking</b>\n\n🔧 {category}\n🏠 {workshop}\n"
        "📍 {address}\n🕒 {when}\n📱 {phone}",
        Lang.RU: "<b>Проверьте запись</b>\n\n🔧 {category}\n🏠 {workshop}\n"
        "📍 {address}\n🕒 {when}\n📱 {phone}",
    },
    "no_phone": {Lang.EN: "no phone number", Lang.RU: "без телефона"},
    "btn_confirm": {Lang.EN: "Confirm", Lang.RU: "Подтвердить"},
    "btn_cancel": {Lang.EN: "Cancel", Lang.RU: "Отменить"},
    "booked": {
        Lang.EN: "✅ <b>Booked!</b> Your ticket: <code>{code}</code>\n\n"
        "Bring your device to <b>{workshop}</b>, {address}, on <b>{when}</b>.\n"
        "Workshop phone: {phone}.\n\nSee or cancel your bookings with /mybookings.",
        Lang.RU: "✅ <b>Вы записаны!</b> Номер заявки: <code>{code}</code>\n\n"
        "Принесите устройство в <b>{workshop}</b>, {address}, <b>{when}</b>.\n"
        "Телефон мастерской: {phone}.\n\nПосмотреть или отменить запись: /mybookings.",
    },
    "booking_dropped": {
        Lang.EN: "OK, nothing was booked. Send /repair whenever you want to start again.",
        Lang.RU: "Хорошо, запись не создана. Отправьте /repair, когда захотите начать снова.",
    },
    "too_many_bookings": {
        Lang.EN: "You already have {limit} active bookings. Cancel one in /mybookings "
        "before booking another.",
        Lang.RU: "У вас уже {limit} активные записи. Отмените одну в /mybookings, "
        "чтобы записаться снова.",
    },
    "not_served": {
        Lang.EN: "This workshop no longer repairs this kind of product. Please start again "
        "with /repair.",
        Lang.RU: "Эта мастерская больше не ремонтирует такие изделия. Начните заново: /repair.",
    },
    # My bookings
    "no_bookings": {
        Lang.EN: "You have no bookings yet. Send /repair to report a fault.",
        Lang.RU: "У вас пока нет записей. Отправьте /repair, чтобы сообщить о неисправности.",
    },
    "bookings_title": {Lang.EN: "<b>Your bookings</b>", Lang.RU: "<b>Ваши записи</b>"},
    "booking_line": {
        Lang.EN: "<b>{code}</b> · {status}\n{category}, {workshop}\n🕒 {when}",
        Lang.RU: "<b>{code}</b> · {status}\n{category}, {workshop}\n🕒 {when}",
    },
    "btn_cancel_booking": {Lang.EN: "Cancel {code}", Lang.RU: "Отменить {code}"},
    "confirm_cancel": {
        Lang.EN: "Cancel booking <b>{code}</b> on {when}? The time will be freed for others.",
        Lang.RU: "Отменить запись <b>{code}</b> на {when}? Время освободится для других.",
    },
    "btn_yes_cancel": {Lang.EN: "Yes, cancel it", Lang.RU: "Да, отменить"},
    "btn_keep": {Lang.EN: "No, keep it", Lang.RU: "Нет, оставить"},
    "cancelled": {
        Lang.EN: "Booking <b>{code}</b> is cancelled.",
        Lang.RU: "Запись <b>{code}</b> отменена.",
    },
    "kept": {
        Lang.EN: "Booking <b>{code}</b> stays as it is.",
        Lang.RU: "Запись <b>{code}</b> остаётся в силе.",
    },
    "cancel_too_late": {
        Lang.EN: "<b>{code}</b> can no longer be cancelled here: the device is already at "
        "the workshop. Please call the workshop.",
        Lang.RU: "<b>{code}</b> уже нельзя отменить здесь: устройство в мастерской. "
        "Позвоните, пожалуйста, в мастерскую.",
    },
    "booking_not_found": {
        Lang.EN: "There is no such booking among yours.",
        Lang.RU: "Среди ваших записей такой нет.",
    },
    # Ticket statuses in plain words
    "status_booked": {Lang.EN: "booked", Lang.RU: "записан"},
    "status_received": {Lang.EN: "received by the workshop", Lang.RU: "принят мастерской"},
    "status_diagnosing": {Lang.EN: "being diagnosed", Lang.RU: "на диагностике"},
    "status_waiting_parts": {Lang.EN: "waiting for parts", Lang.RU: "ожидает запчасти"},
    "status_repairing": {Lang.EN: "being repaired", Lang.RU: "в ремонте"},
    "status_ready": {Lang.EN: "ready for pickup", Lang.RU: "готов к выдаче"},
    "status_picked_up": {Lang.EN: "picked up", Lang.RU: "выдан"},
    "status_cancelled": {Lang.EN: "cancelled", Lang.RU: "отменён"},
    "status_no_show": {Lang.EN: "missed drop-off", Lang.RU: "не принесён"},
    # Dates
    "weekdays": {Lang.EN: "Mon Tue Wed Thu Fri Sat Sun", Lang.RU: "Пн Вт Ср Чт Пт Сб Вс"},
}


def text(lang: Lang, key: str, **params: Any) -> str:
    """A message body in `lang` with HTML-escaped parameters."""
    return CATALOGUE[key][lang].format(
        **{name: html.escape(str(value), quote=False) for name, value in params.items()}
    )


def label(lang: Lang, key: str, **params: Any) -> str:
    """A button label in `lang`; buttons are plain text, so nothing is escaped."""
    return CATALOGUE[key][lang].format(**params)


def all_labels(key: str) -> set[str]:
    """A label in every language, to recognise a reply-keyboard button the user tapped."""
    return set(CATALOGUE[key].values())
