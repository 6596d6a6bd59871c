"""BigGAN (ImageNet scale): shared class embedding, hierarchical z, truncation, orthogonal reg."""

from __future__ import annotations

from ganzoo.families.conditional.family import ConditionalFamily
from ganzoo.family import register_family


@register_family
class BigGANFamily(ConditionalFamily):
    """A conditional family: BigGAN's config also sets model.conditioning, which it supersedes."""

    name = "biggan"
    supersedes = ("conditional",)

    def claims(self, config) -> str:
        return "model.arch='biggan'" if config.model.arch == "biggan" else ""

    def num_classes(self, config) -> int:
        return config.model.num_classes

    def build_gan(self, config, common: dict):
        from ganzoo import biggan as biggan_lib

        return biggan_lib.build_biggan(config, **common)
