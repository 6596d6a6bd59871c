"""The infogan model family (ganzoo.family.Family hooks in family.py)."""
