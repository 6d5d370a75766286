"""The garbage collector of a serving process: what the app loaded is frozen, young collections rarer.

A batch of 5,000 reports makes a few hundred thousand short-lived objects (validated values,
screening inputs, decisions). With CPython's defaults a collection runs every 700 allocations
and a full one now and then walks the whole heap, Django's models, URL patterns and
translations included: a fifth of a batch request's time (bench/README.md, Real-time
decisions). Most of that garbage is freed by reference counting anyway; the collector is only
needed for cycles, which a request makes few of.

- ``gc.freeze()`` moves every object alive once the app is loaded to a permanent generation that
  collections skip (and, in a process forked after it, keeps them from being written to);
- the first generation is collected every ``YOUNG_THRESHOLD`` allocations instead of 700.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000


def gc_tune_for_serving() -> None:
    """Call once the app is loaded, in each process that serves requests or runs tasks."""
    gc.collect()
    gc.freeze()
    _young, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
