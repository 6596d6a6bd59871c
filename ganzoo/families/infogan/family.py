"""InfoGAN: categorical and continuous codes learnt unsupervised (mutual-information loss)."""

from __future__ import annotations

from ganzoo.families.image.family import ImageFamily
from ganzoo.family import LoadedRun, register_family


@register_family
class InfoGANFamily(ImageFamily):
    name = "infogan"

    def claims(self, config) -> str:
        m = config.model
        if not str(m.info_categorical).strip() and not m.info_continuous:
            return ""
        return f"model.info_categorical={m.info_categorical!r}, info_continuous={m.info_continuous}"

    def check_config(self, config) -> None:
        from ganzoo.families.infogan import models

        super().check_config(config)
        models.check_config(config)

    def build_gan(self, config, common: dict):
        from ganzoo.families.infogan import gan as infogan_lib
        from ganzoo.families.infogan import models as models_infogan

        model = config.model
        g, d = models_infogan.build_infogan_models(model, self.example_shape(config))
        return infogan_lib.InfoGAN(
            g,
            d,
            noise_dim=model.latent_dim,
            categorical=models_infogan.parse_categorical(model.info_categorical),
            continuous=model.info_continuous,
            info_weight=model.info_weight,
            **common,
        )

    def sample_pictures(self, run: LoadedRun, stem: str, samples, seed: int) -> dict:
        """The sample grid, and a latent-traversal grid per code."""
        from ganzoo.families.infogan import gan as infogan_lib
        from ganzoo.training.callbacks import reference_points

        traversals = infogan_lib.write_traversals(
            run.gan, stem, run.config.sample.cols, seed, reference_points(run.config)
        )
        return {"traversals": traversals, **super().sample_pictures(run, stem, samples, seed)}
