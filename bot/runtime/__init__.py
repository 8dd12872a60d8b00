"""The bot's runtime: receiving updates (polling or a webhook, the inbox), handling them in
per-chat order (across instances too, under a lease in the database), the HTTP backend and
rate limiting of Bot API calls, and conversation persistence.

Handlers (`bot.handlers`) answer updates; this package is what delivers updates to them and
carries their calls to Telegram.
"""
