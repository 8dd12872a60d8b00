"""Settings from the environment, and what `python -m bot` says when they are missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
VARIABLES = (
    "BOT_TOKEN",
    "TELEGRAM_API_URL",
    "DATABASE_PATH",
    "WORKSHOPS_FILE",
    "TROUBLESHOOTING_FILE",
    "HEAD_OFFICE_IDS",
    "TIMEZONE",
    "LOG_LEVEL",
    "DEFAULT_REGION",
    "MAX_DISTANCE_KM",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_MAX_CONNECTIONS",
    "WEBHOOK_LISTEN",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_head_office_ids_are_read_from_a_comma_separated_environment_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    monkeypatch.setenv("HEAD_OFFICE_IDS", "1, 2,3")

    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    assert settings.head_office_ids == frozenset({1, 2, 3})


def test_head_office_ids_are_accepted_as_a_keyword_string() -> None:
    settings = Settings(_env_file=None, bot_token="123:abc", head_office_ids="7,, 8 ")  # type: ignore[call-arg,arg-type]

    assert settings.head_office_ids == frozenset({7, 8})


def test_head_office_ids_default_to_nobody() -> None:
    settings = Settings(_env_file=None, bot_token="123:abc")  # type: ignore[call-arg]

    assert settings.head_office_ids == frozenset()


def test_an_unknown_timezone_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    monkeypatch.setenv("TIMEZONE", "Europe/Atlantis")

    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)  # type: ignore[call-arg]

    assert "Europe/Atlantis" in str(caught.value)
    assert caught.value.errors()[0]["loc"] == ("timezone",)


def test_defaults_point_at_telegram_and_moscow_time() -> None:
    settings = Settings(_env_file=None, bot_token="123:abc")  # type: ignore[call-arg]

    assert settings.telegram_api_url == "https://api.telegram.org/bot"
    assert settings.timezone == "Europe/Moscow"
    assert str(settings.zone) == "Europe/Moscow"


def test_the_token_is_kept_out_of_the_settings_repr() -> None:
    settings = Settings(_env_file=None, bot_token="123:very-secret")  # type: ignore[call-arg]

    assert settings.bot_token.get_secret_value() == "123:very-secret"
    assert "very-secret" not in repr(settings)


def test_without_a_webhook_address_the_bot_polls_and_the_webhook_defaults_are_telegrams(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    monkeypatch.setenv("WEBHOOK_URL", "")
    monkeypatch.setenv("WEBHOOK_SECRET", "")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    assert settings.webhook_url == ""
    assert settings.webhook_secret is None
    assert settings.webhook_max_connections == 40
    assert str(settings.webhook_listen) == "0.0.0.0:8080"


def test_the_webhook_is_served_at_its_address_path_and_its_secret_kept_out_of_repr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.com/telegram")
    monkeypatch.setenv("WEBHOOK_SECRET", "s" * 40)
    monkeypatch.setenv("WEBHOOK_LISTEN", "127.0.0.1:9090")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    assert settings.webhook_path == "/telegram"
    assert settings.webhook_listen.port == 9090
    assert "s" * 40 not in repr(settings)


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("webhook_url", "bot.example.com/telegram"),
        ("webhook_url", "https://bot.example.com/healthz"),
        ("webhook_max_connections", 0),
        ("webhook_max_connections", 101),
    ],
)
def test_a_webhook_setting_telegram_could_not_use_is_refused(setting: str, value: object) -> None:
    given = {"webhook_url": "https://bot.example.com/telegram", "webhook_secret": "s" * 40}
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, bot_token="1:a", **{**given, setting: value})  # type: ignore[call-arg]

    assert caught.value.errors()[0]["loc"] == (setting,)


def test_a_missing_token_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)  # type: ignore[call-arg]

    assert caught.value.errors()[0]["loc"] == ("bot_token",)


def test_the_log_level_is_upper_cased(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    monkeypatch.setenv("LOG_LEVEL", "debug")

    assert Settings(_env_file=None).log_level == "DEBUG"  # type: ignore[call-arg]


def test_running_the_bot_without_a_token_says_so_in_one_line_and_fails(tmp_path: Path) -> None:
    # Only PATH, plus PYTHONPATH because the project is run from its checkout, not installed.
    environment = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO_ROOT)}

    finished = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    lines = finished.stderr.strip().splitlines()
    assert finished.returncode != 0
    assert len(lines) == 1, finished.stderr
    assert "BOT_TOKEN" in lines[0]


def test_the_default_region_is_read_as_an_upper_case_country_code() -> None:
    settings = Settings(_env_file=None, bot_token="1:a", default_region="de")  # type: ignore[call-arg]

    assert settings.default_region == "DE"


def test_an_unknown_default_region_is_refused_at_start_up() -> None:
    with pytest.raises(ValidationError, match="country code"):
        Settings(_env_file=None, bot_token="1:a", default_region="XX")  # type: ignore[call-arg]
