"""The Family interface: what the shared code asks of a model family, and the family registry.

Shared code (training, evaluation, sampling, export, editing, judging) never asks which family
is running: it calls `family_of(config).<hook>(...)`. The base class carries the unconditional
image (and 2-D point) behaviour; a family overrides only what differs (docs/adding_a_model.md).
"""

from __future__ import annotations

import dataclasses
import importlib
import os
from typing import Any

from ganzoo.errors import ConfigError
from ganzoo.registry import Registry

FAMILIES: Registry[Family] = Registry("model family")
DEFAULT_FAMILY = "image"


@dataclasses.dataclass
class LoadedRun:
    """A run folder's config and GAN restored at `step` (from `checkpoint`: latest or best)."""

    config: Any
    gan: Any
    step: int
    workdir: Any  # ganzoo.workdir.Workdir
    checkpoint: str = "latest"
    checkpoint_path: str | None = None


class Family:
    """A model family's hooks, with the unconditional image GAN's behaviour as the default.

    `claims` decides which family runs a config: exactly one family may claim it (the base
    `image` family claims what no other does).
    """

    name = DEFAULT_FAMILY
    # Families whose claim this one replaces when both claim a config (BigGAN is conditional).
    supersedes: tuple[str, ...] = ()
    # The name of the SavedModel signature's output (`export`).
    export_output = "images"

    # -- configuration ---------------------------------------------------------------------
    def claims(self, config) -> str:
        """Why this family runs `config` ("model.arch='wavegan'"), or "" when it does not."""
        return ""

    def check_config(self, config) -> None:
        """ConfigError for settings of this family that cannot work; builds nothing."""
        self.check_model(config)
        self.check_sampling(config)

    def check_model(self, config) -> None:
        """The architecture's own checks (model.arch's ModelSpec)."""
        from ganzoo import models

        models.check_model_config(config.model)

    def check_sampling(self, config) -> None:
        """An unconditional generator has no classes to sample and no truncation trick."""
        labels = config.sample.labels
        if str(labels).strip():
            raise ConfigError(
                f"Received: sample.labels={labels!r} for an unconditional model. Expected '' "
                "(set model.conditioning to concat, acgan or projection to sample by class)."
            )
        check_no_truncation(config)

    # -- data and model --------------------------------------------------------------------
    def example_shape(self, config) -> tuple[int, ...]:
        """The shape of one example the generator makes and the data yields."""
        from ganzoo import data

        return data.example_shape(config)

    def dataset(self, config, *, with_labels: bool = False, repeat: bool = True):
        """The data's tf.data pipeline (batched by train.batch_size), for training and eval."""
        from ganzoo import data

        return data.build_dataset(config, with_labels=with_labels, repeat=repeat)

    def training_dataset(self, config):
        """The batches `fit` trains on."""
        return self.dataset(config)

    def num_classes(self, config) -> int:
        """Classes the generator is conditioned on (G(z, label)); 0 when unconditional."""
        return 0

    def build_gan(self, config, common: dict):
        """The uncompiled GAN of `config`; `common` holds GAN's shared keyword arguments."""
        from ganzoo.gan import GAN
        from ganzoo.models import build_models

        generator, discriminator = build_models(config.model, self.example_shape(config))
        return GAN(generator, discriminator, latent_dim=config.model.latent_dim, **common)

    # -- training --------------------------------------------------------------------------
    def monitor_class(self):
        """The TrainingMonitor (sub)class that logs, samples and checkpoints the run."""
        from ganzoo.training.callbacks import TrainingMonitor

        return TrainingMonitor

    def prepare_training(self, gan, config, dataset) -> None:
        """Called before each `fit` (again after a rollback rebuilt the GAN)."""

    def training_samples(self, monitor, step: int) -> str:
        """Writes the fixed-z samples of `step` (file and TensorBoard); returns the file."""
        return monitor.write_picture(step, self.training_picture(monitor))

    def training_picture(self, monitor):
        """The uint8 picture of the fixed-z samples: an image grid, or 2-D points."""
        from ganzoo import images as images_lib

        cols = monitor.config.sample.cols
        samples = monitor.fixed_samples(monitor.config.sample.num)
        if samples.ndim == 4:
            return images_lib.image_grid(samples[: cols**2], cols)
        return images_lib.picture(samples, reference=monitor.reference)

    # -- after training --------------------------------------------------------------------
    def sample(self, run: LoadedRun, num: int, seed: int) -> dict:
        """--mode=sample: writes samples under the run's samples/; returns their paths."""
        samples = run.gan.generate(num, seed=seed)
        stem = self.sample_stem(run, num, seed)
        out = self.save_samples(stem, samples)
        out.update(self.sample_pictures(run, stem, samples, seed))
        out.update(step=run.step, num=num, seed=seed)
        return out

    @staticmethod
    def sample_stem(run: LoadedRun, num: int, seed: int) -> str:
        os.makedirs(run.workdir.samples_dir, exist_ok=True)
        name = f"sample_step{run.step:06d}_seed{seed}_n{num}"
        return os.path.join(run.workdir.samples_dir, name)

    @staticmethod
    def save_samples(stem: str, samples) -> dict:
        import numpy as np

        np.save(stem + ".npy.tmp.npy", samples)
        os.replace(stem + ".npy.tmp.npy", stem + ".npy")
        return {"npy": stem + ".npy"}

    def sample_pictures(self, run: LoadedRun, stem: str, samples, seed: int) -> dict:
        """The picture of `samples` (a grid, or 2-D points over the real modes)."""
        from ganzoo import images as images_lib
        from ganzoo.training.callbacks import reference_points

        if samples.ndim == 4:
            picture = images_lib.image_grid(samples, run.config.sample.cols)
        else:
            picture = images_lib.picture(samples, reference=reference_points(run.config))
        images_lib.write_png(stem + ".png", picture)
        return {"png": stem + ".png"}

    def export(self, run: LoadedRun) -> dict:
        """--mode=export: export/generator (SavedModel) and export/generator.keras."""
        from ganzoo.export import export_generator

        paths = export_generator(
            run.gan.sampling_generator,
            run.gan.latent_dim,
            run.workdir.export_dir,
            num_classes=self.num_classes(run.config),
            output_name=self.export_output,
        )
        return {**paths, "step": run.step}

    def export_line(self, out: dict) -> str:
        """The line --mode=export prints."""
        return (
            f"Exported the generator of step {out['step']}: {out['saved_model']} and {out['keras']}"
        )

    # -- evaluation ------------------------------------------------------------------------
    def make_evaluator(self, config, stream=None):
        """The evaluator used by --mode=eval and during training (eval.every)."""
        from ganzoo import eval_lib

        return eval_lib.Evaluator(config, stream)

    def evaluate(self, run: LoadedRun, stream=None) -> dict:
        """--mode=eval of a restored run: scores it and writes eval/step_XXXXXX.json."""
        from ganzoo import eval_lib

        evaluator = self.make_evaluator(run.config, stream)
        result = evaluator.evaluate(
            run.gan, step=run.step, checkpoint=run.checkpoint, checkpoint_path=run.checkpoint_path
        )
        result["path"] = run.workdir.write_json(eval_lib.result_path(run.step), result)
        return result

    def eval_line(self, result: dict) -> str:
        """The line --mode=eval prints for `result`."""
        from ganzoo import eval_lib

        return eval_lib.summary_line(f"step {result['step']} ({result['checkpoint']})", result)

    def evaluate_real(self, config, stream=None) -> dict:
        """--mode=eval_real: real data.split scored as if generated (the floor)."""
        from ganzoo import eval_lib

        return eval_lib.evaluate_real_images(config, stream)

    def train_domain_classifier(self, config, stream=None) -> dict:
        """--mode=train_classifier: the domain classifier of the family's data."""
        from ganzoo import eval_lib

        return eval_lib.train_image_classifier(config, stream)

    def extractor_kind(self, config) -> str:
        """eval.extractor with `auto` resolved (modes, classifier or inception)."""
        from ganzoo import eval_lib

        return eval_lib.resolve_image_extractor(config)

    def classifier_name(self, config) -> str:
        """The name the domain classifier is cached under."""
        return config.data.name

    def classifier_builder(self, config):
        """The domain classifier's network builder; None for the image classifier."""
        return None

    # -- editing and judging ---------------------------------------------------------------
    def check_edit(self, config) -> None:
        """ConfigError when --mode=edit cannot work on this family's runs."""

    def check_judge(self, run_path: str, config) -> None:
        """ConfigError when the judging page cannot show this run's samples."""
        if len(self.example_shape(config)) != 3:
            raise ConfigError(
                f"Received: run {run_path!r} with data.source={config.data.source!r} (2-D "
                "points). Expected an image run: people judge pictures, and the 2-D benchmarks "
                "have exact mode metrics (--mode=eval)."
            )


