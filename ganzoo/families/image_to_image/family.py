"""Paired image-to-image translation: pix2pix and SRGAN (inpainting, colourisation, SR)."""

from __future__ import annotations

from ganzoo.families.image.family import ImageFamily
from ganzoo.families.image_to_image import models as _models  # noqa: F401  (pix2pix, srgan)
from ganzoo.family import LoadedRun, register_family

PAIRED_ARCHS = ("pix2pix", "srgan")


@register_family
class ImageToImageFamily(ImageFamily):
    name = "image_to_image"

    def claims(self, config) -> str:
        task, arch = config.image_to_image.task, config.model.arch
        if task != "none":
            return f"image_to_image.task={task!r}"
        return f"model.arch={arch!r}" if arch in PAIRED_ARCHS else ""

    def check_config(self, config) -> None:
        from ganzoo.families.image_to_image import data

        super().check_config(config)
        data.check_config(config)

    def training_dataset(self, config):
        from ganzoo.families.image_to_image import data as paired

        return paired.build_paired_dataset(config)

    def build_gan(self, config, common: dict):
        from ganzoo.families.image_to_image import lib as i2i_lib

        return i2i_lib.build_pix2pix(config, common)

    def prepare_training(self, gan, config, dataset) -> None:
        from ganzoo.families.image_to_image import lib as i2i_lib

        i2i_lib.attach_sample_pairs(gan, config, dataset)

    def training_picture(self, monitor):
        """input | output | target of the fixed sample pairs."""
        return monitor.model.sample_picture(monitor.config.sample.cols)

    def sample(self, run: LoadedRun, num: int, seed: int) -> dict:
        from ganzoo.families.image_to_image import lib as i2i_lib

        return i2i_lib.sample(run.config, run.gan, run.step, run.workdir.path)

    def export(self, run: LoadedRun) -> dict:
        from ganzoo.families.image_to_image import lib as i2i_lib

        return i2i_lib.export(run.config, run.gan, run.step, run.workdir.path)

    def evaluate(self, run: LoadedRun, stream=None) -> dict:
        from ganzoo.families.image_to_image import lib as i2i_lib

        return i2i_lib.evaluate(run, stream)

    def eval_line(self, result: dict) -> str:
        from ganzoo.families.image_to_image import lib as i2i_lib

        return i2i_lib.result_lines(result)
