"""Unconditional image GANs (and the 2-D point benchmarks): the base Family's behaviour."""

from ganzoo.family import Family, register_family


@register_family
class ImageFamily(Family):
    """z -> image (or 2-D point); claims every config no other family claims."""

    name = "image"
