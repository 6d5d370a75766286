"""What an audit rule or a reconciliation run found: the input the alerts are made from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass
class Finding:
    """One thing worth a reviewer's look: ``key`` makes its alert unique within the rule.

    A rule says what it found as ``message``, an English msgid marked with ``gettext_noop`` and
    holding ``%(name)s`` placeholders, and ``params``, the values already written out as text
    (money as ``¥1,234.50``, days in ISO): kept apart, the alert can be read in each reader's
    language. ``explanation`` is the English reading, stored for search and e-mails; it is
    worked out from the two when not given (findings made without a message keep theirs).
    """

    key: str
    merchant_id: int
    explanation: str = ""
    report_ids: list[int] = field(default_factory=list)
    terminal_id: int | None = None
    message: str = ""
    params: Mapping[str, object] = field(default_factory=dict)
    # A rule written as data says why it fired: each condition's value, the aggregate figures.
    explain: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Stored as JSON and shown as is: text only (a UUID or a Decimal would not serialise).
        self.params = {name: str(value) for name, value in self.params.items()}
        if self.message and not self.explanation:
            self.explanation = self.message % self.params
