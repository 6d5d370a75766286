"""Model fields for sensitive values."""

from typing import Any

from django.db import models

from portal.common import crypto


class EncryptedTextField(models.TextField):
    """Stores a string Fernet-encrypted; Python code only ever sees the plaintext.

    The column holds ciphertext, so it cannot be searched or ordered: keep a masked or hashed
    companion column where lookup is needed.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)