def check_no_truncation(config) -> None:
    """sample.truncation is for BigGAN only."""
    truncation = config.sample.truncation
    if truncation < 0:
        raise ConfigError(
            f"Received: sample.truncation={truncation}. Expected 0 (off) or a threshold > 0 "
            "(BigGAN samples with 0.5 to 2)."
        )
    if truncation > 0:
        raise ConfigError(
            f"Received: sample.truncation={truncation} with model.arch={config.model.arch!r}. "
            "Expected 0: the truncation trick is implemented for model.arch='biggan'."
        )


def register_family(cls: type[Family]) -> type[Family]:
    """Class decorator: registers one instance of `cls` under `cls.name`."""
    FAMILIES.register(cls.name)(cls())
    return cls


def _load_builtin() -> None:
    """Imports each built-in family's family.py (which registers it) on first use, as entry
    points are: the families sit above this module, so it names them, not imports them."""
    from ganzoo.families import BUILTIN  # names only: ganzoo/families/__init__ imports nothing

    for name in BUILTIN:
        if name not in FAMILIES:
            importlib.import_module(f"ganzoo.families.{name}.family")


def family_of(config) -> Family:
    """The family that runs `config`: the one that claims it, else `image`.

    Raises ConfigError naming the families when several claim it (and none supersedes the
    others), e.g. a text run with InfoGAN codes.
    """
    _load_builtin()
    reasons = {name: FAMILIES.get(name).claims(config) for name in FAMILIES}
    claimed = {name: why for name, why in reasons.items() if why}
    for name in [name for name in claimed if name in claimed]:
        for other in FAMILIES.get(name).supersedes:
            claimed.pop(other, None)
    if len(claimed) > 1:
        listed = "; ".join(f"{name} ({why})" for name, why in sorted(claimed.items()))
        raise ConfigError(
            f"Received a config that {len(claimed)} model families claim: {listed}. Expected "
            "settings of exactly one family: unset the others' keys."
        )
    return FAMILIES.get(next(iter(claimed), DEFAULT_FAMILY))
