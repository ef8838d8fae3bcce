"""Pausing Python's cycle collector around bulk work."""

import gc
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused():
    """Pause Python's cycle collector for a bulk job (an export, a distribution), then restore it.

    Such jobs allocate millions of short-lived tuples, dicts and strings that form no reference
    cycles; the collector would still walk them over and over, a large share of an export's or a
    distribution planner's CPU (bench/README.md). Reference counting frees them as usual, so memory stays flat;
    the few cycles made meanwhile are collected once the collector is back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
