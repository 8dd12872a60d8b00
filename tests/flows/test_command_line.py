"""`python -m bot` as a newcomer first types it: usage, and a plain word on a missing token."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]


async def run_bot(tmp_path: Path, *args: str, **env: str) -> tuple[int, str, str]:
    """Run `python -m bot` in an empty folder (no .env) and return its code and output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(CHECKOUT), **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_an_empty_bot_token_as_copied_from_env_example_is_reported_as_not_set(
    tmp_path: Path,
) -> None:
    (tmp_path / ".env").write_text("BOT_TOKEN=\nLOG_LEVEL=INFO\n", encoding="utf-8")
    code, _, stderr = await run_bot(tmp_path)
    assert code == 2
    assert "error: BOT_TOKEN is not set" in stderr
    assert "see .env.example" in stderr
    assert "validation" not in stderr.lower()

    code, _, stderr = await run_bot(tmp_path, BOT_TOKEN="   ")
    assert code == 2 and "error: BOT_TOKEN is not set" in stderr


async def test_help_prints_usage_and_exits_zero_without_a_token(tmp_path: Path) -> None:
    for flag in ("--help", "-h"):
        code, stdout, stderr = await run_bot(tmp_path, flag)
        assert code == 0, stderr
        assert "BOT_TOKEN is not set" not in stdout + stderr
        assert "python -m bot emulator [--demo-data] [--port N] [--db PATH]" in stdout
        assert ".env.example" in stdout


async def test_an_unknown_argument_is_refused_with_the_usage(tmp_path: Path) -> None:
    code, _, stderr = await run_bot(tmp_path, "--verbose", BOT_TOKEN="1:x")
    assert code == 2
    assert "unrecognized arguments: --verbose" in stderr
    assert "python -m bot emulator" in stderr
