"""The merchant risk rating: factors, score, level, overrides and what the level drives."""
