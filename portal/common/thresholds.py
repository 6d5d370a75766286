"""Thresholds edited as JSON in admin, checked against a spec's defaults.

Shared by the audit rules' forms and the screening checks' forms (their own and each risk level's):
all keep their thresholds as a JSON object whose keys and kinds of value are those of the spec's
defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _number(value: Any, *, like: Any, key: str) -> Any:
    """``value`` as a threshold of the same kind as the spec's default ``like``, or a form error.

    A default given as a string is money, read with ``Decimal(str())``: it stays a string so no
    float rounding creeps into amounts. A default given as a number stays a JSON number (an int
    when whole): some of those are fractions by nature (a 1.5 % margin, 2.5 km), and the rules read
    day and second counts with ``int()``, which cannot crash on a number.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValidationError(_("“%(key)s” must be a number."), params={"key": key})
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(_("“%(key)s” must be a number."), params={"key": key}) from None
    if not number.is_finite() or number < 0:
        raise ValidationError(_("“%(key)s” must be zero or more."), params={"key": key})
    if isinstance(like, str):
        return str(number)
    return int(number) if number == number.to_integral_value() else float(number)


def clean_thresholds(value: Any, *, defaults: dict[str, Any]) -> dict[str, Any]:
    """The thresholds with exactly the spec's keys and numeric values of the default's kind."""
    if not isinstance(value, dict):
        raise ValidationError(_("Thresholds must be an object of named values."))
    missing, unknown = defaults.keys() - value.keys(), value.keys() - defaults.keys()
    errors = []
    if missing:
        errors.append(_("Missing: %(keys)s.") % {"keys": ", ".join(sorted(missing))})
    if unknown:
        errors.append(
            _("Not a threshold of this rule: %(keys)s.") % {"keys": ", ".join(sorted(unknown))}
        )
    if errors:
        raise ValidationError(errors)
    cleaned: dict[str, Any] = {}
    for key, default in defaults.items():
        if isinstance(default, list):
            if not isinstance(value[key], list) or not value[key]:
                raise ValidationError(
                    _("“%(key)s” must be a list of numbers."), params={"key": key}
                )
            like = default[0] if default else 0.0
            cleaned[key] = [_number(item, like=like, key=key) for item in value[key]]
        else:
            cleaned[key] = _number(value[key], like=default, key=key)
    return cleaned


class LevelThresholdsForm(forms.ModelForm):
    """A risk level's own thresholds for a rule or check: the same keys and kinds as its defaults.

    A subclass names the field holding the rule or check (``row_field``), the registry of specs
    by code, and what to say when the row's code has no spec (no module: no thresholds).
    """

    row_field: ClassVar[str]
    registry: ClassVar[Mapping[str, Any]]
    no_module: ClassVar[Any]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        row = cleaned.get(self.row_field)
        if row is None or "parameters" not in cleaned:
            return cleaned
        spec = self.registry.get(row.code)
        if spec is None:
            self.add_error(self.row_field, str(self.no_module))
            return cleaned
        try:
            cleaned["parameters"] = clean_thresholds(cleaned["parameters"], defaults=spec.defaults)
        except ValidationError as exc:
            self.add_error("parameters", exc)
        return cleaned
