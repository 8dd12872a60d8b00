"""Reading a process's peak memory, in a module light enough for a child that measures
its own (importing the benchmark driver would add the fake Bot API to the figure)."""

from __future__ import annotations

import resource
import sys


def peak_rss_mb(pid: int | str = "self") -> float:
    """A process's peak RSS: this one's, or a child's by its ``pid``.

    Linux's ``ru_maxrss`` survives fork and exec, so a child process would report its
    parent's peak if that was higher; the kernel's per-program high-water mark (VmHWM)
    starts afresh at exec. Elsewhere, this process's ``ru_maxrss`` (KiB on Linux, bytes on
    macOS); a child's is not known there.
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    if pid != "self":
        return float("nan")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)
