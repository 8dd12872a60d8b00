"""Which running bot this is, among several on one database."""

from __future__ import annotations

import os
import secrets
import socket


def instance_id() -> str:
    """A name for this run: its host and process, and a random part, since a process id is
    reused after a restart or in another container, and a new run must not be taken for the
    old one (whose claims on outbox messages it would then inherit unchecked)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
