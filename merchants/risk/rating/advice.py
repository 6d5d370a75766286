"""What a merchant is told about its level, in plain words, and what it can do about each factor."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from merchants.models import RiskLevel

MEANING = {
    RiskLevel.LOW: _(
        "Your business is at low risk. Your sales are screened in the usual way, with no extra "
        "limits."
    ),
    RiskLevel.MEDIUM: _(
        "Your business is at medium risk. Some of your sales are watched more closely and "
        "limits per sale and per day may apply."
    ),
    RiskLevel.HIGH: _(
        "Your business is at high risk. Your sales are watched closely, lower limits per sale "
        "and per day apply, and new terminals must be approved by compliance before use."
    ),
    RiskLevel.PROHIBITED: _(
        "Your business may not take card or QR payments for now: sales are held. Contact "
        "compliance to find out what is needed to lift this."
    ),
}

# What lowers a factor's points, by factor code.
TIPS = {
    "mcc": _(
        "Your business category is one that is often misused for cash-out. You cannot change "
        "it, but a clean record on everything else keeps your level down."
    ),
    "region": _(
        "Your business is in a region with more card fraud. You cannot change it, but a clean "
        "record on everything else keeps your level down."
    ),
    "age": _("New businesses start higher; this goes down by itself as your record grows."),
    "volume": _(
        "Your sales are well above what you declared. If your business has grown, tell "
        "compliance so your declared scale can be updated."
    ),
    "alerts": _(
        "Answer alerts quickly and with evidence (slips, invoices), and make sure staff follow "
        "the rules on splitting sales and on using only your own terminals."
    ),
    "complaints": _(
        "Cardholders' complaints were upheld. Give clear receipts, take a PIN or signature, and "
        "answer complaints with the signed slip."
    ),
    "risk_list": _(
        "Your business, its legal representative or its merchant ID is listed in the "
        "industry's risk information system. Contact compliance: they will tell you what the "
        "listing needs before card payments can resume."
    ),
    "provider": _(
        "The service provider that signed you up is under review or no longer allowed to work "
        "with us. Nothing you do changes this; compliance will contact you if it affects you."
    ),
    "inspection": _(
        "Fix what the last inspection found before the date it gave, keep your premises and "
        "terminals as registered, and hand in the photos or welcome the inspector on time."
    ),
    "reporting": _(
        "Report every sale within your deadline and keep every terminal reporting; see "
        "Reporting health on your dashboard."
    ),
}
