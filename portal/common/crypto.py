"""Symmetric encryption for data at rest (bank accounts, terminal secrets), and keyed hashes.

MultiFernet over ``settings.FIELD_ENCRYPTION_KEYS``: the first key encrypts, every key decrypts, so a
new key can be put in front and old rows re-encrypted at leisure with :func:`rotate`.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypt ``token`` under the newest key."""
    return fernet().rotate(token.encode()).decode()


def blind_index(value: str, *, purpose: str) -> str:
    """A keyed hash (HMAC-SHA256 under ``settings.BLIND_INDEX_KEY``) to find a value by equality
    without storing it: the same value gives the same digest, and without the key no digest can
    be worked back to its value by trying every ID number. ``purpose`` keeps the digests of one
    kind of value apart from another's. Changing the key breaks every stored digest.
    """
    key = settings.BLIND_INDEX_KEY.encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def id_number_digest(id_number: str) -> str:
    """The blind index of a resident ID number, as merchants and risk-list entries store it."""
    return blind_index(id_number.strip().upper(), purpose="resident-id")
