"""Class-conditional GANs: G(z, label), D(x, label) (concat, acgan, projection)."""

from __future__ import annotations

from ganzoo.families.image.family import ImageFamily, check_no_truncation
from ganzoo.family import LoadedRun, WatchedMetric, register_family


@register_family
class ConditionalFamily(ImageFamily):
    name = "conditional"

    def claims(self, config) -> str:
        conditioning = config.model.conditioning
        return f"model.conditioning={conditioning!r}" if conditioning != "none" else ""

    def check_config(self, config) -> None:
        from ganzoo.families.conditional import models

        super().check_config(config)
        models.check_config(config)

    def check_sampling(self, config) -> None:
        """Class labels to sample are allowed (checked with the classes); truncation is not."""
        check_no_truncation(config)

    def num_classes(self, config) -> int:
        return config.model.num_classes

    def watched_metrics(self, config) -> tuple[WatchedMetric, ...]:
        """Also, under the domain classifier, how often samples are of the class asked for."""
        watched = super().watched_metrics(config)
        if self.extractor_kind(config) == "classifier":
            watched += (WatchedMetric("class_accuracy", "max"),)
        return watched

    def training_dataset(self, config):
        from ganzoo.families.conditional import gan as conditional_lib

        dataset = self.dataset(config, with_labels=True)
        return conditional_lib.check_dataset_labels(dataset, config.model.num_classes)

    def build_gan(self, config, common: dict):
        from ganzoo.families.conditional import gan as conditional_lib
        from ganzoo.families.conditional import models as models_conditional

        model = config.model
        g, d = models_conditional.build_conditional_models(model, self.example_shape(config))
        return conditional_lib.ConditionalGAN(
            g,
            d,
            latent_dim=model.latent_dim,
            num_classes=model.num_classes,
            conditioning=model.conditioning,
            acgan_weight=model.acgan_weight,
            **common,
        )

    def sample(self, run: LoadedRun, num: int, seed: int) -> dict:
        """One grid row per class of sample.labels; their labels in *_labels.npy."""
        import numpy as np

        from ganzoo.families.conditional import gan as conditional_lib

        samples, labels = conditional_lib.conditional_samples(run.gan, run.config, num, seed)
        num = len(samples)
        stem = self.sample_stem(run, num, seed)
        np.save(stem + "_labels.npy", labels)
        out = {"labels": stem + "_labels.npy", **self.save_samples(stem, samples)}
        out.update(self.sample_pictures(run, stem, samples, seed))
        return {**out, "step": run.step, "num": num, "seed": seed}
