"""Regulator and scheme reports: the annual acquiring report and the risk-merchant list
(docs/regulator-reports.md)."""
