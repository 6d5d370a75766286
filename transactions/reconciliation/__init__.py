"""Reconciliation against the acquirer's settlement file: mapping, import, matching, results."""
