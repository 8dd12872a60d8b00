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
    "btn_ask": {Lang.EN: "💬 Ask a question", Lang.RU: "💬 Задать вопрос"},
    "btn_ask_about": {Lang.EN: "💬 Ask about {code}", Lang.RU: "💬 Вопрос по {code}"},
    # /help, generated from the command table (bot/handlers/commands.py)
    "help": {Lang.EN: "<b>How I can help</b>", Lang.RU: "<b>Чем я могу помочь</b>"},
    "help_line": {Lang.EN: "{command} — {description}", Lang.RU: "{command} — {description}"},
    "help_tip": {
        Lang.EN: "Tip: at the booking step you can share your location or just type your city.",
        Lang.RU: "Совет: на шаге записи можно отправить геопозицию или просто написать город.",
    },
    "help_staff": {Lang.EN: "<b>Workshop staff</b>", Lang.RU: "<b>Сотрудникам мастерских</b>"},
    "help_staff_note": {
        Lang.EN: "Customers' questions come here: answer with ↩️ Reply or Telegram's reply.",
        Lang.RU: "Сюда приходят вопросы клиентов: отвечайте кнопкой ↩️ Ответить или ответом "
        "Telegram.",
    },
    "help_head_office": {Lang.EN: "<b>Head office</b>", Lang.RU: "<b>Головной офис</b>"},
    "help_head_office_note": {
        Lang.EN: "Tickets of any workshop: /jobs also takes a WORKSHOP_CODE. A broadcast's text "
        "is the English text, a line ---, the Russian text.",
        Lang.RU: "Заявки любой мастерской: /jobs принимает и КОД_МАСТЕРСКОЙ. Текст рассылки: "
        "текст на английском, строка ---, текст на русском.",
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
    "slow_down": {
        Lang.EN: "You are sending messages faster than I can read them. Please wait a few "
        "seconds; what you send until then is ignored.",
        Lang.RU: "Вы отправляете сообщения быстрее, чем я успеваю их читать. Подождите "
        "несколько секунд: всё, что придёт до этого, я пропущу.",
    },
    "error": {
        Lang.EN: "Sorry, something went wrong on our side. Please try again in a moment.",
        Lang.RU: "Извините, у нас что-то пошло не так. Попробуйте ещё раз чуть позже.",
    },
    "nothing_to_cancel": {
        Lang.EN: "There is nothing to cancel. Send /repair to report a fault.",
        Lang.RU: "Отменять нечего. Отправьте /repair, чтобы сообщить о неисправности.",
    },
    # Telegram's command menu and /help: a description per command, its arguments if any
    "cmd_start": {Lang.EN: "Main menu", Lang.RU: "Главное меню"},
    "cmd_repair": {
        Lang.EN: "Report a fault, try a quick fix, book a repair",
        Lang.RU: "Сообщить о неисправности",
    },
    "cmd_mybookings": {
        Lang.EN: "Your bookings and their status; cancel one",
        Lang.RU: "Ваши записи и их статус; отмена записи",
    },
    "cmd_language": {Lang.EN: "Switch between English and Russian", Lang.RU: "Сменить язык"},
    "cmd_help": {Lang.EN: "What I can do", Lang.RU: "Что я умею"},
    "cmd_cancel": {Lang.EN: "Stop the current action", Lang.RU: "Прервать текущее действие"},
    "cmd_status": {Lang.EN: "Status of a ticket", Lang.RU: "Статус заявки"},
    "cmd_ask": {Lang.EN: "Ask a person a question", Lang.RU: "Задать вопрос человеку"},
    "cmd_questions": {Lang.EN: "Customers' open questions", Lang.RU: "Открытые вопросы клиентов"},
    "cmd_today": {Lang.EN: "Today's drop-offs", Lang.RU: "Приём на сегодня"},
    "cmd_jobs": {Lang.EN: "Open tickets, oldest first", Lang.RU: "Открытые заявки, сначала старые"},
    "cmd_job": {
        Lang.EN: "One ticket in full, with status buttons",
        Lang.RU: "Заявка целиком, с кнопками статусов",
    },
    "cmd_find": {
        Lang.EN: "Find a ticket by code, phone, name or words",
        Lang.RU: "Найти заявку по коду, телефону, имени или словам",
    },
    "cmd_setstatus": {Lang.EN: "Change a ticket's status", Lang.RU: "Сменить статус заявки"},
    "cmd_eta": {Lang.EN: "Set the expected ready date", Lang.RU: "Указать дату готовности"},
    "cmd_quote": {Lang.EN: "Send a repair estimate", Lang.RU: "Отправить смету"},
    "cmd_warranty": {
        Lang.EN: "Confirm whether a repair is under warranty",
        Lang.RU: "Подтвердить, гарантийный ли ремонт",
    },
    "cmd_walkin": {
        Lang.EN: "Ticket for a walk-in customer",
        Lang.RU: "Заявка для клиента без записи",
    },
    "cmd_workshops": {
        Lang.EN: "The network, staff and open tickets",
        Lang.RU: "Сеть мастерских, сотрудники, открытые заявки",
    },
    "cmd_stats": {Lang.EN: "Figures and a chart", Lang.RU: "Показатели и график"},
    "cmd_overdue": {Lang.EN: "Overdue tickets", Lang.RU: "Просроченные заявки"},
    "cmd_scorecard": {Lang.EN: "A workshop's figures", Lang.RU: "Показатели мастерской"},
    "cmd_treestats": {Lang.EN: "Which fixes work", Lang.RU: "Какие подсказки помогают"},
    "cmd_export": {Lang.EN: "Tickets as Excel and CSV", Lang.RU: "Заявки в Excel и CSV"},
    "cmd_staff": {Lang.EN: "Staff by workshop", Lang.RU: "Сотрудники по мастерским"},
    "cmd_addstaff": {
        Lang.EN: "Add a staff member, or move one",
        Lang.RU: "Добавить или перевести сотрудника",
    },
    "cmd_removestaff": {Lang.EN: "Remove a staff member", Lang.RU: "Удалить сотрудника"},
    "cmd_addadmin": {Lang.EN: "Add head office", Lang.RU: "Добавить в головной офис"},
    "cmd_removeadmin": {Lang.EN: "Remove head office", Lang.RU: "Убрать из головного офиса"},
    "args_ticket": {Lang.EN: "SR-XXXXXX", Lang.RU: "SR-XXXXXX"},
    "args_ask": {Lang.EN: "[SR-XXXXXX]", Lang.RU: "[SR-XXXXXX]"},
    "args_jobs": {Lang.EN: "[status]", Lang.RU: "[статус]"},
    "args_scorecard": {Lang.EN: "[CODE]", Lang.RU: "[КОД]"},
    "args_treestats": {Lang.EN: "[category]", Lang.RU: "[категория]"},
    "args_find": {Lang.EN: "code, phone, name or words", Lang.RU: "код, телефон, имя или слова"},
    "args_setstatus": {
        Lang.EN: "SR-XXXXXX status [note]",
        Lang.RU: "SR-XXXXXX статус [комментарий]",
    },
    "args_eta": {Lang.EN: "SR-XXXXXX YYYY-MM-DD", Lang.RU: "SR-XXXXXX ГГГГ-ММ-ДД"},
    "args_quote": {Lang.EN: "SR-XXXXXX amount [comment]", Lang.RU: "SR-XXXXXX сумма [комментарий]"},
    "args_warranty": {
        Lang.EN: "SR-XXXXXX yes|no [reason]",
        Lang.RU: "SR-XXXXXX да|нет [причина]",
    },
    "args_walkin": {Lang.EN: "category [description]", Lang.RU: "категория [описание]"},
    "args_days": {Lang.EN: "[days]", Lang.RU: "[дни]"},
    "args_id": {Lang.EN: "id", Lang.RU: "id"},
    "args_addstaff": {Lang.EN: "id CODE", Lang.RU: "id КОД"},
    "cmd_stock": {Lang.EN: "Parts in stock", Lang.RU: "Запчасти на складе"},
    "cmd_receive": {Lang.EN: "Parts received", Lang.RU: "Поступление запчастей"},
    "cmd_needpart": {
        Lang.EN: "Reserve or request a part for a ticket",
        Lang.RU: "Зарезервировать или заказать запчасть",
    },
    "cmd_use": {Lang.EN: "A part went into the device", Lang.RU: "Запчасть установлена"},
    "cmd_arrived": {
        Lang.EN: "Parts from head office arrived",
        Lang.RU: "Запчасти от головного офиса пришли",
    },
    "cmd_requests": {Lang.EN: "Parts requests to ship", Lang.RU: "Заявки на запчасти"},
    "cmd_ship": {Lang.EN: "Ship a parts request", Lang.RU: "Отправить запчасти"},
    "cmd_minstock": {Lang.EN: "Set a minimum stock", Lang.RU: "Задать минимальный остаток"},
    "args_stock": {Lang.EN: "[text, SKU or HQ]", Lang.RU: "[текст, артикул или HQ]"},
    "args_receive": {Lang.EN: "[HQ] SKU qty", Lang.RU: "[HQ] артикул кол-во"},
    "args_ticket_part": {Lang.EN: "SR-XXXXXX SKU [qty]", Lang.RU: "SR-XXXXXX артикул [кол-во]"},
    "args_request": {Lang.EN: "PR-XXXXXX", Lang.RU: "PR-XXXXXX"},
    "args_ship": {
        Lang.EN: "PR-XXXXXX [eta YYYY-MM-DD]",
        Lang.RU: "PR-XXXXXX [ГГГГ-ММ-ДД]",
    },
    "args_minstock": {Lang.EN: "LOCATION SKU qty", Lang.RU: "СКЛАД артикул кол-во"},
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
    "keyboard_left_over": {
        Lang.EN: "That button belongs to a step that is over. Here is the main menu:",
        Lang.RU: "Эта кнопка осталась от шага, который уже закончился. Вот главное меню:",
    },
    "step_resumed": {
        Lang.EN: "That button belongs to an earlier step. We are here:",
        Lang.RU: "Эта кнопка осталась от прошлого шага. Продолжим отсюда:",
    },
    "use_buttons": {
        Lang.EN: "Please choose with the buttons in the message above, or send /cancel to stop.",
        Lang.RU: "Пожалуйста, выберите кнопкой в сообщении выше или отправьте /cancel, "
        "чтобы выйти.",
    },
    "ask_description": {
        Lang.EN: "📝 <b>Tell the workshop what is wrong</b>, in your own words: what happens, "
        "since when, the brand and model if you know them (up to {limit} characters).\n"
        "📷 If you can, send photos (up to {photos}) or a short video too.\n\n"
        "Nothing to add? Tap Skip.",
        Lang.RU: "📝 <b>Опишите неисправность своими словами</b>: что происходит, с каких пор, "
        "марку и модель, если знаете (до {limit} символов).\n"
        "📷 Если можете, пришлите фото (до {photos}) или короткое видео.\n\n"
        "Нечего добавить? Нажмите «Пропустить».",
    },
    "btn_continue": {Lang.EN: "➡️ Continue", Lang.RU: "➡️ Продолжить"},
    "description_noted": {
        Lang.EN: "✍️ Noted. Add photos or a video if you like, or tap ➡️ Continue.",
        Lang.RU: "✍️ Записал. Можете добавить фото или видео или нажмите «➡️ Продолжить».",
    },
    "media_noted": {
        Lang.EN: "📷 Got it. Send more, or tap ➡️ Continue.",
        Lang.RU: "📷 Получил. Пришлите ещё или нажмите «➡️ Продолжить».",
    },
    "description_too_long": {
        Lang.EN: "That text is {length} characters long, and the description can have "
        "{limit} at most ({room} left). Please shorten it and send it again: none of it "
        "was kept.",
        Lang.RU: "Символов в этом тексте: {length}, а в описании их может быть не больше "
        "{limit} (осталось: {room}). Сократите текст и отправьте снова — пока я ничего "
        "из него не сохранил.",
    },
    "too_many_attachments": {
        Lang.EN: "I can take {limit} photos and videos at most: the first {limit} are kept, "
        "the rest are not. Tap ➡️ Continue.",
        Lang.RU: "Я принимаю не больше {limit} фото и видео: первые {limit} сохранены, "
        "остальные — нет. Нажмите «➡️ Продолжить».",
    },
    "second_video": {
        Lang.EN: "One video is enough: I kept the first one, not this one. Photos are "
        "still welcome.",
        Lang.RU: "Достаточно одного видео: я сохранил первое, а это — нет. Фото прислать "
        "ещё можно.",
    },
    "description_expected": {
        Lang.EN: "Here I can take text, photos or a video. Please send one of those, or tap "
        "the button below.",
        Lang.RU: "Здесь я принимаю текст, фото или видео. Пришлите что-то из этого или "
        "нажмите кнопку ниже.",
    },
    "description_sent": {
        Lang.EN: "✅ Thank you: the workshop will see it with ticket <code>{code}</code>.",
        Lang.RU: "✅ Спасибо: мастерская увидит это в заявке <code>{code}</code>.",
    },
    "description_none": {
        Lang.EN: "OK, nothing added. Updates of ticket <code>{code}</code> will come here.",
        Lang.RU: "Хорошо, ничего не добавляю. Новости по заявке <code>{code}</code> "
        "будут приходить сюда.",
    },
    # When the product was bought: its warranty (bot/warranty.py)
    "ask_purchase": {
        Lang.EN: "🧾 <b>When was it bought?</b> If it is still under warranty, the repair may "
        "cost you nothing: bring the receipt or the warranty card.",
        Lang.RU: "🧾 <b>Когда была покупка?</b> Если гарантия ещё действует, ремонт может "
        "быть бесплатным: возьмите с собой чек или гарантийный талон.",
    },
    "btn_bought_lt6m": {Lang.EN: "Less than 6 months", Lang.RU: "Меньше 6 месяцев"},
    "btn_bought_6to12m": {Lang.EN: "6-12 months", Lang.RU: "6-12 месяцев"},
    "btn_bought_1to2y": {Lang.EN: "1-2 years", Lang.RU: "1-2 года"},
    "btn_bought_gt2y": {Lang.EN: "More than 2 years", Lang.RU: "Больше 2 лет"},
    "btn_bought_unknown": {Lang.EN: "Don't know", Lang.RU: "Не знаю"},
    "purchase_line": {Lang.EN: "🧾 Bought: {age}", Lang.RU: "🧾 Куплено: {age}"},
    "fault_words": {Lang.EN: "📝 {words}", Lang.RU: "📝 {words}"},
    "attachments_count": {
        Lang.EN: "📎 Photos and videos: {count}",
        Lang.RU: "📎 Фото и видео: {count}",
    },
    "attachments_unavailable": {
        Lang.EN: "📎 The customer's photos and videos ({count}) could not be shown: Telegram "
        "refused them.",
        Lang.RU: "📎 Фото и видео клиента (всего: {count}) показать не удалось: Telegram их "
        "не принял.",
    },
    "attachments_caption": {
        Lang.EN: "{code}: the customer's photos and video",
        Lang.RU: "{code}: фото и видео клиента",
    },
    "ask_location": {
        Lang.EN: "Let's find a workshop near you. 📍 Share your location with the button "
        "below, or type your city or address.",
        Lang.RU: "Найдём мастерскую рядом с вами. 📍 Отправьте геопозицию кнопкой ниже "
        "или напишите город или адрес.",
    },
    "btn_send_location": {Lang.EN: "📍 Send my location", Lang.RU: "📍 Отправить геопозицию"},
    "location_unknown": {
        Lang.EN: "I could not find “{typed}” on the map. Check the spelling or type the "
        "nearest town, or share your location with the button below.",
        Lang.RU: "Не нашёл «{typed}» на карте. Проверьте написание или напишите ближайший "
        "город, или отправьте геопозицию кнопкой ниже.",
    },
    "location_expected": {
        Lang.EN: "Please share your location with the button below, or type your city or address.",
        Lang.RU: "Пожалуйста, отправьте геопозицию кнопкой ниже или напишите город или адрес.",
    },
    "location_unusable": {
        Lang.EN: "I could not use that location. Please share it again with the button, or "
        "type your city or address.",
        Lang.RU: "Не получилось использовать эту геопозицию. Отправьте её ещё раз кнопкой "
        "или напишите город или адрес.",
    },
    "searching": {
        Lang.EN: "🔎 Looking for workshops near you…",
        Lang.RU: "🔎 Ищу мастерские рядом с вами…",
    },
    "searching_near": {
        Lang.EN: "📍 {place}. 🔎 Looking for workshops near you…",
        Lang.RU: "📍 {place}. 🔎 Ищу мастерские рядом с вами…",
    },
    "none_near": {
        Lang.EN: "😔 None of our workshops that repair {category} is within {reach} km of "
        "you. The nearest is <b>{name}</b> in {city}, {km} km away.\n\nAsk us a question: "
        "we can often arrange a courier or a partner workshop near you.",
        Lang.RU: "😔 В пределах {reach} км от вас нет наших мастерских, где ремонтируют: "
        "{category}. Ближайшая — <b>{name}</b> ({city}), в {km} км от вас.\n\n"
        "Задайте нам вопрос: часто мы можем организовать курьера или найти мастерскую-партнёра "
        "рядом с вами.",
    },
    "btn_book_far": {
        Lang.EN: "{name} · {km} km, book anyway",
        Lang.RU: "{name} · {km} км, всё равно записаться",
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
        "the button below or type it, or tap Skip.",
        Lang.RU: "Может ли мастерская позвонить вам по поводу ремонта? Отправьте номер "
        "кнопкой ниже или напишите его, или нажмите «Пропустить».",
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
        Lang.EN: "Please use the button below to share your number, type it, or tap Skip.",
        Lang.RU: "Пожалуйста, отправьте номер кнопкой ниже, напишите его или нажмите "
        "«Пропустить».",
    },
    "phone_invalid": {
        Lang.EN: "“{typed}” is not a phone number I can call. Type it with the area code, "
        "for example +7 916 123-45-67 or 8 916 123-45-67, share it with the button, "
        "or tap Skip.",
        Lang.RU: "«{typed}» не похоже на номер телефона, по которому можно позвонить. "
        "Напишите его с кодом, например +7 916 123-45-67 или 8 916 123-45-67, отправьте "
        "кнопкой или нажмите «Пропустить».",
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
        Lang.RU: "Активных записей у вас уже столько, сколько можно: {limit}. Отмените одну "
        "в /mybookings, чтобы записаться снова.",
    },
    "not_served": {
        Lang.EN: "This workshop no longer repairs this kind of product. Please start again "
        "with /repair.",
        Lang.RU: "Эта мастерская больше не ремонтирует такие изделия. Начните заново: /repair.",
    },
    # Roles and refusals
    "not_allowed": {
        Lang.EN: "Sorry, this command is not available to you.",
        Lang.RU: "Извините, эта команда вам недоступна.",
    },
    "private_only": {
        Lang.EN: "I answer this only in a private chat, so that nobody else sees your details. "
        "Please write to me there.",
        Lang.RU: "На это я отвечаю только в личном чате, чтобы ваши данные не увидели другие. "
        "Пожалуйста, напишите мне туда.",
    },
    "btn_write_privately": {Lang.EN: "💬 Write to me privately", Lang.RU: "💬 Написать мне лично"},
    "private_only_button": {
        Lang.EN: "This button works only in a private chat with me.",
        Lang.RU: "Эта кнопка работает только в личном чате со мной.",
    },
    "usage": {Lang.EN: "Usage: {usage}", Lang.RU: "Использование: {usage}"},
    "ticket_unknown": {
        Lang.EN: "No ticket {code} among the tickets you can see.",
        Lang.RU: "Среди доступных вам заявок нет {code}.",
    },
    # Staff: the job board
    "today_title": {
        Lang.EN: "<b>Drop-offs expected today at {workshop}</b>",
        Lang.RU: "<b>Сегодня ожидаются в мастерской {workshop}</b>",
    },
    "today_empty": {
        Lang.EN: "No drop-offs are expected today at {workshop}.",
        Lang.RU: "Сегодня в мастерскую {workshop} никого не ждём.",
    },
    "today_line": {
        Lang.EN: "{time} · <code>{code}</code> · {category} · {customer} · {status}",
        Lang.RU: "{time} · <code>{code}</code> · {category} · {customer} · {status}",
    },
    "jobs_title": {
        Lang.EN: "<b>Open tickets · {scope}</b> ({total}), oldest first, page {page} of {pages}",
        Lang.RU: "<b>Открытые заявки · {scope}</b> ({total}), сначала старые, "
        "стр. {page} из {pages}",
    },
    "jobs_all": {Lang.EN: "all workshops", Lang.RU: "все мастерские"},
    "jobs_empty": {
        Lang.EN: "No open tickets · {scope}.",
        Lang.RU: "Открытых заявок нет · {scope}.",
    },
    "jobs_button": {Lang.EN: "{code} · {status}", Lang.RU: "{code} · {status}"},
    "jobs_every_status": {Lang.EN: "All open", Lang.RU: "Все открытые"},
    "find_usage": {
        Lang.EN: "/find <ticket code, phone, customer's name or words of the fault>, "
        "e.g. /find 8 916 123-45-67 or /find Anna screen",
        Lang.RU: "/find <код заявки, телефон, имя клиента или слова из описания>, "
        "например /find 8 916 123-45-67 или /find Анна экран",
    },
    "find_title": {
        Lang.EN: "<b>Found for “{query}”</b> ({count}); tap a ticket to open it:",
        Lang.RU: "<b>Найдено по запросу «{query}»</b> ({count}); нажмите заявку, чтобы открыть:",
    },
    "find_none": {
        Lang.EN: "No ticket found for “{query}”. Try the ticket code, the customer's phone, "
        "their name or a word of the fault description.",
        Lang.RU: "По запросу «{query}» заявок не найдено. Попробуйте код заявки, телефон "
        "клиента, его имя или слово из описания неисправности.",
    },
    "jobs_line": {
        Lang.EN: "<code>{code}</code> · {status} · {category} · {workshop} · since {since}",
        Lang.RU: "<code>{code}</code> · {status} · {category} · {workshop} · с {since}",
    },
    "btn_prev": {Lang.EN: "◀️ Previous", Lang.RU: "◀️ Назад"},
    "btn_next": {Lang.EN: "Next ▶️", Lang.RU: "Далее ▶️"},
    "unknown_status": {
        Lang.EN: "Unknown status “{status}”. Statuses: {statuses}.",
        Lang.RU: "Неизвестный статус «{status}». Статусы: {statuses}.",
    },
    "unknown_workshop": {
        Lang.EN: "Unknown workshop “{code}”. Workshops: {codes}.",
        Lang.RU: "Неизвестная мастерская «{code}». Мастерские: {codes}.",
    },
    "ticket_card": {
        Lang.EN: "<b>Ticket {code}</b> · {status}\n"
        "🏠 {workshop}\n🔧 {category}\n👤 {customer}\n📱 {phone}\n"
        "🕒 Drop-off: {dropoff}\n📅 Expected ready: {eta}\n💰 Estimate: {estimate}",
        Lang.RU: "<b>Заявка {code}</b> · {status}\n"
        "🏠 {workshop}\n🔧 {category}\n👤 {customer}\n📱 {phone}\n"
        "🕒 Приём: {dropoff}\n📅 Готовность: {eta}\n💰 Смета: {estimate}",
    },
    # Warranty and cause on the card (bot/warranty.py)
    "card_warranty": {
        Lang.EN: "🛡 Warranty: {likelihood} · bought: {age}",
        Lang.RU: "🛡 Гарантия: {likelihood} · куплено: {age}",
    },
    "warranty_likely": {Lang.EN: "likely", Lang.RU: "вероятно"},
    "warranty_no": {Lang.EN: "no", Lang.RU: "нет"},
    "warranty_unknown": {Lang.EN: "unknown", Lang.RU: "неизвестно"},
    "card_warranty_yes": {
        Lang.EN: "🛡 Confirmed: under warranty, free of charge",
        Lang.RU: "🛡 Подтверждено: гарантийный ремонт, бесплатно",
    },
    "card_warranty_no": {
        Lang.EN: "🛡 Confirmed: not under warranty",
        Lang.RU: "🛡 Подтверждено: ремонт не гарантийный",
    },
    "card_warranty_reason": {
        Lang.EN: "🧾 Workshop's note: {reason}",
        Lang.RU: "🧾 Примечание мастерской: {reason}",
    },
    "card_cause": {Lang.EN: "🔍 Cause: {cause}", Lang.RU: "🔍 Причина: {cause}"},
    "cause_defect": {Lang.EN: "manufacturing defect", Lang.RU: "заводской брак"},
    "cause_misuse": {Lang.EN: "misuse", Lang.RU: "неправильная эксплуатация"},
    "cause_wear": {Lang.EN: "wear", Lang.RU: "износ"},
    "cause_accident": {Lang.EN: "accident", Lang.RU: "случайное повреждение"},
    "cause_unknown": {Lang.EN: "unknown", Lang.RU: "неизвестно"},
    "btn_cause_defect": {Lang.EN: "Manufacturing defect", Lang.RU: "Заводской брак"},
    "btn_cause_misuse": {Lang.EN: "Misuse", Lang.RU: "Неправильная эксплуатация"},
    "btn_cause_wear": {Lang.EN: "Wear", Lang.RU: "Износ"},
    "btn_cause_accident": {Lang.EN: "Accident", Lang.RU: "Случайное повреждение"},
    "btn_cause_unknown": {Lang.EN: "Unknown", Lang.RU: "Неизвестно"},
    "cause_ask": {
        Lang.EN: "🔍 What caused the fault of <code>{code}</code>? It counts in head office's "
        "statistics; you can change it until the customer picks the device up.",
        Lang.RU: "🔍 Что стало причиной поломки по <code>{code}</code>? Это учитывается в "
        "статистике головного офиса; изменить можно до выдачи устройства.",
    },
    "cause_recorded": {
        Lang.EN: "🔍 <code>{code}</code>: cause recorded — {cause}.",
        Lang.RU: "🔍 <code>{code}</code>: причина записана — {cause}.",
    },
    "fault_title": {Lang.EN: "<b>Fault</b>", Lang.RU: "<b>Неисправность</b>"},
    "fault_answer": {Lang.EN: "• {question} — {answer}", Lang.RU: "• {question} — {answer}"},
    "fault_fix": {
        Lang.EN: "• Tried: {fix} — {outcome}",
        Lang.RU: "• Пробовали: {fix} — {outcome}",
    },
    "fix_helped": {Lang.EN: "helped", Lang.RU: "помогло"},
    "fix_did_not_help": {Lang.EN: "did not help", Lang.RU: "не помогло"},
    "history_title": {Lang.EN: "<b>History</b>", Lang.RU: "<b>История</b>"},
    "history_line": {Lang.EN: "{when} · {who} · {what}", Lang.RU: "{when} · {who} · {what}"},
    "actor": {Lang.EN: "{name} ({role})", Lang.RU: "{name} ({role})"},
    "role_customer": {Lang.EN: "customer", Lang.RU: "клиент"},
    "role_staff": {Lang.EN: "workshop", Lang.RU: "мастерская"},
    "role_head_office": {Lang.EN: "head office", Lang.RU: "головной офис"},
    # What happened, for staff reading a history
    "event_will_come": {Lang.EN: "visit confirmed", Lang.RU: "визит подтверждён"},
    "event_rescheduled": {Lang.EN: "moved", Lang.RU: "перенос"},
    "event_eta": {Lang.EN: "expected ready", Lang.RU: "готовность"},
    "event_estimate": {Lang.EN: "estimate", Lang.RU: "смета"},
    "event_estimate_approved": {Lang.EN: "estimate approved", Lang.RU: "смета одобрена"},
    "event_estimate_declined": {Lang.EN: "estimate declined", Lang.RU: "смета отклонена"},
    "event_rated": {Lang.EN: "rating", Lang.RU: "оценка"},
    "event_comment": {Lang.EN: "comment", Lang.RU: "комментарий"},
    "event_walk_in": {Lang.EN: "walk-in", Lang.RU: "приём без записи"},
    "event_claimed": {
        Lang.EN: "linked to the customer's chat",
        Lang.RU: "привязана к чату клиента",
    },
    "event_warranty": {Lang.EN: "warranty", Lang.RU: "гарантия"},
    "event_estimate_warranty": {
        Lang.EN: "estimate: covered by warranty",
        Lang.RU: "смета: гарантийный ремонт",
    },
    "event_cause": {Lang.EN: "cause", Lang.RU: "причина поломки"},
    "event_part_reserved": {Lang.EN: "part reserved", Lang.RU: "запчасть зарезервирована"},
    "event_part_requested": {
        Lang.EN: "part requested from head office",
        Lang.RU: "запчасть заказана в головном офисе",
    },
    "event_part_shipped": {Lang.EN: "part shipped", Lang.RU: "запчасть отправлена"},
    "event_part_arrived": {Lang.EN: "part arrived", Lang.RU: "запчасть пришла"},
    "event_part_used": {Lang.EN: "part used", Lang.RU: "запчасть установлена"},
    "unknown_value": {Lang.EN: "—", Lang.RU: "—"},
    "not_shared": {Lang.EN: "not shared", Lang.RU: "не указан"},
    "walk_in_customer": {Lang.EN: "walk-in customer", Lang.RU: "клиент без бота"},
    "estimate_value": {
        Lang.EN: "{amount} ({answer})",
        Lang.RU: "{amount} ({answer})",
    },
    "answer_pending": {Lang.EN: "waiting for the customer", Lang.RU: "ждём ответа клиента"},
    "answer_approved": {Lang.EN: "approved", Lang.RU: "одобрена"},
    "answer_declined": {Lang.EN: "declined", Lang.RU: "отклонена"},
    "customer_approved": {Lang.EN: "approved", Lang.RU: "одобрил"},
    "customer_declined": {Lang.EN: "declined", Lang.RU: "отклонил"},
    "answer_superseded": {Lang.EN: "replaced", Lang.RU: "заменена"},
    "btn_set_status": {Lang.EN: "→ {status}", Lang.RU: "→ {status}"},
    "status_changed": {
        Lang.EN: "Ticket <code>{code}</code> is now <b>{status}</b>.",
        Lang.RU: "Новый статус заявки <code>{code}</code>: <b>{status}</b>.",
    },
    "move_forbidden": {
        Lang.EN: "Ticket {code} is {current}: it cannot become {target}. Allowed next: {allowed}.",
        Lang.RU: "Статус заявки {code} — {current}, сменить его на {target} нельзя. "
        "Можно: {allowed}.",
    },
    "cancel_why": {
        Lang.EN: "Why is <code>{code}</code> being cancelled? The customer will read the reason.",
        Lang.RU: "Почему отменяется <code>{code}</code>? Клиент увидит причину.",
    },
    "btn_reason_customer_asked": {Lang.EN: "Customer asked", Lang.RU: "Клиент попросил"},
    "btn_reason_cannot_repair": {Lang.EN: "Cannot be repaired", Lang.RU: "Ремонт невозможен"},
    "btn_reason_no_parts": {Lang.EN: "No parts available", Lang.RU: "Нет запчастей"},
    "btn_reason_other": {Lang.EN: "Other (type it)…", Lang.RU: "Другое (написать)…"},
    "btn_keep_ticket": {Lang.EN: "Keep the ticket", Lang.RU: "Не менять"},
    "reason_customer_asked": {
        Lang.EN: "cancelled at your request",
        Lang.RU: "отменено по вашей просьбе",
    },
    "reason_cannot_repair": {
        Lang.EN: "the device cannot be repaired",
        Lang.RU: "устройство невозможно отремонтировать",
    },
    "reason_no_parts": {
        Lang.EN: "the parts needed are not available",
        Lang.RU: "нужных запчастей нет в наличии",
    },
    "cancel_type_reason": {
        Lang.EN: "Type the reason for cancelling <code>{code}</code> in one message; the "
        "customer will read it. A command or another button stops this.",
        Lang.RU: "Напишите одним сообщением причину отмены <code>{code}</code>; клиент её "
        "увидит. Команда или другая кнопка прерывают ввод.",
    },
    "reason_text_only": {
        Lang.EN: "Please type the reason as text.",
        Lang.RU: "Пожалуйста, напишите причину текстом.",
    },
    "cancel_confirm": {
        Lang.EN: "Cancel <code>{code}</code>? The customer will be told: {reason}",
        Lang.RU: "Отменить <code>{code}</code>? Клиенту сообщим: {reason}",
    },
    "no_show_confirm": {
        Lang.EN: "Mark <code>{code}</code> as a missed drop-off? The booking lapses and the "
        "customer is told.",
        Lang.RU: "Отметить, что клиент не принёс устройство по <code>{code}</code>? Запись "
        "аннулируется, клиенту сообщим.",
    },
    "btn_confirm_cancel": {Lang.EN: "Yes, cancel it", Lang.RU: "Да, отменить"},
    "btn_confirm_no_show": {Lang.EN: "Yes, it was missed", Lang.RU: "Да, не пришёл"},
    "move_kept": {
        Lang.EN: "<code>{code}</code> stays {status}: nothing changed, the customer was told "
        "nothing.",
        Lang.RU: "<code>{code}</code> остаётся в статусе «{status}»: ничего не изменилось, "
        "клиенту ничего не отправлено.",
    },
    "nothing_allowed": {Lang.EN: "nothing, it is closed", Lang.RU: "ничего, заявка закрыта"},
    "ticket_closed": {
        Lang.EN: "Ticket {code} is closed ({status}).",
        Lang.RU: "Заявка {code} закрыта (статус «{status}»).",
    },
    "eta_set": {
        Lang.EN: "Ticket <code>{code}</code>: expected ready on {eta}. The customer is told.",
        Lang.RU: "Заявка <code>{code}</code>: готовность {eta}. Клиенту сообщено.",
    },
    "bad_eta": {
        Lang.EN: "The date must be today or later, within a year, as YYYY-MM-DD.",
        Lang.RU: "Дата — сегодня или позже, в пределах года, в виде ГГГГ-ММ-ДД.",
    },
    # Parts and stock
    "part_unknown": {
        Lang.EN: "There is no part “{sku}”. /stock with a word of its name finds it.",
        Lang.RU: "Запчасти «{sku}» нет. /stock со словом из названия найдёт её.",
    },
    "bad_quantity": {
        Lang.EN: "The quantity must be a whole number from 1 to {max}.",
        Lang.RU: "Количество — целое число от 1 до {max}.",
    },
    "bad_minimum": {
        Lang.EN: "The minimum must be a whole number from 0 to {max}.",
        Lang.RU: "Минимум — целое число от 0 до {max}.",
    },
    "stock_location_unknown": {
        Lang.EN: "There is no location “{code}”: HQ or a workshop code ({codes}).",
        Lang.RU: "Склада «{code}» нет: HQ или код мастерской ({codes}).",
    },
    "stock_location_forbidden": {
        Lang.EN: "You move parts only at your own workshop, {code}.",
        Lang.RU: "Вы работаете с запчастями только своей мастерской, {code}.",
    },
    "stock_title": {
        Lang.EN: "🔩 <b>Parts at {location}</b> (on hand · reserved · minimum)",
        Lang.RU: "🔩 <b>Запчасти: {location}</b> (в наличии · в резерве · минимум)",
    },
    "stock_line": {
        Lang.EN: "<code>{sku}</code> {name}: {on_hand} · {reserved} · {minimum}{low}",
        Lang.RU: "<code>{sku}</code> {name}: {on_hand} · {reserved} · {minimum}{low}",
    },
    "stock_low": {Lang.EN: " ⚠️ below minimum", Lang.RU: " ⚠️ ниже минимума"},
    "stock_empty": {
        Lang.EN: "No parts at {location} match “{typed}”.",
        Lang.RU: "На складе {location} нет запчастей по запросу «{typed}».",
    },
    "stock_none": {
        Lang.EN: "No parts at {location} yet. /receive records a delivery.",
        Lang.RU: "На складе {location} пока нет запчастей. /receive записывает поступление.",
    },
    "stock_part_title": {
        Lang.EN: "🔩 <b>{sku}</b> {name}, {price} each (on hand · reserved · minimum)",
        Lang.RU: "🔩 <b>{sku}</b> {name}, {price} за штуку (в наличии · в резерве · минимум)",
    },
    "stock_part_line": {
        Lang.EN: "{location}: {on_hand} · {reserved} · {minimum}{low}",
        Lang.RU: "{location}: {on_hand} · {reserved} · {minimum}{low}",
    },
    "stock_part_nowhere": {
        Lang.EN: "None anywhere yet.",
        Lang.RU: "Пока нигде нет.",
    },
    "stock_in_transit": {
        Lang.EN: "On the way from HQ: {count}",
        Lang.RU: "В пути из HQ: {count}",
    },
    "parts_received": {
        Lang.EN: "📥 {quantity} × <code>{sku}</code> {name} received at {location}; "
        "{free} free there now.",
        Lang.RU: "📥 Поступило {quantity} × <code>{sku}</code> {name} на склад {location}; "
        "свободно теперь {free}.",
    },
    "part_reserved": {
        Lang.EN: "🔩 {quantity} × <code>{sku}</code> {name} reserved for <code>{code}</code> "
        "from your stock.",
        Lang.RU: "🔩 {quantity} × <code>{sku}</code> {name} зарезервировано для "
        "<code>{code}</code> с вашего склада.",
    },
    "part_requested": {
        Lang.EN: "📨 Too few <code>{sku}</code> {name} in your stock: request "
        "<code>{request}</code> for {quantity} sent to head office. Ticket <code>{code}</code> "
        "waits for parts; the customer is told which part.",
        Lang.RU: "📨 На вашем складе не хватает <code>{sku}</code> {name}: заявка "
        "<code>{request}</code> на {quantity} шт. отправлена в головной офис. Заявка "
        "<code>{code}</code> ждёт запчасти; клиенту сообщено, какую.",
    },
    "part_short": {
        Lang.EN: "Not enough <code>{sku}</code> {name} at {location}: {free} free, {quantity} "
        "needed. Nothing changed.",
        Lang.RU: "Не хватает <code>{sku}</code> {name} на складе {location}: свободно {free}, "
        "нужно {quantity}. Ничего не изменилось.",
    },
    "part_used": {
        Lang.EN: "🔧 {quantity} × <code>{sku}</code> {name} used on <code>{code}</code>: {cost}.",
        Lang.RU: "🔧 {quantity} × <code>{sku}</code> {name} установлено по заявке "
        "<code>{code}</code>: {cost}.",
    },
    "request_unknown": {
        Lang.EN: "There is no parts request “{request}”.",
        Lang.RU: "Заявки на запчасти «{request}» нет.",
    },
    "request_shipped_already": {
        Lang.EN: "Request <code>{request}</code> was shipped already; nothing changed.",
        Lang.RU: "Заявка <code>{request}</code> уже отправлена; ничего не изменилось.",
    },
    "request_arrived_already": {
        Lang.EN: "Request <code>{request}</code> has arrived already; nothing changed.",
        Lang.RU: "Заявка <code>{request}</code> уже получена; ничего не изменилось.",
    },
    "request_not_shipped": {
        Lang.EN: "Request <code>{request}</code> has not been shipped yet; nothing changed.",
        Lang.RU: "Заявка <code>{request}</code> ещё не отправлена; ничего не изменилось.",
    },
    "request_shipped": {
        Lang.EN: "📦 Request <code>{request}</code> shipped: {quantity} × <code>{sku}</code> to "
        "{workshop} for <code>{code}</code>{eta}. The workshop is told.",
        Lang.RU: "📦 Заявка <code>{request}</code> отправлена: {quantity} × <code>{sku}</code> "
        "в {workshop} для <code>{code}</code>{eta}. Мастерской сообщено.",
    },
    "request_eta": {Lang.EN: ", expected {eta}", Lang.RU: ", ожидается {eta}"},
    "ship_short": {
        Lang.EN: "HQ has too few <code>{sku}</code> {name} for <code>{request}</code>: {free} "
        "free, {quantity} needed. Nothing was shipped; /receive HQ {sku} &lt;qty&gt; first.",
        Lang.RU: "На складе HQ не хватает <code>{sku}</code> {name} для <code>{request}</code>: "
        "свободно {free}, нужно {quantity}. Ничего не отправлено; сначала пополните склад: "
        "/receive HQ {sku} и количество.",
    },
    "request_arrived": {
        Lang.EN: "✅ {quantity} × <code>{sku}</code> {name} arrived and are reserved for "
        "<code>{code}</code>. The customer is told.",
        Lang.RU: "✅ {quantity} × <code>{sku}</code> {name} пришли и зарезервированы для "
        "<code>{code}</code>. Клиенту сообщено.",
    },
    "requests_title": {
        Lang.EN: "📨 <b>Open parts requests: {count}</b>, the oldest first",
        Lang.RU: "📨 <b>Открытые заявки на запчасти: {count}</b>, сначала старые",
    },
    "requests_line": {
        Lang.EN: "<code>{request}</code> · {workshop} · <code>{code}</code> · {quantity} × "
        "<code>{sku}</code> {name} · waiting {age}",
        Lang.RU: "<code>{request}</code> · {workshop} · <code>{code}</code> · {quantity} × "
        "<code>{sku}</code> {name} · ждёт {age}",
    },
    "requests_empty": {
        Lang.EN: "No open parts requests.",
        Lang.RU: "Открытых заявок на запчасти нет.",
    },
    "btn_ship": {Lang.EN: "📦 Ship {request}", Lang.RU: "📦 Отправить {request}"},
    "minstock_set": {
        Lang.EN: "Minimum of <code>{sku}</code> {name} at {location}: {quantity}.",
        Lang.RU: "Минимум <code>{sku}</code> {name} на складе {location}: {quantity}.",
    },
    "card_parts_title": {Lang.EN: "🔩 <b>Parts</b>", Lang.RU: "🔩 <b>Запчасти</b>"},
    "card_part_used": {
        Lang.EN: "Used: {quantity} × <code>{sku}</code> {name}, {price} each, {cost}",
        Lang.RU: "Установлено: {quantity} × <code>{sku}</code> {name}, по {price}, {cost}",
    },
    "card_parts_total": {
        Lang.EN: "Parts used, in all: {cost}",
        Lang.RU: "Всего за запчасти: {cost}",
    },
    "card_part_reserved": {
        Lang.EN: "Reserved: {quantity} × <code>{sku}</code> {name}",
        Lang.RU: "В резерве: {quantity} × <code>{sku}</code> {name}",
    },
    "card_part_request": {
        Lang.EN: "Request <code>{request}</code>: {quantity} × <code>{sku}</code>, {status}",
        Lang.RU: "Заявка <code>{request}</code>: {quantity} × <code>{sku}</code>, {status}",
    },
    "request_status_open": {Lang.EN: "waiting for head office", Lang.RU: "ждёт головной офис"},
    "request_status_shipped": {Lang.EN: "on the way", Lang.RU: "в пути"},
    "request_status_arrived": {Lang.EN: "arrived", Lang.RU: "получена"},
    "bad_amount": {
        Lang.EN: "“{amount}” is not an amount I can read for sure. Write the amount first, "
        "then the comment, e.g. <code>/quote SR-XXXXXX 12 500,50 new screen</code> "
        "(12,500 or 12.500 could mean twelve thousand or twelve and a half).",
        Lang.RU: "«{amount}» — не сумма, которую можно прочесть однозначно. Сначала сумма, "
        "затем комментарий, например <code>/quote SR-XXXXXX 12 500,50 замена экрана</code> "
        "(12,500 или 12.500 можно понять и как двенадцать тысяч, и как двенадцать с половиной).",
    },
    "quote_preview": {
        Lang.EN: "Estimate for <code>{code}</code>: {amount}",
        Lang.RU: "Смета по <code>{code}</code>: {amount}",
    },
    "quote_preview_comment": {Lang.EN: "Comment: {comment}", Lang.RU: "Комментарий: {comment}"},
    "quote_preview_replaces": {
        Lang.EN: "It replaces the estimate of {amount} still waiting for the customer's answer.",
        Lang.RU: "Она заменит смету на {amount}, которая ещё ждёт ответа клиента.",
    },
    "quote_preview_ask": {
        Lang.EN: "The customer sees nothing until you tap Send.",
        Lang.RU: "Клиент ничего не увидит, пока вы не нажмёте «Отправить».",
    },
    "btn_send_quote": {Lang.EN: "Send", Lang.RU: "Отправить"},
    "quote_dropped": {
        Lang.EN: "Estimate for <code>{code}</code> not sent; the customer saw nothing.",
        Lang.RU: "Смета по <code>{code}</code> не отправлена; клиент ничего не видел.",
    },
    "quote_sent": {
        Lang.EN: "Estimate for <code>{code}</code>: {amount}. The customer is asked "
        "to approve it.",
        Lang.RU: "Смета по <code>{code}</code>: {amount}. Клиенту отправлен запрос "
        "на одобрение.",
    },
    "quote_preview_warranty": {
        Lang.EN: "Estimate for <code>{code}</code>: <b>covered by warranty</b>, free of charge. "
        "A confirmed warranty repair is never priced to the customer: the amount typed is not "
        "sent, and there is nothing for them to approve.",
        Lang.RU: "Смета по <code>{code}</code>: <b>гарантийный ремонт</b>, бесплатно. "
        "Подтверждённый гарантийный ремонт клиенту не оценивается: введённая сумма не "
        "отправляется, одобрять клиенту нечего.",
    },
    "warranty_not_yes_no": {
        Lang.EN: "“{answer}” is neither yes nor no. Usage: /warranty SR-XXXXXX yes|no [reason]",
        Lang.RU: "«{answer}» — это не «да» и не «нет». Формат: /warranty SR-XXXXXX да|нет "
        "[причина]",
    },
    "warranty_set_yes": {
        Lang.EN: "🛡 <code>{code}</code> is a warranty repair: its estimate is free of charge. "
        "The customer is told.",
        Lang.RU: "🛡 <code>{code}</code> — гарантийный ремонт: смета бесплатная. "
        "Клиенту сообщено.",
    },
    "warranty_set_no": {
        Lang.EN: "🛡 <code>{code}</code> is not a warranty repair. The customer is told.",
        Lang.RU: "🛡 <code>{code}</code> — не гарантийный ремонт. Клиенту сообщено.",
    },
    "quote_sent_warranty": {
        Lang.EN: "Estimate for <code>{code}</code>: covered by warranty, free of charge. "
        "The customer is told.",
        Lang.RU: "Смета по <code>{code}</code>: гарантийный ремонт, бесплатно. "
        "Клиенту сообщено.",
    },
    "unknown_category": {
        Lang.EN: "Unknown category “{category}”. Categories: {categories}.",
        Lang.RU: "Неизвестная категория «{category}». Категории: {categories}.",
    },
    "walk_in_created": {
        Lang.EN: "Walk-in ticket <code>{code}</code> ({category}) is received.\n"
        "Give the customer this link or the QR code to follow the repair in Telegram "
        "(it works once):\n{link}",
        Lang.RU: "Заявка без записи <code>{code}</code> ({category}) принята.\n"
        "Дайте клиенту эту ссылку или QR-код, чтобы следить за ремонтом в Telegram "
        "(ссылка одноразовая):\n{link}",
    },
    "walk_in_qr_caption": {
        Lang.EN: "Ticket {code}: scan to follow the repair in Telegram",
        Lang.RU: "Заявка {code}: отсканируйте, чтобы следить за ремонтом в Telegram",
    },
    "claimed": {
        Lang.EN: "✅ Ticket <code>{code}</code> ({category}, {workshop}) is now linked to you. "
        "You will get its updates here; /status {code} shows its history.",
        Lang.RU: "✅ Заявка <code>{code}</code> ({category}, {workshop}) привязана к вам. "
        "Обновления будут приходить сюда; история: /status {code}.",
    },
    "claim_invalid": {
        Lang.EN: "This link has already been used or is not valid. Ask the workshop for help.",
        Lang.RU: "Эта ссылка уже использована или недействительна. Обратитесь в мастерскую.",
    },
    # Notifications
    "notice_status": {
        Lang.EN: "🔔 <b>Ticket {code}</b>\n{news}",
        Lang.RU: "🔔 <b>Заявка {code}</b>\n{news}",
    },
    "notice_note": {
        Lang.EN: "Note from the workshop: {note}",
        Lang.RU: "Комментарий мастерской: {note}",
    },
    "notice_reason": {
        Lang.EN: "Reason: {note}",
        Lang.RU: "Причина: {note}",
    },
    "notice_ready_open": {
        Lang.EN: "Pick it up at {workshop}, {address}: open {hours}.",
        Lang.RU: "Забрать можно в {workshop}, {address}: работаем {hours}.",
    },
    "notice_amount_due": {
        Lang.EN: "To pay: <b>{amount}</b>, the estimate you approved.",
        Lang.RU: "К оплате: <b>{amount}</b> по одобренной вами смете.",
    },
    "notice_book_again": {
        Lang.EN: "You can book a new drop-off at any time with the button below.",
        Lang.RU: "Записаться снова можно в любой момент кнопкой ниже.",
    },
    "btn_book_again": {Lang.EN: "🔁 Book again", Lang.RU: "🔁 Записаться снова"},
    "open_today": {Lang.EN: "today {hours}", Lang.RU: "сегодня {hours}"},
    "open_tomorrow": {Lang.EN: "tomorrow {hours}", Lang.RU: "завтра {hours}"},
    "notice_eta": {
        Lang.EN: "📅 Ticket <code>{code}</code>: expected to be ready on <b>{eta}</b>. We will "
        "write again when it is.",
        Lang.RU: "📅 Заявка <code>{code}</code>: ожидаемая дата готовности — <b>{eta}</b>. "
        "Когда всё будет готово, мы напишем.",
    },
    "notice_part_awaited": {
        Lang.EN: "🔩 Ticket <code>{code}</code>: the repair waits for a part, <b>{part}</b>. "
        "The workshop has ordered it; we will write when it arrives.",
        Lang.RU: "🔩 Заявка <code>{code}</code>: для ремонта нужна запчасть — <b>{part}</b>. "
        "Мастерская её заказала; мы напишем, когда она придёт.",
    },
    "notice_part_on_way": {
        Lang.EN: "🚚 Ticket <code>{code}</code>: the part ({part}) is on its way to the "
        "workshop.",
        Lang.RU: "🚚 Заявка <code>{code}</code>: запчасть ({part}) едет в мастерскую.",
    },
    "notice_part_on_way_eta": {
        Lang.EN: "🚚 Ticket <code>{code}</code>: the part ({part}) is on its way to the "
        "workshop; your device is expected to be ready on <b>{eta}</b>.",
        Lang.RU: "🚚 Заявка <code>{code}</code>: запчасть ({part}) едет в мастерскую; "
        "ожидаемая дата готовности — <b>{eta}</b>.",
    },
    "notice_part_arrived": {
        Lang.EN: "✅ Ticket <code>{code}</code>: the part ({part}) has arrived, and the repair "
        "goes on.",
        Lang.RU: "✅ Заявка <code>{code}</code>: запчасть ({part}) пришла, ремонт продолжается.",
    },
    "notice_part_requested": {
        Lang.EN: "📨 New parts request <code>{request}</code> from {workshop}: {quantity} × "
        "<code>{sku}</code> {name} for <code>{code}</code>. /requests lists what is waiting.",
        Lang.RU: "📨 Новая заявка на запчасти <code>{request}</code> от {workshop}: {quantity} × "
        "<code>{sku}</code> {name} для <code>{code}</code>. /requests покажет все ожидающие.",
    },
    "notice_part_shipped": {
        Lang.EN: "📦 Head office shipped <code>{request}</code>: {quantity} × <code>{sku}</code> "
        "{name} for <code>{code}</code>{eta}. Send /arrived {request} when it is here.",
        Lang.RU: "📦 Головной офис отправил <code>{request}</code>: {quantity} × "
        "<code>{sku}</code> {name} для <code>{code}</code>{eta}. Когда придёт, отправьте "
        "/arrived {request}.",
    },
    "notice_estimate": {
        Lang.EN: "💰 Repair estimate for ticket <code>{code}</code>: <b>{amount}</b>.",
        Lang.RU: "💰 Смета на ремонт по заявке <code>{code}</code>: <b>{amount}</b>.",
    },
    "notice_estimate_warranty": {
        Lang.EN: "💰 Repair estimate for ticket <code>{code}</code>: <b>covered by warranty</b>, "
        "free of charge. There is nothing to pay and nothing to approve.",
        Lang.RU: "💰 Смета на ремонт по заявке <code>{code}</code>: <b>гарантийный ремонт</b>, "
        "бесплатно. Платить и одобрять ничего не нужно.",
    },
    "notice_warranty_yes": {
        Lang.EN: "🛡 Ticket <code>{code}</code>: the workshop confirmed that the repair is "
        "covered by warranty, so it is free of charge.",
        Lang.RU: "🛡 Заявка <code>{code}</code>: мастерская подтвердила, что ремонт "
        "гарантийный, поэтому он бесплатный.",
    },
    "notice_warranty_no": {
        Lang.EN: "🛡 Ticket <code>{code}</code>: the workshop found that the repair is not "
        "covered by warranty. You will get an estimate to approve before any paid work.",
        Lang.RU: "🛡 Заявка <code>{code}</code>: мастерская установила, что ремонт не "
        "гарантийный. Перед платными работами вы получите смету на одобрение.",
    },
    "notice_estimate_ask": {
        Lang.EN: "Do you approve the repair at this price?",
        Lang.RU: "Согласны на ремонт по этой цене?",
    },
    "estimate_superseded": {
        Lang.EN: "This estimate was replaced by a newer one: please answer the latest.",
        Lang.RU: "Эта смета заменена новой: ответьте, пожалуйста, на последнюю.",
    },
    "btn_approve": {Lang.EN: "Approve", Lang.RU: "Одобрить"},
    "btn_decline": {Lang.EN: "Decline", Lang.RU: "Отклонить"},
    "estimate_approved": {
        Lang.EN: "Thank you: you approved {amount} for ticket <code>{code}</code>. "
        "The workshop is told.",
        Lang.RU: "Спасибо: вы одобрили {amount} по заявке <code>{code}</code>. "
        "Мастерская уведомлена.",
    },
    "estimate_declined": {
        Lang.EN: "You declined {amount} for ticket <code>{code}</code>. The workshop "
        "is told and will contact you.",
        Lang.RU: "Вы отклонили {amount} по заявке <code>{code}</code>. Мастерская "
        "уведомлена и свяжется с вами.",
    },
    "notice_estimate_answer": {
        Lang.EN: "💰 Ticket <code>{code}</code>: the customer, {customer}, <b>{answer}</b> the "
        "estimate of {amount}.",
        Lang.RU: "💰 Заявка <code>{code}</code>: клиент {customer} <b>{answer}</b> смету "
        "на {amount}.",
    },
    "notice_new_booking": {
        Lang.EN: "🆕 New booking <code>{code}</code>: {category}, drop-off {when}, {customer}, "
        "📱 {phone}. /job {code}",
        Lang.RU: "🆕 Новая запись <code>{code}</code>: {category}, приём {when}, {customer}, "
        "📱 {phone}. /job {code}",
    },
    "notice_booking_cancelled": {
        Lang.EN: "❎ Booking <code>{code}</code> ({category}, {when}) was cancelled "
        "by the customer.",
        Lang.RU: "❎ Запись <code>{code}</code> ({category}, {when}) отменена клиентом.",
    },
    # Customer: ticket status
    "news_booked": {
        Lang.EN: "You booked a drop-off at {workshop}.",
        Lang.RU: "Вы записались в мастерскую {workshop}.",
    },
    "news_received": {
        Lang.EN: "{workshop} has received your device.",
        Lang.RU: "Мастерская {workshop} приняла ваше устройство.",
    },
    "news_diagnosing": {
        Lang.EN: "Your device is being diagnosed; the workshop will tell you what it needs.",
        Lang.RU: "Устройство на диагностике; мастерская сообщит, что нужно для ремонта.",
    },
    "news_waiting_parts": {
        Lang.EN: "The workshop is waiting for parts for your device.",
        Lang.RU: "Мастерская ждёт запчасти для вашего устройства.",
    },
    "news_repairing": {
        Lang.EN: "Your device is being repaired.",
        Lang.RU: "Устройство в ремонте.",
    },
    "news_ready": {
        Lang.EN: "Your device is ready! 🎉",
        Lang.RU: "Устройство готово! 🎉",
    },
    "news_picked_up": {
        Lang.EN: "You picked up your device. Thank you for choosing us!",
        Lang.RU: "Устройство выдано. Спасибо, что выбрали нас!",
    },
    "news_cancelled": {
        Lang.EN: "The workshop has cancelled the ticket.",
        Lang.RU: "Заявка отменена мастерской.",
    },
    "news_cancelled_by_you": {
        Lang.EN: "You cancelled the booking.",
        Lang.RU: "Вы отменили запись.",
    },
    "news_no_show": {
        Lang.EN: "The booking has lapsed: the device did not arrive at the agreed time.",
        Lang.RU: "Запись не состоялась: устройство не принесли в назначенное время.",
    },
    "news_will_come": {
        Lang.EN: "You confirmed that you will come.",
        Lang.RU: "Вы подтвердили, что придёте.",
    },
    "news_rescheduled": {
        Lang.EN: "You moved the drop-off to {when}.",
        Lang.RU: "Вы перенесли приём на {when}.",
    },
    "news_eta": {
        Lang.EN: "Expected to be ready on {eta}.",
        Lang.RU: "Ожидаемая дата готовности — {eta}.",
    },
    "news_warranty_yes": {
        Lang.EN: "The repair is covered by warranty.",
        Lang.RU: "Ремонт гарантийный.",
    },
    "news_warranty_no": {
        Lang.EN: "The repair is not covered by warranty.",
        Lang.RU: "Ремонт не гарантийный.",
    },
    "news_estimate_warranty": {
        Lang.EN: "Estimate: covered by warranty, free of charge.",
        Lang.RU: "Смета: гарантийный ремонт, бесплатно.",
    },
    "news_estimate": {
        Lang.EN: "Estimate {amount}, {answer}.",
        Lang.RU: "Смета {amount}, {answer}.",
    },
    "news_estimate_comment": {
        Lang.EN: "Estimate {amount}: {comment}, {answer}.",
        Lang.RU: "Смета {amount}: {comment}, {answer}.",
    },
    "news_estimate_pending": {Lang.EN: "waiting for your answer", Lang.RU: "ждёт вашего ответа"},
    "news_estimate_approved": {Lang.EN: "you approved it", Lang.RU: "вы её одобрили"},
    "news_estimate_declined": {Lang.EN: "you declined it", Lang.RU: "вы её отклонили"},
    "news_estimate_superseded": {
        Lang.EN: "replaced by a newer one",
        Lang.RU: "заменена новой",
    },
    "news_rated": {
        Lang.EN: "You rated the repair {stars} ⭐.",
        Lang.RU: "Вы оценили ремонт на {stars} ⭐.",
    },
    "news_comment": {Lang.EN: "Your comment: {note}", Lang.RU: "Ваш комментарий: {note}"},
    "news_claimed": {
        Lang.EN: "You linked the ticket to this chat.",
        Lang.RU: "Вы привязали заявку к этому чату.",
    },
    "news_line": {Lang.EN: "{when} · {news}", Lang.RU: "{when} · {news}"},
    "status_card": {
        Lang.EN: "<b>Ticket {code}</b> · {status}\n{category}, {workshop}\n🕒 {dropoff}\n"
        "📅 Expected ready: {eta}",
        Lang.RU: "<b>Заявка {code}</b> · {status}\n{category}, {workshop}\n🕒 {dropoff}\n"
        "📅 Готовность: {eta}",
    },
    # Head office
    "admin_added": {
        Lang.EN: "{user} is now head office.",
        Lang.RU: "{user} теперь в головном офисе.",
    },
    "admin_already": {
        Lang.EN: "{user} is head office already.",
        Lang.RU: "{user} уже в головном офисе.",
    },
    "admin_removed": {
        Lang.EN: "{user} is no longer head office.",
        Lang.RU: "{user} больше не в головном офисе.",
    },
    "admin_not_found": {
        Lang.EN: "{user} is not head office.",
        Lang.RU: "{user} не в головном офисе.",
    },
    "admin_configured": {
        Lang.EN: "{user} is head office by configuration (HEAD_OFFICE_IDS) and can only be "
        "changed there.",
        Lang.RU: "{user} — головной офис по настройке HEAD_OFFICE_IDS; изменить можно только там.",
    },
    "staff_added": {
        Lang.EN: "{user} is now staff of {workshop}.",
        Lang.RU: "{user} теперь сотрудник мастерской {workshop}.",
    },
    "staff_already": {
        Lang.EN: "{user} is staff of {workshop} already.",
        Lang.RU: "{user} уже сотрудник мастерской {workshop}.",
    },
    "staff_is_head_office": {
        Lang.EN: "{user} is head office and sees every workshop already.",
        Lang.RU: "{user} — головной офис и уже видит все мастерские.",
    },
    "staff_removed": {
        Lang.EN: "{user} is no longer staff.",
        Lang.RU: "{user} больше не сотрудник.",
    },
    "staff_not_found": {Lang.EN: "{user} is not staff.", Lang.RU: "{user} не сотрудник."},
    "staff_title": {
        Lang.EN: "<b>Staff by workshop</b>",
        Lang.RU: "<b>Сотрудники по мастерским</b>",
    },
    "staff_line": {Lang.EN: "{workshop}: {people}", Lang.RU: "{workshop}: {people}"},
    "nobody": {Lang.EN: "nobody", Lang.RU: "никого"},
    "workshops_title": {Lang.EN: "<b>The network</b>", Lang.RU: "<b>Сеть мастерских</b>"},
    "workshops_line": {
        Lang.EN: "<code>{code}</code> {name}, {city}: staff {staff}, open tickets {open}",
        Lang.RU: "<code>{code}</code> {name}, {city}: сотрудников {staff}, открытых заявок {open}",
    },
    "bad_days": {
        Lang.EN: "The period is a number of days from 1 to 3650.",
        Lang.RU: "Период — число дней от 1 до 3650.",
    },
    "export_caption": {
        Lang.EN: "Tickets of the last {days} days",
        Lang.RU: "Заявки за последние {days} дн.",
    },
    "export_csv_caption": {
        Lang.EN: "The same as CSV, comma-separated",
        Lang.RU: "То же в CSV, разделитель — точка с запятой",
    },
    "overdue_none": {
        Lang.EN: "Nothing is overdue. 👍",
        Lang.RU: "Просроченных заявок нет. 👍",
    },
    # Reminders and feedback
    "reminder_evening": {
        Lang.EN: "⏰ Reminder: tomorrow at <b>{time}</b> you are bringing your device to "
        "<b>{workshop}</b>, {address} (ticket <code>{code}</code>).",
        Lang.RU: "⏰ Напоминание: завтра в <b>{time}</b> вы приносите устройство в "
        "<b>{workshop}</b>, {address} (заявка <code>{code}</code>).",
    },
    "reminder_soon": {
        Lang.EN: "⏰ In two hours, at <b>{time}</b>, we expect you at <b>{workshop}</b>, "
        "{address} (ticket <code>{code}</code>).",
        Lang.RU: "⏰ Через два часа, в <b>{time}</b>, ждём вас в <b>{workshop}</b>, "
        "{address} (заявка <code>{code}</code>).",
    },
    "btn_will_come": {Lang.EN: "✅ I'll be there", Lang.RU: "✅ Приду"},
    "btn_reschedule": {Lang.EN: "🔁 Reschedule", Lang.RU: "🔁 Перенести"},
    "btn_cancel_short": {Lang.EN: "✖️ Cancel booking", Lang.RU: "✖️ Отменить запись"},
    "will_come_noted": {
        Lang.EN: "Thank you, see you at {time}!",
        Lang.RU: "Спасибо, ждём вас в {time}!",
    },
    "reschedule_day": {
        Lang.EN: "Choose a new day for <code>{code}</code> at <b>{workshop}</b>:",
        Lang.RU: "Выберите новый день для <code>{code}</code> в <b>{workshop}</b>:",
    },
    "reschedule_slot": {
        Lang.EN: "Choose a new time for <code>{code}</code>, {day}:",
        Lang.RU: "Выберите новое время для <code>{code}</code>, {day}:",
    },
    "rescheduled": {
        Lang.EN: "✅ Booking <code>{code}</code> moved to <b>{when}</b>.",
        Lang.RU: "✅ Запись <code>{code}</code> перенесена на <b>{when}</b>.",
    },
    "notice_rescheduled": {
        Lang.EN: "🔁 Booking <code>{code}</code> moved by the customer to {when}.",
        Lang.RU: "🔁 Клиент перенёс запись <code>{code}</code> на {when}.",
    },
    "no_show_check": {
        Lang.EN: "❓ Ticket <code>{code}</code> was due at {when} ({customer}). Did the device "
        "arrive?",
        Lang.RU: "❓ По заявке <code>{code}</code> ждали устройство в {when} ({customer}). "
        "Его принесли?",
    },
    "pickup_reminder": {
        Lang.EN: "📦 Your device (ticket <code>{code}</code>) is ready and waiting for you at "
        "<b>{workshop}</b>, {address}. Opening hours: {hours}.",
        Lang.RU: "📦 Ваше устройство (заявка <code>{code}</code>) готово и ждёт вас в "
        "<b>{workshop}</b>, {address}. Часы работы: {hours}.",
    },
    "estimate_reminder": {
        Lang.EN: "💰 The estimate for ticket <code>{code}</code> ({amount}) is "
        "waiting for your answer.",
        Lang.RU: "💰 Смета по заявке <code>{code}</code> ({amount}) ждёт вашего ответа.",
    },
    "feedback_ask": {
        Lang.EN: "🙏 How was the repair of <code>{code}</code> at {workshop}? Rate it from 1 "
        "(bad) to 5 (excellent):",
        Lang.RU: "🙏 Как вам ремонт по заявке <code>{code}</code> в {workshop}? Оцените от 1 "
        "(плохо) до 5 (отлично):",
    },
    "feedback_thanks": {
        Lang.EN: "Thank you for rating {rating} ⭐. If you want to add a comment, just write "
        "it here.",
        Lang.RU: "Спасибо за оценку {rating} ⭐. Если хотите добавить комментарий, просто "
        "напишите его сюда.",
    },
    "feedback_comment_thanks": {
        Lang.EN: "Thank you, we passed your comment on.",
        Lang.RU: "Спасибо, мы передали ваш комментарий.",
    },
    "feedback_alert": {
        Lang.EN: "⚠️ Low rating {rating} ⭐ from {customer} for ticket <code>{code}</code> "
        "at {workshop}. /job {code}",
        Lang.RU: "⚠️ Низкая оценка {rating} ⭐ от клиента {customer} по заявке "
        "<code>{code}</code> в {workshop}. /job {code}",
    },
    "feedback_alert_comment": {
        Lang.EN: "Customer's comment: {comment}",
        Lang.RU: "Комментарий клиента: {comment}",
    },
    "digest_title": {
        Lang.EN: "☀️ <b>Good morning. Overdue tickets</b>",
        Lang.RU: "☀️ <b>Доброе утро. Просроченные заявки</b>",
    },
    "digest_morning": {Lang.EN: "☀️ <b>Good morning.</b>", Lang.RU: "☀️ <b>Доброе утро.</b>"},
    "digest_questions": {
        Lang.EN: "❓ Customers' questions without an answer: {count}, the oldest waiting {age}. "
        "See /questions.",
        Lang.RU: "❓ Вопросы клиентов без ответа: {count}, самый давний ждёт {age}. "
        "Смотрите /questions.",
    },
    "digest_questions_workshop": {
        Lang.EN: "❓ Customers' questions waiting for your answer: {count}, the oldest waiting "
        "{age}.",
        Lang.RU: "❓ Вопросы клиентов ждут вашего ответа: {count}, самый давний ждёт {age}.",
    },
    "digest_parts_low": {
        Lang.EN: "🔩 Parts below their minimum: {count}",
        Lang.RU: "🔩 Запчасти ниже минимума: {count}",
    },
    "digest_part_low": {
        Lang.EN: "{location}: <code>{sku}</code> {name}, {on_hand} of {minimum}",
        Lang.RU: "{location}: <code>{sku}</code> {name}, {on_hand} из {minimum}",
    },
    "digest_requests_late": {
        Lang.EN: "📨 Parts requests waiting more than {days} days: {count}",
        Lang.RU: "📨 Заявки на запчасти ждут больше {days} дн.: {count}",
    },
    "digest_request_late": {
        Lang.EN: "<code>{request}</code> · {workshop} · <code>{code}</code> · <code>{sku}</code>"
        " · {status}, {age}",
        Lang.RU: "<code>{request}</code> · {workshop} · <code>{code}</code> · <code>{sku}</code>"
        " · {status}, {age}",
    },
    # Broadcasts
    "broadcast_preview": {
        Lang.EN: "📣 <b>Broadcast preview</b> to {audience} customers{when} (English: {en}, "
        "Russian: {ru}):",
        Lang.RU: "📣 <b>Предпросмотр рассылки</b> для {audience} клиентов{when} (английский: "
        "{en}, русский: {ru}):",
    },
    "broadcast_when": {Lang.EN: ", on {when}", Lang.RU: ", {when}"},
    "broadcast_text_en": {
        Lang.EN: "🇬🇧 <b>English text</b>",
        Lang.RU: "🇬🇧 <b>Текст на английском</b>",
    },
    "broadcast_text_ru": {
        Lang.EN: "🇷🇺 <b>Russian text</b>",
        Lang.RU: "🇷🇺 <b>Текст на русском</b>",
    },
    "broadcast_language_en": {Lang.EN: "English", Lang.RU: "на английском"},
    "broadcast_language_ru": {Lang.EN: "Russian", Lang.RU: "на русском"},
    "broadcast_missing": {
        Lang.EN: "⚠️ There is no {absent} text: every customer gets the {given} one. Send the "
        "{absent} text as your next message to add it, or confirm as it is.",
        Lang.RU: "⚠️ Нет текста {absent}: все клиенты получат текст {given}. Пришлите текст "
        "{absent} следующим сообщением, чтобы добавить его, или подтвердите как есть.",
    },
    "broadcast_separators": {
        Lang.EN: "Give the English text, a line ---, then the Russian text: one line --- at most.",
        Lang.RU: "Укажите текст на английском, строку ---, затем текст на русском: не больше "
        "одной строки ---.",
    },
    "broadcast_scheduled": {
        Lang.EN: "🗓 Broadcast #{id} is scheduled for {when}. /broadcast_cancel {id} stops it.",
        Lang.RU: "🗓 Рассылка #{id} запланирована на {when}. Отменить: /broadcast_cancel {id}.",
    },
    "broadcast_progress": {
        Lang.EN: "📣 Broadcast #{id}: sending… {done} of {total} (delivered {sent}, blocked "
        "{blocked}, failed {failed})",
        Lang.RU: "📣 Рассылка #{id}: отправка… {done} из {total} (доставлено {sent}, "
        "заблокировали {blocked}, ошибок {failed})",
    },
    "broadcast_report": {
        Lang.EN: "✅ Broadcast #{id} finished: delivered {sent}, blocked {blocked}, failed "
        "{failed}, in {seconds} s.",
        Lang.RU: "✅ Рассылка #{id} завершена: доставлено {sent}, заблокировали {blocked}, "
        "ошибок {failed}, за {seconds} с.",
    },
    "broadcast_cancelled": {
        Lang.EN: "✖️ Broadcast #{id} cancelled: delivered {sent} before it stopped.",
        Lang.RU: "✖️ Рассылка #{id} отменена: до остановки доставлено {sent}.",
    },
    "broadcast_too_long": {
        Lang.EN: (
            "The text is too long: {length} of {limit} characters (Telegram counts most emoji"
            " as two). Shorten it and send the command again."
        ),
        Lang.RU: (
            "Текст слишком длинный: {length} из {limit} символов (Telegram считает большинство"
            " эмодзи за два). Сократите его и отправьте команду снова."
        ),
    },
    "broadcast_too_long_in": {
        Lang.EN: (
            "The {language} text is too long: {length} of {limit} characters (Telegram counts"
            " most emoji as two). Shorten it and send it again."
        ),
        Lang.RU: (
            "Текст {language} слишком длинный: {length} из {limit} символов (Telegram считает"
            " большинство эмодзи за два). Сократите его и отправьте снова."
        ),
    },
    "broadcast_dropped": {
        Lang.EN: "Broadcast discarded; nothing was sent.",
        Lang.RU: "Рассылка отменена, ничего не отправлено.",
    },
    "broadcast_not_found": {
        Lang.EN: "No scheduled or running broadcast #{id}.",
        Lang.RU: "Нет запланированной или идущей рассылки #{id}.",
    },
    "broadcasts_title": {Lang.EN: "<b>Recent broadcasts</b>", Lang.RU: "<b>Последние рассылки</b>"},
    "broadcasts_empty": {Lang.EN: "No broadcasts yet.", Lang.RU: "Рассылок ещё не было."},
    "broadcasts_line": {
        Lang.EN: "#{id} · {status} · {segment} · {when} · delivered {sent}/{total}, blocked "
        "{blocked}, failed {failed} · {preview}",
        Lang.RU: "#{id} · {status} · {segment} · {when} · доставлено {sent}/{total}, "
        "заблокировали {blocked}, ошибок {failed} · {preview}",
    },
    "bad_when": {
        Lang.EN: "Give a local time in the future, at most a year ahead, as YYYY-MM-DD HH:MM, "
        "then the text. For example:\n/broadcast_at {example} Our workshops are closed on Monday.",
        Lang.RU: "Укажите местное время в будущем, не дальше чем через год, в виде "
        "ГГГГ-ММ-ДД ЧЧ:ММ, затем текст. Например:\n/broadcast_at {example} В понедельник "
        "мастерские закрыты.",
    },
    "cmd_broadcast": {Lang.EN: "Message every customer", Lang.RU: "Рассылка всем клиентам"},
    "cmd_broadcast_workshop": {
        Lang.EN: "Message a workshop's customers",
        Lang.RU: "Рассылка клиентам мастерской",
    },
    "cmd_broadcast_category": {
        Lang.EN: "Message customers of a category",
        Lang.RU: "Рассылка по категории",
    },
    "cmd_broadcast_at": {Lang.EN: "Schedule a broadcast", Lang.RU: "Запланировать рассылку"},
    "cmd_broadcasts": {Lang.EN: "Recent broadcasts", Lang.RU: "Последние рассылки"},
    "cmd_broadcast_cancel": {Lang.EN: "Stop a broadcast", Lang.RU: "Остановить рассылку"},
    "args_text": {Lang.EN: "text", Lang.RU: "текст"},
    "args_broadcast_workshop": {Lang.EN: "CODE text", Lang.RU: "КОД текст"},
    "args_broadcast_category": {Lang.EN: "category text", Lang.RU: "категория текст"},
    "args_broadcast_at": {Lang.EN: "YYYY-MM-DD HH:MM text", Lang.RU: "ГГГГ-ММ-ДД ЧЧ:ММ текст"},
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
    "card_refreshed": {
        Lang.EN: "This booking has changed: the card now shows it as it is.",
        Lang.RU: "Запись изменилась: карточка показывает её такой, какая она сейчас.",
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
    # Questions to a person
    "ask_general": {
        Lang.EN: "💬 Write your question in one message (a photo with a caption works too). "
        "Our head office will answer here, in this chat. /cancel if you changed your mind.",
        Lang.RU: "💬 Напишите вопрос одним сообщением (можно фото с подписью). "
        "Головной офис ответит здесь, в этом чате. /cancel — если передумали.",
    },
    "ask_ticket": {
        Lang.EN: "💬 Write your question about <b>{code}</b> in one message (a photo with a "
        "caption works too). {workshop} will answer here, in this chat. /cancel if you changed "
        "your mind.",
        Lang.RU: "💬 Напишите вопрос по заявке <b>{code}</b> одним сообщением (можно фото с "
        "подписью). Мастерская «{workshop}» ответит здесь, в этом чате. /cancel — если "
        "передумали.",
    },
    "ask_closed": {
        Lang.EN: "💬 Booking <b>{code}</b> is closed, so our head office will answer your "
        "question here, in this chat. Write it in one message (a photo with a caption works "
        "too). /cancel if you changed your mind.",
        Lang.RU: "💬 Заявка <b>{code}</b> закрыта, поэтому на ваш вопрос ответит головной офис "
        "здесь, в этом чате. Напишите его одним сообщением (можно фото с подписью). /cancel — "
        "если передумали.",
    },
    "ask_follow_up": {
        Lang.EN: "✍️ Write your reply in one message (a photo with a caption works too). "
        "/cancel if you changed your mind.",
        Lang.RU: "✍️ Напишите ответ одним сообщением (можно фото с подписью). /cancel — если "
        "передумали.",
    },
    "answer_prompt": {
        Lang.EN: "✍️ Write your answer to {name} in one message (a photo with a caption works "
        "too). /cancel if you changed your mind.",
        Lang.RU: "✍️ Напишите ответ для клиента ({name}) одним сообщением (можно фото с "
        "подписью). /cancel — если передумали.",
    },
    "ask_cancelled": {
        Lang.EN: "OK, nothing was sent.",
        Lang.RU: "Хорошо, ничего не отправлено.",
    },
    "ask_text_only": {
        Lang.EN: "I can pass on words and photos. Please write your question, or send a photo "
        "with a caption. /cancel if you changed your mind.",
        Lang.RU: "Я могу передать текст и фотографии. Пожалуйста, напишите вопрос или "
        "отправьте фото с подписью. /cancel — если передумали.",
    },
    "ask_too_long": {
        Lang.EN: "That is {length} characters; please shorten it to {limit} and send it again. "
        "Nothing was sent yet.",
        Lang.RU: "Здесь {length} символов; пожалуйста, сократите до {limit} и отправьте ещё раз. "
        "Пока ничего не отправлено.",
    },
    "ask_sent": {
        Lang.EN: "✅ Passed on to {who}. The answer will come here, in this chat.",
        Lang.RU: "✅ Передано: {who}. Ответ придёт сюда, в этот чат.",
    },
    "answer_sent": {
        Lang.EN: "✅ Sent to {name}.",
        Lang.RU: "✅ Отправлено клиенту ({name}).",
    },
    "head_office": {Lang.EN: "Head office", Lang.RU: "Головной офис"},
    "question_general": {
        Lang.EN: "❓ <b>Question</b> from {name}:",
        Lang.RU: "❓ <b>Вопрос</b> от клиента ({name}):",
    },
    "question_about": {
        Lang.EN: "❓ <b>Question</b> from {name} about <b>{code}</b> ({workshop}):",
        Lang.RU: "❓ <b>Вопрос</b> от клиента ({name}) по заявке <b>{code}</b> ({workshop}):",
    },
    "question_late": {
        Lang.EN: "⏰ <b>Not answered</b> by {workshop} within {minutes} minutes of opening hours.",
        Lang.RU: "⏰ <b>Нет ответа</b>: мастерская «{workshop}» не ответила за {minutes} мин "
        "рабочего времени.",
    },
    "answer_to_customer": {Lang.EN: "💬 {who}: {body}", Lang.RU: "💬 {who}: {body}"},
    "btn_reply": {Lang.EN: "↩️ Reply", Lang.RU: "↩️ Ответить"},
    "btn_hand_over": {Lang.EN: "🔧 To the workshop", Lang.RU: "🔧 Передать мастерской"},
    "btn_answer_n": {Lang.EN: "↩️ Answer {n}", Lang.RU: "↩️ Ответить на {n}"},
    "btn_hand_over_n": {Lang.EN: "🔧 {n} to the workshop", Lang.RU: "🔧 {n} — мастерской"},
    "handed_over": {
        Lang.EN: "Handed over to {workshop}; the time to answer starts again.",
        Lang.RU: "Передано мастерской «{workshop}»; срок ответа отсчитывается заново.",
    },
    "questions_title": {
        Lang.EN: "❓ <b>Open questions</b>, oldest first",
        Lang.RU: "❓ <b>Открытые вопросы</b>, сначала давние",
    },
    "questions_empty": {
        Lang.EN: "No question is waiting for an answer. 👍",
        Lang.RU: "Ни один вопрос не ждёт ответа. 👍",
    },
    "questions_line": {
        Lang.EN: "{number}. <b>{code}</b> · {workshop} · waiting {age}\n{name}: {body}",
        Lang.RU: "{number}. <b>{code}</b> · {workshop} · ждёт {age}\n{name}: {body}",
    },
    "questions_more": {
        Lang.EN: "…and {count} more; answer these first.",
        Lang.RU: "…и ещё {count}; сначала ответьте на эти.",
    },
    "age_minutes": {Lang.EN: "{minutes} min", Lang.RU: "{minutes} мин"},
    "age_hours": {Lang.EN: "{hours} h {minutes} min", Lang.RU: "{hours} ч {minutes} мин"},
    "age_days": {Lang.EN: "{days} d {hours} h", Lang.RU: "{days} дн. {hours} ч"},
    "thread_title": {
        Lang.EN: "💬 <b>Questions and answers</b>",
        Lang.RU: "💬 <b>Вопросы и ответы</b>",
    },
    "thread_line": {Lang.EN: "{when} {who}: {body}", Lang.RU: "{when} {who}: {body}"},
    "booking_not_found": {
        Lang.EN: "There is no such booking among yours.",
        Lang.RU: "Среди ваших записей такой нет.",
    },
    # Ticket statuses in plain words
    # Labels of a ticket ("заявка"), so Russian adjectives are feminine.
    "status_booked": {Lang.EN: "booked", Lang.RU: "ожидает приёма"},
    "status_received": {Lang.EN: "received by the workshop", Lang.RU: "принята мастерской"},
    "status_diagnosing": {Lang.EN: "being diagnosed", Lang.RU: "на диагностике"},
    "status_waiting_parts": {Lang.EN: "waiting for parts", Lang.RU: "ожидает запчасти"},
    "status_repairing": {Lang.EN: "being repaired", Lang.RU: "в ремонте"},
    "status_ready": {Lang.EN: "ready for pickup", Lang.RU: "готова к выдаче"},
    "status_picked_up": {Lang.EN: "picked up", Lang.RU: "завершена"},
    "status_cancelled": {Lang.EN: "cancelled", Lang.RU: "отменена"},
    "status_no_show": {Lang.EN: "missed drop-off", Lang.RU: "неявка"},
    # Head-office statistics: sections of "label: value (change)" lines
    "stats_title": {
        Lang.EN: "<b>Statistics for the last {days} days</b> ({since} – {until})",
        Lang.RU: "<b>Статистика за последние {days} дн.</b> ({since} – {until})",
    },
    "stats_compared": {
        Lang.EN: "In brackets: the change against the {days} days before.",
        Lang.RU: "В скобках — изменение к предыдущим {days} дн.",
    },
    "stats_demand": {Lang.EN: "<b>Demand</b>", Lang.RU: "<b>Обращения</b>"},
    "stats_reports": {Lang.EN: "Fault reports: {value}", Lang.RU: "Обращений: {value}"},
    "stats_self_resolved": {
        Lang.EN: "Of them self-resolved, visits avoided: {value}",
        Lang.RU: "Из них решено без визита: {value}",
    },
    "stats_self_resolved_rate": {
        Lang.EN: "Self-resolved rate: {value}",
        Lang.RU: "Доля решённых без визита: {value}",
    },
    "stats_visits": {
        Lang.EN: "<b>Bookings and walk-ins</b>",
        Lang.RU: "<b>Записи и клиенты без записи</b>",
    },
    "stats_bookings": {Lang.EN: "Bookings: {value}", Lang.RU: "Записей в мастерские: {value}"},
    "stats_walk_ins": {Lang.EN: "Walk-ins: {value}", Lang.RU: "Без записи: {value}"},
    "stats_arrivals": {
        Lang.EN: "<b>Drop-offs and no-shows</b>",
        Lang.RU: "<b>Сдача в ремонт и неявки</b>",
    },
    "stats_drop_offs": {
        Lang.EN: "Booked customers who came: {value}",
        Lang.RU: "Пришли по записи: {value}",
    },
    "stats_no_shows": {Lang.EN: "No-shows: {value}", Lang.RU: "Не пришли: {value}"},
    "stats_no_show_rate": {Lang.EN: "No-show rate: {value}", Lang.RU: "Доля неявок: {value}"},
    "stats_repairs": {Lang.EN: "<b>Repairs</b>", Lang.RU: "<b>Ремонт</b>"},
    "stats_finished": {
        Lang.EN: "Repairs finished: {value}",
        Lang.RU: "Ремонтов завершено: {value}",
    },
    "stats_median_ready": {
        Lang.EN: "Median time from received to ready: {value}",
        Lang.RU: "Медиана от приёма до готовности: {value}",
    },
    "stats_days": {Lang.EN: "{value} days", Lang.RU: "{value} дн."},
    "stats_approval_rate": {
        Lang.EN: "Estimates approved: {value}",
        Lang.RU: "Согласовано смет: {value}",
    },
    "stats_part_of_whole": {
        Lang.EN: "{percent} ({part} of {whole})",
        Lang.RU: "{percent} ({part} из {whole})",
    },
    "stats_satisfaction": {Lang.EN: "<b>Satisfaction</b>", Lang.RU: "<b>Удовлетворённость</b>"},
    "stats_rating": {Lang.EN: "Average rating: {value}", Lang.RU: "Средняя оценка: {value}"},
    "stats_of_five": {Lang.EN: "{value} of 5", Lang.RU: "{value} из 5"},
    "stats_ratings": {Lang.EN: "Ratings given: {value}", Lang.RU: "Получено оценок: {value}"},
    "stats_causes": {
        Lang.EN: "<b>Warranty and cause</b> (repairs finished)",
        Lang.RU: "<b>Гарантия и причины поломок</b> (завершённые ремонты)",
    },
    "stats_causes_by_category": {Lang.EN: "By category:", Lang.RU: "По категориям:"},
    "stats_causes_by_workshop": {Lang.EN: "By workshop:", Lang.RU: "По мастерским:"},
    "stats_cause_line": {
        Lang.EN: "{name}: finished {finished} · warranty {warranty} · misuse {misuse}",
        Lang.RU: "{name}: завершено {finished} · гарантия {warranty} · неправильная "
        "эксплуатация {misuse}",
    },
    "stats_causes_none": {
        Lang.EN: "No repair was finished in this period.",
        Lang.RU: "За этот период ни один ремонт не завершён.",
    },
    "stats_parts": {Lang.EN: "<b>Parts</b>", Lang.RU: "<b>Запчасти</b>"},
    "stats_parts_lead": {
        Lang.EN: "Median time from request to arrival: {value}",
        Lang.RU: "Медиана от заявки до получения: {value}",
    },
    "stats_parts_cost": {
        Lang.EN: "Parts used: {used}; under warranty: {warranty} ({share})",
        Lang.RU: "Установлено запчастей на {used}; по гарантии: {warranty} ({share})",
    },
    "stats_parts_requested": {
        Lang.EN: "Most requested: {value}",
        Lang.RU: "Чаще всего заказывали: {value}",
    },
    "stats_workshops": {Lang.EN: "<b>Workshops</b>", Lang.RU: "<b>Мастерские</b>"},
    "stats_workshop_line": {
        Lang.EN: (
            "{workshop}: tickets {tickets} · median to ready {median} · no-shows {no_shows}"
            " · estimates approved {approval} · rating {rating}"
        ),
        Lang.RU: (
            "{workshop}: заявок {tickets} · медиана до готовности {median} · неявки {no_shows}"
            " · смет согласовано {approval} · оценка {rating}"
        ),
    },
    "stats_workshop": {Lang.EN: "{workshop}: {value}", Lang.RU: "{workshop}: {value}"},
    "trend_up": {Lang.EN: "▲ {value}", Lang.RU: "▲ {value}"},
    "trend_down": {Lang.EN: "▼ {value}", Lang.RU: "▼ {value}"},
    "trend_same": {Lang.EN: "= 0%", Lang.RU: "= 0%"},
    "trend_from_zero": {Lang.EN: "▲ from 0", Lang.RU: "▲ с 0"},
    "trend_points": {Lang.EN: "{value} pp", Lang.RU: "{value} п. п."},
    "scorecard_title": {
        Lang.EN: "<b>{workshop}</b>, the last {days} days ({since} – {until})",
        Lang.RU: "<b>{workshop}</b>, последние {days} дн. ({since} – {until})",
    },
    "scorecard_tickets": {Lang.EN: "Tickets: {value}", Lang.RU: "Заявок: {value}"},
    "scorecard_overdue": {Lang.EN: "Overdue now: {value}", Lang.RU: "Просрочено сейчас: {value}"},
    "scorecard_questions": {
        Lang.EN: "Questions answered within {minutes} min: {value}",
        Lang.RU: "Вопросов с ответом в пределах {minutes} мин: {value}",
    },
    "scorecard_usage": {
        Lang.EN: "Usage: /scorecard WORKSHOP_CODE. Workshops: {codes}",
        Lang.RU: "Использование: /scorecard КОД_МАСТЕРСКОЙ. Мастерские: {codes}",
    },
    "treestats_title": {
        Lang.EN: "<b>Fixes of the tree</b>: how often each was shown and how often it helped",
        Lang.RU: "<b>Подсказки дерева</b>: сколько раз их показали и сколько раз они помогли",
    },
    "treestats_line": {
        Lang.EN: "{category} · {fix}: shown {shown}, helped {solved} ({share})",
        Lang.RU: "{category} · {fix}: показана {shown}, помогла {solved} ({share})",
    },
    "treestats_none": {
        Lang.EN: "No customer has been shown a fix yet.",
        Lang.RU: "Клиентам ещё не показывали подсказки.",
    },
    "treestats_unknown": {
        Lang.EN: "There is no category {category}. Categories: {categories}",
        Lang.RU: "Категории {category} нет. Категории: {categories}",
    },
    "chart_title": {
        Lang.EN: "Statistics for the last {days} days ({since} – {until})",
        Lang.RU: "Статистика за последние {days} дн. ({since} – {until})",
    },
    "chart_weekly": {
        Lang.EN: "Per week, the last {weeks} weeks",
        Lang.RU: "По неделям, последние {weeks} нед.",
    },
    "chart_reports": {Lang.EN: "fault reports", Lang.RU: "обращения"},
    "chart_self_resolved": {
        Lang.EN: "self-resolved (visits avoided)",
        Lang.RU: "решено без визита",
    },
    "chart_bookings": {Lang.EN: "bookings", Lang.RU: "записи"},
    "chart_week_axis": {Lang.EN: "week starting", Lang.RU: "неделя с"},
    "chart_count_axis": {Lang.EN: "count per week", Lang.RU: "штук за неделю"},
    "chart_by_workshop": {
        Lang.EN: "Tickets by workshop, the last {days} days",
        Lang.RU: "Заявки по мастерским за {days} дн.",
    },
    "chart_tickets_axis": {Lang.EN: "tickets", Lang.RU: "заявки"},
    "overdue_title": {
        Lang.EN: "Overdue tickets: {value}",
        Lang.RU: "Просроченные заявки: {value}",
    },
    "overdue_ticket": {
        Lang.EN: "{code}: {status}, {days} days over the limit",
        Lang.RU: "{code}: {status}, сверх нормы на {days} дн.",
    },
    # Dates
    "today": {Lang.EN: "Today", Lang.RU: "Сегодня"},
    "tomorrow": {Lang.EN: "Tomorrow", Lang.RU: "Завтра"},
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
