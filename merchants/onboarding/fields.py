"""The application's fields: one list for the form, the service, the checks and the admin.

The two sensitive numbers are typed into write-only form fields and stored in another form (the
ID number masked, the account encrypted with its last four digits kept), so each reader names the
stored form it wants in their places.
"""

from __future__ import annotations

# The fields a merchant fills in as they are stored, in the order of the form.
APPLICATION_FIELDS = (
    "legal_name",
    "short_name",
    "uscc",
    "mcc",
    "legal_rep_name",
    "registered_province",
    "registered_city",
    "registered_district",
    "registered_address",
    "business_province",
    "business_city",
    "business_district",
    "business_address",
    "contact_name",
    "contact_phone",
    "contact_email",
    "bank_name",
    "bank_account_holder",
)


def application_fields(*, id_number: str, bank_account: str) -> tuple[str, ...]:
    """All of the application: ``APPLICATION_FIELDS`` with the ID number's stored form after the
    legal representative's name and the account's at the end."""
    after_rep = APPLICATION_FIELDS.index("legal_rep_name") + 1
    return (
        *APPLICATION_FIELDS[:after_rep],
        id_number,
        *APPLICATION_FIELDS[after_rep:],
        bank_account,
    )
