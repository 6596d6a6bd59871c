"""Audio GANs: WaveGAN on spoken digits, WAV folders or TFDS audio."""

from __future__ import annotations

from ganzoo.families.audio import espeak_digits as _espeak  # noqa: F401  (registers sources)
from ganzoo.families.audio import models as _models  # noqa: F401  (registers wavegan)
from ganzoo.families.image.family import ImageFamily
from ganzoo.family import LoadedRun, register_family


@register_family
class AudioFamily(ImageFamily):
    name = "audio"
    export_output = "audio"

    def claims(self, config) -> str:
        from ganzoo.families.audio import lib as speech

        if speech.is_audio(config):
            return f"data.source={config.data.source!r}"
        arch = config.model.arch
        return f"model.arch={arch!r}" if arch in speech.AUDIO_ARCHS else ""

    def check_config(self, config) -> None:
        from ganzoo.families.audio import lib

        super().check_config(config)
        lib.check_config(config)

    def build_gan(self, config, common: dict):
        from ganzoo.families.audio import lib as speech
        from ganzoo.gan import GAN
        from ganzoo.models import build_models

        model = speech.model_config(config)  # the audio section adds WaveGAN's options
        generator, discriminator = build_models(model, self.example_shape(config))
        return GAN(generator, discriminator, latent_dim=config.model.latent_dim, **common)

    def training_samples(self, monitor, step: int) -> str:
        """A WAV strip and TensorBoard audio."""
        from ganzoo.families.audio import lib as speech

        samples = monitor.fixed_samples(monitor.config.sample.num)
        rate = monitor.config.audio.sample_rate
        directory = monitor.workdir.samples_dir
        return speech.write_training_samples(monitor.writer, directory, step, samples, rate)

    def sample_pictures(self, run: LoadedRun, stem: str, samples, seed: int) -> dict:
        """16-bit PCM WAV files, one per clip and one of them all (no picture)."""
        from ganzoo.families.audio import lib as speech

        return speech.write_sample_files(stem, samples, run.config.audio.sample_rate)

    def sample_line(self, out: dict, main: str = "wav") -> str:
        return super().sample_line(out, main)

    def extractor_kind(self, config) -> str:
        return "classifier"  # the audio domain classifier (check_config refuses others)

    def classifier_name(self, config) -> str:
        from ganzoo.families.audio import lib as speech

        return speech.classifier_name(config)

    def classifier_builder(self, config):
        from ganzoo.families.audio import classifier as audio_classifier

        return audio_classifier.builder(config.audio.sample_rate)
