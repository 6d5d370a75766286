from typing import Any

from django.http import HttpRequest


def membership(request: HttpRequest) -> dict[str, Any]:
    """The user's membership for templates (``None`` for staff and anonymous users)."""
    m = getattr(request, "membership", None)
    return {"membership": m if m else None}
