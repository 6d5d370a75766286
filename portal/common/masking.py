"""How sensitive identifiers are shown: enough to recognise, never enough to use."""


def mask_middle(value: str, *, head: int, tail: int, mask: str = "*") -> str:
    """Keep ``head`` leading and ``tail`` trailing characters, mask the rest."""
    if len(value) <= head + tail:
        return mask * len(value)
    return value[:head] + mask * (len(value) - head - tail) + value[len(value) - tail :]


def mask_id_number(id_number: str) -> str:
    """A resident ID number as stored: region code (6) and the last 4, e.g. ``110105********002X``."""
    return mask_middle(id_number.upper(), head=6, tail=4)


def mask_account_number(last4: str) -> str:
    """A bank account as shown everywhere: only its last four digits."""
    return f"**** **** **** {last4}" if last4 else ""
