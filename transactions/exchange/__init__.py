"""Sharing the portal's data with the parties around a merchant: webhooks, regulator reports."""
