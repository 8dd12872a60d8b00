#!/usr/bin/env python3
"""Set up a virtual environment in .venv and run the bot or its tests.

    python3 dev.py run      install what the bot needs, then run it (long polling)
    python3 dev.py test     install the test tools too, then run pytest (two workers) and ruff
    python3 dev.py bench    the performance benchmark (not part of the tests); `bench broadcast`
                            for the broadcast benchmark

Needs only Python 3.11+. Extra arguments are passed on (e.g. `python3 dev.py test -k booking`).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_installed(extra: str) -> None:
    """Create .venv and install the project, again only when pyproject.toml changed."""
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        print("Creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".installed-{extra or 'run'}-{digest}"
    if stamp.exists():
        return
    target = f".[{extra}]" if extra else "."
    print(f"Installing {target} into .venv ...", flush=True)
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-e", target],
        cwd=ROOT,
        check=True,
    )
    stamp.touch()


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    if command == "run":
        ensure_installed("")
        return subprocess.call([str(PYTHON), "-m", "bot", *rest], cwd=ROOT)
    if command == "test":
        ensure_installed("test")
        # Two workers (pytest-xdist; `-n 0` runs one): a flow test spends most of its time
        # waiting (paced sends, the database server), so two side by side take half as long.
        status = subprocess.call([str(PYTHON), "-m", "pytest", "-n", "2", *rest], cwd=ROOT)
        if status == 0 and not rest:
            status = subprocess.call([str(PYTHON), "-m", "ruff", "check", "bot", "tests"], cwd=ROOT)
        return status
    if command == "bench":
        ensure_installed("test")
        if rest[:1] == ["broadcast"]:
            module, rest = "bench.broadcast", rest[1:]
        else:
            module = "bench.run"
        return subprocess.call([str(PYTHON), "-m", module, *rest], cwd=ROOT)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
