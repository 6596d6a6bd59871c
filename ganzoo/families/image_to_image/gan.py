"""`Pix2Pix`, a GAN subclass for paired image-to-image translation: adversarial + content loss.

pix2pix (Isola et al. 2017) is G = U-Net, D = PatchGAN conditioned on the input, content L1
times 100; SRGAN (Ledig et al. 2017) is the same step with a residual sub-pixel G, an
unconditional D, pixel MSE as content loss and the adversarial term times 1e-3.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from ganzoo import images as images_lib
from ganzoo.errors import ConfigError
from ganzoo.families.image_to_image import data as paired
from ganzoo.gan import GAN

CONTENT_LOSSES = ("l1", "mse")


def content_loss(kind: str, outputs, targets) -> tf.Tensor:
    """l1: mean |G(x) - y|; mse: mean (G(x) - y)^2, over every pixel and channel."""
    diff = tf.cast(outputs, tf.float32) - tf.cast(targets, tf.float32)
    if kind == "l1":
        return tf.reduce_mean(tf.abs(diff))
    if kind == "mse":
        return tf.reduce_mean(tf.square(diff))
    raise ConfigError(f"Received: content_loss={kind!r}. Expected one of {CONTENT_LOSSES}.")


@keras.saving.register_keras_serializable(package="ganzoo")
class Pix2Pix(GAN):
    """A paired GAN: `fit` on (targets, inputs) batches in [-1, 1] (`ganzoo.families.image_to_image.data`).

    G maps the conditioning inputs to an image; for `task="inpaint"` the known pixels are
    pasted back over G's output (out = m G(x) + (1 - m) x), in training and inference alike,
    so the content loss and D only judge the holes' contents. D sees the condition (bicubic-
    resized to the target's size when smaller) concatenated with the real or generated image
    on the channel axis when `condition_discriminator` (pix2pix), the image alone otherwise
    (SRGAN). The step: D as in `GAN` on those pairs; then G minimises
    adv_weight * g_adv + content_weight * content_loss(G(x), y).

    Metrics are `GAN`'s (`g_loss` is the adversarial term) plus `g_content`, the content
    term before weighting. There is no z: `generate(num)` translates the fixed sample inputs
    given to `set_sample_pairs` (training grids), `translate(inputs)` any inputs.
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        task: str,
        content_loss: str = "l1",
        content_weight: float = 100.0,
        adv_weight: float = 1.0,
        condition_discriminator: bool = True,
        latent_dim: int = 0,
        **kwargs,
    ):
        if task not in paired.TASKS[1:]:
            raise ConfigError(f"Received: task={task!r}. Expected one of {paired.TASKS[1:]}.")
        if content_loss not in CONTENT_LOSSES:
            raise ConfigError(
                f"Received: content_loss={content_loss!r}. Expected one of {CONTENT_LOSSES}."
            )
        if kwargs.get("reuse_fakes"):
            raise ConfigError("Received: reuse_fakes=True. Expected False for Pix2Pix.")
        del latent_dim  # no z; GAN's config carries the key
        super().__init__(generator, discriminator, latent_dim=0, **kwargs)
        self.task = task
        self.content_loss = content_loss
        self.content_weight = float(content_weight)
        self.adv_weight = float(adv_weight)
        self.condition_discriminator = bool(condition_discriminator)
        self.content_tracker = keras.metrics.Mean(name="g_content")
        self.output_size = tuple(generator.output_shape[1:3])
        self.sample_targets = self.sample_inputs = None
        self._translate_fn = None

    @property
    def metrics(self):
        return super().metrics + [self.content_tracker]

    # -- the networks' inputs -------------------------------------------------------------------
    def restore(self, inputs, training=False, generator=None):
        """G's image for conditioning `inputs` (known pixels pasted back for inpainting)."""
        generator = generator or self.sampling_generator
        if self.task != "inpaint":
            return generator(inputs, training=training)
        known, mask = paired.split_inpaint_inputs(inputs)
        out = generator(paired.inpaint_inputs(known, mask), training=training)
        return mask * out + (1.0 - mask) * known

    def d_pair(self, d_condition, images):
        """What D judges: [condition ++ images] (pix2pix) or the images (SRGAN)."""
        if not self.condition_discriminator:
            return images
        return tf.concat([d_condition, tf.cast(images, d_condition.dtype)], axis=-1)

    def d_condition(self, inputs):
        if not self.condition_discriminator:
            return None
        if tuple(inputs.shape[1:3]) != self.output_size:
            return tf.image.resize(inputs, self.output_size, method="bicubic")
        return inputs

    # -- the step -------------------------------------------------------------------------------
    def train_step(self, data):
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ConfigError(
                "Received a batch that is not (targets, inputs). Expected the pairs of "
                "ganzoo.families.image_to_image.data.build_paired_dataset(config)."
            )
        targets, inputs = data
        d_cond = self.d_condition(inputs)
        real_pair = self.d_pair(d_cond, targets)
        for _ in range(self.d_steps):
            fake = self.restore(inputs, training=True, generator=self.generator)
            d_loss, penalty, real_logits, fake_logits, d_norm = self._discriminator_step(
                real_pair, self.d_pair(d_cond, fake)
            )
        with tf.GradientTape() as g_tape:
            fake = self.restore(inputs, training=True, generator=self.generator)
            g_adv = self.generator_loss(real_pair, self.d_pair(d_cond, fake), real_logits)
            content = content_loss(self.content_loss, fake, targets)
            total = self.adv_weight * g_adv + self.content_weight * content
            scaled = self.g_optimizer.scale_loss(total * self._replica_scale())
        g_grads = self._apply_generator_update(g_tape, scaled)
        self._update_step_metrics(d_loss, g_adv, penalty, real_logits, fake_logits, d_norm, g_grads)
        self.content_tracker.update_state(content)
        return self.step_logs()

    # -- inference ------------------------------------------------------------------------------
    def translate(self, inputs, batch_size: int = 256) -> np.ndarray:
        """Outputs in [-1, 1] for conditioning `inputs` [N, ...] in [-1, 1] (numpy)."""
        inputs = np.asarray(inputs, np.float32)
        expected = tuple(self.generator.input_shape[1:])
        if inputs.ndim != 4 or inputs.shape[1:] != expected:
            raise ValueError(
                f"Received: inputs of shape {inputs.shape}. Expected [N, "
                f"{', '.join(map(str, expected))}] (the {self.task} task's conditioning image)."
            )
        if self._translate_fn is None:  # traced once: sampling_generator is fixed per model
            self._translate_fn = tf.function(
                lambda x: self.restore(x, training=False),
                input_signature=[tf.TensorSpec([None, *expected], tf.float32)],
            )
        out = [
            self._translate_fn(tf.constant(inputs[i : i + batch_size])).numpy()
            for i in range(0, len(inputs), batch_size)
        ]
        return np.concatenate(out) if out else np.zeros((0, *self.generator.output_shape[1:]))

    def set_sample_pairs(self, targets: np.ndarray, inputs: np.ndarray) -> None:
        """The fixed pairs that `generate` and `sample_picture` show (training grids)."""
        self.sample_targets, self.sample_inputs = np.asarray(targets), np.asarray(inputs)

    def generate(self, num: int, seed: int = 0, batch_size: int = 256, inputs=None) -> np.ndarray:
        """Translations of `inputs`, or of the first `num` fixed sample inputs (repeated when
        fewer); `seed` is unused: with dropout off at inference G is deterministic."""
        del seed
        if inputs is None:
            if self.sample_inputs is None:
                raise ValueError(
                    "Received no inputs and no sample pairs. Expected generate(num, "
                    "inputs=...) or set_sample_pairs(targets, inputs) first."
                )
            reps = -(-num // len(self.sample_inputs))
            inputs = np.concatenate([self.sample_inputs] * reps)[:num]
        return self.translate(inputs, batch_size)

    def display_inputs(self, inputs) -> np.ndarray:
        """Conditioning inputs as pictures of the output's shape, in [-1, 1]: holes white,
        grayscale tiled to RGB, low resolution enlarged (nearest neighbour)."""
        return display_inputs(self.task, inputs, self.generator.output_shape[1:])

    def sample_picture(self, cols: int = 8) -> np.ndarray:
        """A uint8 grid of the fixed sample pairs: input | output | target per example, four
        examples per row."""
        n = min(len(self.sample_inputs), 4 * max(1, cols // 2))
        inputs, targets = self.sample_inputs[:n], self.sample_targets[:n]
        return comparison_grid([self.display_inputs(inputs), self.translate(inputs), targets])

    def get_config(self):
        config = super().get_config()
        config.update(
            task=self.task,
            content_loss=self.content_loss,
            content_weight=self.content_weight,
            adv_weight=self.adv_weight,
            condition_discriminator=self.condition_discriminator,
        )
        return config


def display_inputs(task: str, inputs, out_shape) -> np.ndarray:
    """See `Pix2Pix.display_inputs`."""
    inputs = np.asarray(inputs, np.float32)
    h, w, c = out_shape
    if task == "inpaint":
        known, mask = inputs[..., :-1], (inputs[..., -1:] > 0).astype(np.float32)
        return known * (1 - mask) + mask
    if task == "colorize":
        return np.repeat(inputs, c, axis=-1)
    scale = h // inputs.shape[1]
    return np.repeat(np.repeat(inputs, scale, axis=1), scale, axis=2)


def comparison_grid(columns: list, per_row: int = 4, pad: int = 2) -> np.ndarray:
    """uint8 grid: example i shows columns[0][i] | columns[1][i] | ..., `per_row` per row."""
    stacked = np.stack([np.asarray(c, np.float32) for c in columns], axis=1)  # [N, k, H, W, C]
    n, k = stacked.shape[:2]
    per_row = max(1, min(per_row, n))
    return images_lib.image_grid(stacked.reshape(n * k, *stacked.shape[2:]), per_row * k, pad)
