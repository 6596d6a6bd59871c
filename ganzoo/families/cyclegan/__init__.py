"""The cyclegan model family (ganzoo.family.Family hooks in family.py)."""
