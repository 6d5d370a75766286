"""The cardholder's own channel: check a charge, complain about it, follow the complaint.

Public pages under ``/cardholder/`` with no account. ``lookup`` finds exactly one report from what
is on the slip (or answers neutrally), ``tokens`` carries the matched charge between pages and
holds the tracking codes, ``proof`` sends and checks the 6-digit code, ``throttle`` counts
attempts, ``services`` hands the complaint to the staff workflow (``complaint_create``).
See docs/cardholder.md.
"""
