"""Unconditional image GANs (and the 2-D point benchmarks): `ImageFamily` implements every
`ganzoo.family.Family` hook, and the other families extend it."""

from __future__ import annotations

import os

from ganzoo.errors import ConfigError
from ganzoo.family import Family, LoadedRun, WatchedMetric, register_family


@register_family
class ImageFamily(Family):
    """z -> image (or 2-D point): the base every other family extends, overriding only what
    differs. It claims every config no other family claims."""

    name = "image"

    # -- configuration ---------------------------------------------------------------------
    def claims(self, config) -> str:
        """Why this family runs `config` ("model.arch='wavegan'"), or "" when it does not."""
        return ""

    def check_config(self, config) -> None:
        """ConfigError for settings of this family that cannot work; builds nothing."""
        self.check_model(config)
        self.check_sampling(config)
        self.check_packing(config)
        self.check_adaptive_augment(config)

    @property
    def supports_packing(self) -> bool:
        """PacGAN's packing (stabilizers.pack) needs a D built for packed examples, as this
        family's build_gan builds it; a family with its own build_gan builds its own D."""
        return type(self).build_gan is ImageFamily.build_gan

    def check_packing(self, config) -> None:
        """PacGAN's packing only where this family builds D for it."""
        pack = config.stabilizers.pack
        if pack != 1 and not self.supports_packing:
            raise ConfigError(
                f"Received: stabilizers.pack={pack} for a {self.name} run. Expected 1: this "
                "family's discriminator is not built for packed examples (the image family's is)."
            )

    def check_adaptive_augment(self, config) -> None:
        """ADA (stabilizers.ada_target) transforms image batches: refused for other examples
        (2-D points, clips, waveforms, text). Families whose step never calls
        `GAN.discriminator_inputs` refuse it in their own checks (CycleGAN)."""
        target = config.stabilizers.ada_target
        if not target:
            return
        shape = tuple(self.example_shape(config))
        if len(shape) != 3:
            raise ConfigError(
                f"Received: stabilizers.ada_target={target} for a {self.name} run whose "
                f"examples have shape {shape}. Expected images [height, width, channels]: ADA's "
                "transforms act on images; set stabilizers.ada_target=0."
            )

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
        from ganzoo.stabilizers import packed_shape

        shape = self.example_shape(config)
        d_shape = packed_shape(shape, config.stabilizers.pack)
        generator, discriminator = build_models(config.model, shape, discriminator_shape=d_shape)
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

    def headline(self, gan, config, evaluation: dict | None = None) -> str | None:
        """The 2-D benchmarks: modes covered and high-quality share of eval.num_samples
        samples, scored as --mode=eval does (a fraction of a second). Images: the final-step
        evaluation's metrics when eval.at_end ran one, else None (FID needs Inception)."""
        from ganzoo.metrics import evaluator as evaluator_lib

        if evaluation is None:
            if self.extractor_kind(config) != "modes":
                return None
            evaluation = self.make_evaluator(config).evaluate(gan)
        return evaluator_lib.headline(evaluation)

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
        from ganzoo.workdir import atomic_save_npy

        atomic_save_npy(stem + ".npy", samples)
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

    def sample_line(self, out: dict, main: str = "png") -> str:
        return f"Wrote {out['num']} samples from step {out['step']}: {out[main]} and {out['npy']}"

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
    def make_evaluator(self, config, stream=None, memorisation: bool = False):
        """The evaluator used by --mode=eval (with `memorisation`) and during training."""
        from ganzoo.metrics import evaluator as evaluator_lib

        return evaluator_lib.Evaluator(config, stream, memorisation=memorisation)

    def evaluate(self, run: LoadedRun, stream=None) -> dict:
        """--mode=eval of a restored run: scores it with the memorisation check and writes
        eval/step_XXXXXX.json, and eval/nearest_step_XXXXXX.png when the evaluator drew its
        samples' nearest training images (`nearest_png` in the result)."""
        from ganzoo import images as images_lib
        from ganzoo.metrics import evaluator as evaluator_lib

        evaluator = self.make_evaluator(run.config, stream, memorisation=True)
        result = evaluator.evaluate(
            run.gan, step=run.step, checkpoint=run.checkpoint, checkpoint_path=run.checkpoint_path
        )
        picture = getattr(evaluator, "nearest_picture", None)  # text and video have none
        if picture is not None:
            result["nearest_png"] = run.workdir.sub(evaluator_lib.nearest_path(run.step))
            images_lib.write_png(result["nearest_png"], picture)
        result["path"] = run.workdir.write_json(evaluator_lib.result_path(run.step), result)
        return result

    def eval_line(self, result: dict) -> str:
        """The line --mode=eval prints for `result`."""
        from ganzoo.metrics import evaluator as evaluator_lib

        return evaluator_lib.summary_line(f"step {result['step']} ({result['checkpoint']})", result)

    def evaluate_real(self, config, stream=None) -> dict:
        """--mode=eval_real: real data.split scored as if generated (the floor), with the
        memorisation check: real data.split images are their own nearest training images
        (distance 0) when data.split is the training split."""
        evaluator = self.make_evaluator(config, stream, memorisation=True)
        return evaluator.evaluate_batches(
            self.real_samples(config), generated_split=config.data.split
        )

    def real_samples(self, config):
        """Real examples as `evaluate_real` scores them: data.split's first eval.num_samples
        in eval.batch_size batches (fresh points for the 2-D benchmarks)."""
        from ganzoo.metrics import evaluator as evaluator_lib

        return evaluator_lib.real_sample_batches(config)

    def headline_metric(self, config) -> WatchedMetric:
        """The 2-D benchmarks: modes covered; images: FID."""
        return self.watched_metrics(config)[0]

    def watched_metrics(self, config) -> tuple[WatchedMetric, ...]:
        """Modes covered, then the high-quality share (2-D points); FID, then the score."""
        if self.extractor_kind(config) == "modes":
            return (
                WatchedMetric("modes_covered", "max"),
                WatchedMetric("high_quality_fraction", "max"),
            )
        return WatchedMetric("fid", "min"), WatchedMetric("score", "max")

    def reference_figures(self, config, evaluator) -> dict[str, dict]:
        """The baseline `marginal`, samples whose every value (pixel, time step, coordinate)
        is drawn from the same position of a random real example (`ganzoo.metrics.baselines`),
        and `real`, `real_samples`: both scored by `evaluator` against eval.split."""
        from ganzoo.metrics import baselines

        ev = config.eval
        pool = baselines.first_examples(self.real_samples(config), baselines.POOL_SIZE)
        marginal = baselines.marginal_batches(pool, ev.num_samples, ev.batch_size, ev.seed)
        return {
            "marginal": evaluator.evaluate_batches(marginal)["metrics"],
            "real": evaluator.evaluate_batches(self.real_samples(config))["metrics"],
        }

    def train_domain_classifier(self, config, stream=None) -> dict:
        """--mode=train_classifier: the domain classifier of the family's data."""
        from ganzoo.metrics import evaluator as evaluator_lib

        return evaluator_lib.train_image_classifier(config, stream)

    def extractor_kind(self, config) -> str:
        """eval.extractor with `auto` resolved (modes, classifier or inception)."""
        from ganzoo.metrics import evaluator as evaluator_lib

        return evaluator_lib.resolve_image_extractor(config)

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
