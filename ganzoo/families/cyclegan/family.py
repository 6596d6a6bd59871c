"""CycleGAN: unpaired translation between two domains (two generators, two discriminators)."""

from __future__ import annotations

from ganzoo.errors import ConfigError
from ganzoo.families.image.family import ImageFamily
from ganzoo.family import LoadedRun, register_family


@register_family
class CycleGANFamily(ImageFamily):
    name = "cyclegan"

    def claims(self, config) -> str:
        return "cyclegan.enabled=True" if config.cyclegan.enabled else ""

    def check_config(self, config) -> None:
        from ganzoo.families.cyclegan import gan

        super().check_config(config)
        gan.check_config(config)

    def check_model(self, config) -> None:
        """A CycleGAN's networks are sized by the cyclegan section, not model.arch."""

    def training_dataset(self, config):
        from ganzoo.families.cyclegan import data as unpaired

        return unpaired.build_unpaired_dataset(config)

    def build_gan(self, config, common: dict):
        from ganzoo.families.cyclegan import gan as cyclegan

        return cyclegan.build_cyclegan(config)

    def sample(self, run: LoadedRun, num: int, seed: int) -> dict:
        from ganzoo.families.cyclegan import lib as cyclegan_run

        return cyclegan_run.sample(run)

    def export(self, run: LoadedRun) -> dict:
        from ganzoo.families.cyclegan import lib as cyclegan_run

        return cyclegan_run.export(run)

    def export_line(self, out: dict) -> str:
        return f"Exported both translators of step {out['step']}: {out['a2b']}, {out['b2a']}"

    def evaluate(self, run: LoadedRun, stream=None) -> dict:
        from ganzoo.families.cyclegan import lib as cyclegan_run

        return cyclegan_run.evaluate(run, stream)

    def eval_line(self, result: dict) -> str:
        from ganzoo.families.cyclegan import lib as cyclegan_run

        return f"step {result['step']}: {cyclegan_run.summary(result)} -> {result['path']}"

    def check_edit(self, config) -> None:
        raise ConfigError(
            "Received: --mode=edit on a CycleGAN run. Expected a z -> x generator (an "
            "unconditional, conditional or InfoGAN run): a CycleGAN has no latent space; use "
            "--mode=sample to translate images."
        )
