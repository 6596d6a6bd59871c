"""`InfoGAN` (Chen et al. 2016): a GAN whose latent codes D's Q head must recover, maximising a
lower bound on the mutual information I(c; G(z, c)); and latent-traversal grids of its codes."""

from __future__ import annotations

import os
from typing import NamedTuple

import keras
import numpy as np
import tensorflow as tf

from ganzoo import images as images_lib
from ganzoo.errors import ConfigError
from ganzoo.families.conditional.gan import AuxiliaryGAN, class_accuracy, class_cross_entropy
from ganzoo.gan import GAN
from ganzoo.models.conditional_layers import latent_for_codes, split_latent


class InfoLoss(NamedTuple):
    total: tf.Tensor
    categorical: tf.Tensor
    continuous: tf.Tensor


def info_loss(cat_logits, cont_mean, cat_codes, cont_codes) -> InfoLoss:
    """The InfoGAN loss L_I to minimise (Chen et al. 2016, eq. 5 with lambda outside):

    L_I = sum_i E[CE(Q_i(x), c_i)] + sum_j E[1/2 (c_j - mu_j(x))^2],  x = G(z, c)

    the negative log-likelihood of the codes under Q: categorical codes c_i with logits Q_i,
    continuous codes under a unit-variance Gaussian with mean mu_j (its constant log sqrt(2 pi)
    dropped). I(c; x) >= H(c) - L_I, so lowering L_I raises the bound. `cat_logits`,
    `cat_codes`: lists (one per categorical code); `cont_mean`, `cont_codes`: [B, M] or None.
    """
    categorical = tf.add_n(
        [class_cross_entropy(q, c) for q, c in zip(cat_logits, cat_codes, strict=True)]
        or [tf.constant(0.0)]
    )
    continuous = tf.constant(0.0)
    if cont_mean is not None:
        diff = tf.cast(cont_codes, tf.float32) - tf.cast(cont_mean, tf.float32)
        continuous = tf.reduce_mean(tf.reduce_sum(0.5 * tf.square(diff), axis=-1))
    return InfoLoss(categorical + continuous, categorical, continuous)


