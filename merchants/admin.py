"""Registers each feature's Django admin (autodiscover imports this module)."""

from merchants.accounts import admin as accounts
from merchants.members import admin as members
from merchants.onboarding import admin as onboarding
from merchants.reporting import admin as reporting
from merchants.risk.changes import admin as changes
from merchants.risk.inspections import admin as inspections
from merchants.risk.providers import admin as providers
from merchants.risk.rating import admin as risk_rating
from merchants.risk.risklist import admin as risk_list
from merchants.terminals import admin as terminals

__all__ = [
    "accounts",
    "changes",
    "inspections",
    "members",
    "onboarding",
    "providers",
    "reporting",
    "risk_list",
    "risk_rating",
    "terminals",
]
