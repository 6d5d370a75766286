"""Merchant risk: the rating (``rating/``); inspections, change requests and providers to come."""
