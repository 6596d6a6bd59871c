"""Character-level text GANs: WGAN-GP ResNet and Gumbel-softmax generators."""

from __future__ import annotations

from ganzoo.families.image.family import ImageFamily
from ganzoo.families.text import data as _data  # noqa: F401  (registers data.source=text)
from ganzoo.families.text import models as _models  # noqa: F401  (registers the text archs)
from ganzoo.family import LoadedRun, WatchedMetric, register_family


@register_family
class TextFamily(ImageFamily):
    name = "text"

    def claims(self, config) -> str:
        from ganzoo.families.text import models as text_resnet

        if config.data.source == "text":
            return "data.source='text'"
        arch = config.model.arch
        return f"model.arch={arch!r}" if arch in text_resnet.TEXT_ARCHS else ""

    def check_config(self, config) -> None:
        from ganzoo.families.text import lib

        super().check_config(config)
        lib.check_config(config)

    def resolve(self, config):
        """An empty text.vocab becomes the corpus's (its training split's characters)."""
        from ganzoo.families.text import lib

        return lib.with_vocab(config)

    def build_gan(self, config, common: dict):
        from ganzoo.families.text import lib as text_lib
        from ganzoo.gan import GAN

        generator, discriminator = text_lib.build_text_models(config, self.example_shape(config))
        return GAN(generator, discriminator, latent_dim=config.model.latent_dim, **common)

    def monitor_class(self):
        from ganzoo.families.text import lib as text_lib

        return text_lib.TextMonitor

    def sample(self, run: LoadedRun, num: int, seed: int) -> dict:
        """Decoded text (.txt) and the character indices (.npy); no picture."""
        from ganzoo.families.text import lib as text_lib

        directory = run.workdir.samples_dir
        return text_lib.write_samples(run.gan, run.config, run.step, directory, num, seed)

    def sample_line(self, out: dict, main: str = "txt") -> str:
        return super().sample_line(out, main)

    def export(self, run: LoadedRun) -> dict:
        """z -> indices, strings and probabilities."""
        from ganzoo.families.text import lib as text_lib

        gan = run.gan
        paths = text_lib.export_text_generator(
            gan.sampling_generator, gan.latent_dim, run.config.text.vocab, run.workdir.export_dir
        )
        return {**paths, "step": run.step}

    def make_evaluator(self, config, stream=None, memorisation: bool = False):
        """TextEvaluator; `memorisation` changes nothing (no nearest-text search yet)."""
        from ganzoo.families.text import evaluator as text_eval

        return text_eval.TextEvaluator(config, stream)

    def watched_metrics(self, config) -> tuple[WatchedMetric, ...]:
        """The 4-gram JS divergence (lower is better), then the share of real words."""
        return WatchedMetric("js_4", "min"), WatchedMetric("word_share", "max")

    def reference_figures(self, config, evaluator) -> dict[str, dict]:
        """The baseline `unigram`, random text with the training text's character frequencies,
        and `real`, as many training sequences as generated ones (`TextEvaluator.context`)."""
        context = evaluator.context()
        return {"unigram": context["unigram_baseline"], "real": context["real_floor"]}

    def evaluate_real(self, config, stream=None) -> dict:
        from ganzoo.families.text import evaluator as text_eval

        return text_eval.evaluate_real(config, stream)
