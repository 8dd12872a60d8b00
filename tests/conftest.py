import os

# python-telegram-bot's RetryAfter warns about its own deprecated int `retry_after` unless
# this opts in to timedeltas; with warnings as errors that warning would hide every 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")
