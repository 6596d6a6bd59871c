"""`BigGAN`: the class-conditional GAN of Brock et al. (2019) on ConditionalGAN's projection
step, with orthogonal regularisation of G and the truncation trick at sampling time; its build
from a config and the validation of the config's `biggan` section."""

from __future__ import annotations

import keras
import numpy as np

from ganzoo.errors import ConfigError
from ganzoo.families.biggan.orthogonal import orthogonal_penalty, regularized_kernels
from ganzoo.families.conditional.gan import ConditionalGAN


def truncated_normal(rng: np.random.Generator, shape, threshold: float) -> np.ndarray:
    """float32 N(0, 1) draws with every entry |z| > threshold resampled until none is (BigGAN's
    truncation trick); threshold <= 0 means no truncation (the same draws as
    rng.standard_normal(shape))."""
    z = rng.standard_normal(shape)
    if threshold > 0:
        outside = np.abs(z) > threshold
        while outside.any():
            z[outside] = rng.standard_normal(int(outside.sum()))
            outside = np.abs(z) > threshold
    return z.astype("float32")


# The most memory the attention weights of one sampling chunk may take (float32).
ATTENTION_SAMPLE_BYTES = 256 * 2**20


@keras.saving.register_keras_serializable(package="ganzoo")
class BigGAN(ConditionalGAN):
    """A projection-conditioned GAN whose G loss adds the orthogonal regulariser
    R = orthogonal_weight * sum_W ||W^T W * (1 - I)||_F^2 over G's kernels (shared embedding
    excluded; metric `g_ortho`), and whose fixed-seed samples (`generate`, `class_grid`, the
    training grids, --mode=sample) draw z truncated at `truncation` (0 = off). Training always
    samples the full N(0, I)."""

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        latent_dim: int,
        num_classes: int,
        orthogonal_weight: float = 1e-4,
        truncation: float = 0.0,
        **kwargs,
    ):
        kwargs["conditioning"] = "projection"
        super().__init__(generator, discriminator, latent_dim, num_classes, **kwargs)
        if float(orthogonal_weight) < 0 or float(truncation) < 0:
            raise ConfigError(
                f"Received: orthogonal_weight={orthogonal_weight}, truncation={truncation}. "
                "Expected both >= 0 (0 = off)."
            )
        self.orthogonal_weight = float(orthogonal_weight)
        self.truncation = float(truncation)
        self._init_aux_trackers(("g_ortho",))

    def generator_aux_loss(self, fake_heads, labels, g_inputs):
        # The kernels are looked up at trace time, not kept as an attribute: a list of
        # variables on a Keras model would be tracked as the GAN's own weights.
        penalty = orthogonal_penalty(regularized_kernels(self.generator), self.orthogonal_weight)
        return penalty, {"g_ortho": penalty}

    def truncated_latent(self, num: int, seed: int = 0) -> np.ndarray:
        """A fixed z batch [num, latent_dim], truncated at `self.truncation`."""
        return truncated_normal(
            np.random.default_rng(seed), (num, self.latent_dim), self.truncation
        )

    def latent_for_seed(self, num: int, seed: int = 0, labels=None) -> list:
        labels = np.arange(num) % self.num_classes if labels is None else labels
        return [self.truncated_latent(num, seed), self.check_labels(labels, num)]

    def class_grid(self, labels, cols: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        labels = self.check_labels(labels)
        z = np.tile(self.truncated_latent(cols, seed), (len(labels), 1))
        labels = np.repeat(labels, cols).astype(np.int32)
        return self._generate(z, labels, 256), labels

    def _generate(self, z, labels, batch_size):
        # Self-attention over N = side^2 positions holds a [chunk, N, N] matrix: at 64x64
        # that is 64 MiB per image, so sampling (the diversity check draws 128 at once) goes
        # in chunks of at most ATTENTION_SAMPLE_BYTES of attention weights.
        sides = [
            layer.input.shape[1]
            for layer in self.sampling_generator.layers
            if type(layer).__name__ == "SelfAttention"
        ]
        if sides:
            per_image = 4 * max(sides) ** 4
            batch_size = max(1, min(batch_size, ATTENTION_SAMPLE_BYTES // per_image))
        return super()._generate(z, labels, batch_size)

    def get_config(self):
        config = super().get_config()
        config.pop("conditioning", None)
        config.update(orthogonal_weight=self.orthogonal_weight, truncation=self.truncation)
        return config


def build_biggan(config, **gan_kwargs) -> BigGAN:
    """The (uncompiled) BigGAN of `config` (model.arch='biggan'); `gan_kwargs` are GAN's
    (loss, d_steps, stabilisers ...)."""
    from ganzoo.data import example_shape
    from ganzoo.families.biggan import models as models_biggan

    model, scaling = config.model, config.biggan
    g, d = models_biggan.build_models(
        model,
        example_shape(config),
        shared_dim=scaling.shared_dim,
        hierarchical=scaling.hierarchical,
    )
    return BigGAN(
        g,
        d,
        latent_dim=model.latent_dim,
        num_classes=model.num_classes,
        orthogonal_weight=scaling.orthogonal_weight,
        truncation=config.sample.truncation,
        **gan_kwargs,
    )


def check_config(config) -> None:
    """ConfigError for invalid `biggan` keys or sample.truncation; builds nothing."""
    from ganzoo.families.biggan import models as models_biggan

    s = config.biggan
    if s.shared_dim < 1 or s.orthogonal_weight < 0:
        raise ConfigError(
            f"Received: biggan.shared_dim={s.shared_dim}, biggan.orthogonal_weight="
            f"{s.orthogonal_weight}. Expected shared_dim >= 1 and orthogonal_weight >= 0."
        )
    truncation = config.sample.truncation
    if truncation < 0:
        raise ConfigError(
            f"Received: sample.truncation={truncation}. Expected 0 (off) or a threshold > 0 "
            "(BigGAN samples with 0.5 to 2)."
        )
    models_biggan.latent_chunks(config.model.latent_dim, config.model.resolution, s.hierarchical)
