"""Video GANs: MoCoGAN-style generator, video and frame discriminators, on moving images."""

from __future__ import annotations

from ganzoo.families.image.family import ImageFamily
from ganzoo.families.video import models as _models  # noqa: F401  (registers mocogan)
from ganzoo.family import LoadedRun, WatchedMetric, register_family


@register_family
class VideoFamily(ImageFamily):
    name = "video"
    export_output = "clips"

    def claims(self, config) -> str:
        from ganzoo.families.video import data as moving

        arch = config.model.arch
        return f"model.arch={arch!r}" if arch in moving.VIDEO_ARCHS else ""

    def example_shape(self, config) -> tuple[int, ...]:
        from ganzoo.families.video import data as moving

        return moving.clip_shape(config)

    def dataset(self, config, *, with_labels: bool = False, repeat: bool = True):
        """Clips [B, T, H, W, C] (ganzoo.families.video.data)."""
        from ganzoo.families.video import data as moving

        return moving.build_video_dataset(config, with_labels=with_labels, repeat=repeat)

    def check_config(self, config) -> None:
        from ganzoo.families.video import gan

        super().check_config(config)
        gan.check_config(config)

    def build_gan(self, config, common: dict):
        from ganzoo.families.video import gan as video_gan

        return video_gan.build_video_gan(config, **common)

    def training_samples(self, monitor, step: int) -> str:
        """A GIF and a frame strip (ganzoo.families.video.samples)."""
        from ganzoo.families.video import samples as video_samples

        clips = monitor.fixed_samples(monitor.config.sample.num)
        directory = monitor.workdir.samples_dir
        return video_samples.write_training_samples(
            clips, directory, step, monitor.writer, monitor.config
        )

    def sample(self, run: LoadedRun, num: int, seed: int) -> dict:
        """GIF + frame strip + .npy of clips."""
        from ganzoo.families.video import samples as video_samples

        return video_samples.sample_run(run.gan, run.config, run.workdir, run.step, num, seed)

    def sample_line(self, out: dict, main: str = "png") -> str:
        """Also the animated GIF."""
        return (
            f"Wrote {out['num']} samples from step {out['step']}: {out['png']}, {out['gif']} "
            f"and {out['npy']}"
        )

    def make_evaluator(self, config, stream=None, memorisation: bool = False):
        """VideoEvaluator; `memorisation` changes nothing (no nearest-clip search yet)."""
        from ganzoo.families.video import evaluator as video_eval

        return video_eval.VideoEvaluator(config, stream)

    def real_samples(self, config):
        """Real data.split clips (`evaluate_real` scores them as if generated)."""
        from ganzoo.families.video import evaluator as video_eval

        return video_eval.real_clips(config)

    def watched_metrics(self, config) -> tuple[WatchedMetric, ...]:
        """The per-frame FID, then the share of frame pairs whose object is followed."""
        return WatchedMetric("fid", "min"), WatchedMetric("tracked_share", "max")

    def train_domain_classifier(self, config, stream=None) -> dict:
        """The classifier of the clips' frames."""
        from ganzoo.families.video import evaluator as video_eval

        return video_eval.train_domain_classifier(config, stream)
