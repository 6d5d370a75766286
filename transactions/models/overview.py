"""The staff compliance overview's place in admin.

A proxy of :class:`Alert` with no table of its own: registering it puts "Compliance overview"
on the admin index, among the transactions models, where staff look for it.
"""

from django.utils.translation import gettext_lazy as _

from transactions.models.alert import Alert


class ComplianceOverview(Alert):
    class Meta:
        proxy = True
        verbose_name = _("compliance overview")
        verbose_name_plural = _("compliance overview")
