"""What `python -m bot` does once started: the objects loaded so far leave the collector's sight."""

from __future__ import annotations

import gc

from bot.app import freeze_startup_objects


def test_everything_loaded_so_far_is_frozen_and_later_objects_are_not() -> None:
    loaded = object()
    try:
        freeze_startup_objects()
        frozen = gc.get_freeze_count()
        assert frozen > 0
        later = [object() for _ in range(1000)]
        assert gc.get_freeze_count() == frozen, "only what existed at the call is frozen"
        assert later and loaded
    finally:
        gc.unfreeze()
