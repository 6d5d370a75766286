"""django-simple-history helpers."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from simple_history.models import HistoricalRecords


@contextlib.contextmanager
def written_by_the_system() -> Iterator[None]:
    """History records written inside name no user.

    simple-history takes the user from the current request; in the terminal API that "user" is
    the signed-in terminal (DRF sets it on the request), which no history row can point to.
    What screening writes at report time (alerts, holds, the checks' rows) is the system's doing.
    """
    context = HistoricalRecords.context
    request = getattr(context, "request", None)
    if request is not None:
        del context.request
    try:
        yield
    finally:
        if request is not None:
            context.request = request
