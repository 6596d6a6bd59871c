"""BigGAN (ImageNet scale): shared class embedding, hierarchical z, truncation, orthogonal reg."""

from __future__ import annotations

from ganzoo.families.biggan import models as _models  # noqa: F401  (registers biggan)
from ganzoo.families.conditional.family import ConditionalFamily
from ganzoo.family import register_family


@register_family
class BigGANFamily(ConditionalFamily):
    """A conditional family: BigGAN's config also sets model.conditioning, which it supersedes."""

    name = "biggan"
    supersedes = ("conditional",)

    def claims(self, config) -> str:
        return "model.arch='biggan'" if config.model.arch == "biggan" else ""

    def check_config(self, config) -> None:
        from ganzoo.families.biggan import gan

        super().check_config(config)
        gan.check_config(config)

    def check_sampling(self, config) -> None:
        """BigGAN samples by class and with the truncation trick (gan.check_config)."""

    def build_gan(self, config, common: dict):
        from ganzoo.families.biggan import gan as biggan_lib

        return biggan_lib.build_biggan(config, **common)
