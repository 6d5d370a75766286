"""Putting a service's refusal on the form that asked for it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def form_add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Each field's errors of ``exc`` on that field of ``form``; the rest above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