@keras.saving.register_keras_serializable(package="ganzoo")
class InfoGAN(AuxiliaryGAN):
    """InfoGAN: z = (noise, codes); D's Q head predicts the codes of fakes.

    G takes z ~ N(0, I) of `latent_dim` = noise_dim + sum(categorical) + continuous and draws
    its codes from it (`InfoGANCodes`: uniform categorical codes, continuous codes uniform on
    (-1, 1)); D returns [logits, q_cat_0, ..., q_cont] (`ganzoo.families.infogan.models`). Both D (with
    Q) and G minimise their adversarial loss + `info_weight` * `info_loss` on the fakes.
    Metrics: `info_loss` (L_I of the D step, unweighted; it falls as G's codes become
    recoverable) and `info_cat_acc` (Q's accuracy on the categorical codes).
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        noise_dim: int,
        categorical=(10,),
        continuous: int = 2,
        info_weight: float = 1.0,
        **kwargs,
    ):
        kwargs.pop("latent_dim", None)
        codes = tuple(int(k) for k in categorical)
        latent_dim = int(noise_dim) + sum(codes) + int(continuous)
        if any(k < 2 for k in codes) or int(continuous) < 0 or info_weight < 0:
            raise ConfigError(
                f"Received: categorical={categorical}, continuous={continuous}, info_weight="
                f"{info_weight}. Expected category counts >= 2, continuous >= 0, weight >= 0."
            )
        heads = len(codes) + (1 if continuous else 0)
        if generator.input_shape[-1] != latent_dim or len(discriminator.outputs) != 1 + heads:
            raise ConfigError(
                f"Received: a generator taking {generator.input_shape} and a discriminator with "
                f"{len(discriminator.outputs)} outputs. Expected z of {latent_dim} (noise "
                f"{noise_dim} + codes) and {1 + heads} outputs [logits, Q heads...]: build them "
                "with ganzoo.families.infogan.models.build_infogan_models."
            )
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        self.noise_dim = int(noise_dim)
        self.categorical = codes
        self.continuous = int(continuous)
        self.info_weight = float(info_weight)
        self._init_aux_trackers(("info_loss",) + (("info_cat_acc",) if self.categorical else ()))

    def discriminate(self, x, labels, training=True):
        del labels
        outputs = self.discriminator(x, training=training)
        return outputs[0], tuple(outputs[1:])

    def _info(self, fake_heads, g_inputs):
        _, cats, cont = split_latent(g_inputs, self.noise_dim, self.categorical, self.continuous)
        n = len(self.categorical)
        cont_mean = fake_heads[n] if self.continuous else None
        return info_loss(list(fake_heads[:n]), cont_mean, cats, cont), cats

    def discriminator_aux_loss(self, real_heads, fake_heads, labels, g_inputs):
        loss, cats = self._info(fake_heads, g_inputs)
        metrics = {"info_loss": loss.total}
        if self.categorical:
            n = len(cats)
            accs = [class_accuracy(q, c) for q, c in zip(fake_heads[:n], cats, strict=True)]
            metrics["info_cat_acc"] = tf.add_n(accs) / len(accs)
        return self.info_weight * loss.total, metrics

    def generator_aux_loss(self, fake_heads, labels, g_inputs):
        loss, _ = self._info(fake_heads, g_inputs)
        return self.info_weight * loss.total, {}

    # -- traversals ----------------------------------------------------------------------------
    def code_names(self) -> list[str]:
        """'cat0', 'cat1', ... then 'cont0', ...: the codes `traversal` can vary."""
        cats = [f"cat{i}" for i in range(len(self.categorical))]
        return cats + [f"cont{j}" for j in range(self.continuous)]

    def traversal_latents(
        self, code: str, rows: int = 8, steps: int = 10, seed: int = 0
    ) -> np.ndarray:
        """z [rows, cols, latent_dim] varying one code along each row, all else fixed per row.

        'catI': cols = its K categories in order; 'contJ': cols = `steps` values evenly from -1
        to 1 (the prior's range, clipped to +-0.9999). Row r keeps the noise and other codes
        of `GAN.latent_for_seed(rows, seed)`'s row r.
        """
        names = self.code_names()
        if code not in names:
            raise ValueError(f"Received: code={code!r}. Expected one of {', '.join(names)}.")
        base = GAN.latent_for_seed(self, rows, seed)
        noise, cats, cont = split_latent(base, self.noise_dim, self.categorical, self.continuous)
        noise, cont = np.asarray(noise), np.asarray(cont)
        cats = np.stack([np.asarray(c) for c in cats], axis=1) if cats else np.zeros((rows, 0))
        continuous = code.startswith("cont")
        index = int(code[len("cont") if continuous else len("cat") :])
        values = np.linspace(-1.0, 1.0, steps) if continuous else range(self.categorical[index])
        columns = []
        for value in values:
            c_cat, c_cont = cats.copy(), cont.copy()
            (c_cont if continuous else c_cat)[:, index] = value
            columns.append(latent_for_codes(noise, c_cat, c_cont, self.categorical))
        return np.stack(columns, axis=1)

    def traversal(self, code: str, rows: int = 8, steps: int = 10, seed: int = 0) -> np.ndarray:
        """Samples [rows, cols, ...] of `traversal_latents(code, rows, steps, seed)`."""
        z = self.traversal_latents(code, rows, steps, seed)
        flat = z.reshape(-1, self.latent_dim)
        out = keras.ops.convert_to_numpy(self.sampling_generator(flat, training=False))
        return out.reshape(*z.shape[:2], *out.shape[1:])

    def get_config(self):
        config = super().get_config()
        config.pop("latent_dim", None)
        config.update(
            noise_dim=self.noise_dim,
            categorical=list(self.categorical),
            continuous=self.continuous,
            info_weight=self.info_weight,
        )
        return config


def write_traversals(gan: InfoGAN, stem: str, rows: int, seed: int, reference=None) -> dict:
    """One PNG per code, `{stem}_traversal_{code}.png` (rows: fixed noise; columns: the code's
    values); returns {code: path}. 2-D points are drawn in one scatter plot per code."""
    paths = {}
    for code in gan.code_names():
        grid = gan.traversal(code, rows=rows, seed=seed)
        if grid.ndim == 5:  # [rows, cols, H, W, C]
            picture = images_lib.image_grid(grid.reshape(-1, *grid.shape[2:]), grid.shape[1])
        else:
            picture = images_lib.picture(grid.reshape(-1, grid.shape[-1]), reference=reference)
        path = f"{stem}_traversal_{code}.png"
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        images_lib.write_png(path, picture)
        paths[code] = path
    return paths
