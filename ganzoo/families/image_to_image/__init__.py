"""The image_to_image model family (ganzoo.family.Family hooks in family.py)."""
