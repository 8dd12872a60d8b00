"""A local emulator of Telegram for trying the bot: `python -m bot emulator [--demo-data]`.

The real bot runs against the fake Bot API (`bot.fake_telegram`) in one process, and a web
page on 127.0.0.1 plays Telegram for several people at once: customers, workshop staff and
head office. See `bot.emulator.app` for the JSON API behind the page. Development only:
nothing of it runs unless the `emulator` argument is given.
"""
