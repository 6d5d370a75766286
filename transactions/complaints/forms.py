"""The merchant's answer to a complaint. The file is checked by content in the service."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from transactions.alerts.forms import AlertAnswerForm


class ComplaintAnswerForm(AlertAnswerForm):
    """The same answer as to an alert (text and an optional document), worded for one report."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = _(
            "Explain the transaction; compliance reads this with the report."
        )
        self.fields["attachment"].label = _("Evidence")
        self.fields["attachment"].help_text = _(
            "Optional: a PDF, JPEG or PNG, such as the signed slip or the receipt."
        )
