"""A held or suspended terminal: what it reports must not go through until staff release it."""

from django.utils.translation import gettext_noop

from merchants.models import TerminalStatus
from transactions.decisions.base import CheckSpec, Context, Hit, Screened
from transactions.models import CheckAction


def run(report: Screened, ctx: Context) -> Hit | None:
    if ctx.facts.held:
        return Hit(gettext_noop("The terminal is on hold."), {})
    if ctx.facts.status != TerminalStatus.ACTIVE:
        return Hit(gettext_noop("The terminal is %(status)s."), {"status": ctx.facts.status})
    return None


CHECK = CheckSpec(
    code="terminal_held",
    name=gettext_noop("Held or suspended terminal"),
    description="The terminal has an active hold, or is not active.",
    action=CheckAction.HOLD,
    defaults={},
    run=run,
)
