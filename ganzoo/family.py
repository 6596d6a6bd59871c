"""The Family interface: what the shared code asks of a model family, and the family registry.

Shared code (training, evaluation, sampling, export, editing, judging) never asks which family
is running: it calls `family_of(config).<hook>(...)`. The base class carries the unconditional
image (and 2-D point) behaviour; a family overrides only what differs (docs/adding_a_model.md).
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.metadata
from typing import Any, NamedTuple

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


class WatchedMetric(NamedTuple):
    """A metric of a family's evaluation results (`result["metrics"][key]`) that tells a user
    during training whether the run works, and which way is better."""

    key: str
    better: str  # "min" or "max"


class Family:
    """What the shared code asks of a model family. `ganzoo.families.image.family.ImageFamily`
    implements every hook for unconditional image (and 2-D point) GANs; a family extends it
    and overrides only what differs (docs/adding_a_model.md).

    `claims` decides which family runs a config: exactly one family may claim it (the `image`
    family claims what no other does).
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
        raise NotImplementedError(f"{type(self).__name__}.check_config")

    # -- data and model --------------------------------------------------------------------
    def resolve(self, config):
        """`config` with the values derived from the data filled in (read when a run is
        first built, then saved with it in config.json); the config itself when none."""
        return config

    def example_shape(self, config) -> tuple[int, ...]:
        """The shape of one example the generator makes and the data yields."""
        raise NotImplementedError(f"{type(self).__name__}.example_shape")

    def dataset(self, config, *, with_labels: bool = False, repeat: bool = True):
        """The data's tf.data pipeline (batched by train.batch_size), for training and eval."""
        raise NotImplementedError(f"{type(self).__name__}.dataset")

    def training_dataset(self, config):
        """The batches `fit` trains on."""
        raise NotImplementedError(f"{type(self).__name__}.training_dataset")

    def num_classes(self, config) -> int:
        """Classes the generator is conditioned on (G(z, label)); 0 when unconditional."""
        return 0

    def build_gan(self, config, common: dict):
        """The uncompiled GAN of `config`; `common` holds GAN's shared keyword arguments."""
        raise NotImplementedError(f"{type(self).__name__}.build_gan")

    # -- training --------------------------------------------------------------------------
    def monitor_class(self):
        """The TrainingMonitor (sub)class that logs, samples and checkpoints the run."""
        raise NotImplementedError(f"{type(self).__name__}.monitor_class")

    def prepare_training(self, gan, config, dataset) -> None:
        """Called before each `fit` (again after a rollback rebuilt the GAN)."""

    def training_samples(self, monitor, step: int) -> str:
        """Writes the fixed-z samples of `step` (file and TensorBoard); returns the file."""
        raise NotImplementedError(f"{type(self).__name__}.training_samples")

    def headline(self, gan, config, evaluation: dict | None = None) -> str | None:
        """The quality figure the end-of-training summary shows, when it is cheap; else None.
        `evaluation` is the result of an evaluation at the final step, when one ran."""
        return None

    # -- after training --------------------------------------------------------------------
    def sample(self, run: LoadedRun, num: int, seed: int) -> dict:
        """--mode=sample: writes samples under the run's samples/; returns their paths."""
        raise NotImplementedError(f"{type(self).__name__}.sample")

    def sample_line(self, out: dict) -> str:
        """The line --mode=sample prints for `sample`'s result."""
        raise NotImplementedError(f"{type(self).__name__}.sample_line")

    def export(self, run: LoadedRun) -> dict:
        """--mode=export: export/generator (SavedModel) and export/generator.keras."""
        raise NotImplementedError(f"{type(self).__name__}.export")

    def export_line(self, out: dict) -> str:
        """The line --mode=export prints."""
        raise NotImplementedError(f"{type(self).__name__}.export_line")

    # -- evaluation ------------------------------------------------------------------------
    def make_evaluator(self, config, stream=None, memorisation: bool = False):
        """The evaluator used by --mode=eval and during training (eval.every). `memorisation`
        (--mode=eval): also check the samples against the training data, where the family's
        evaluator can (too slow for every evaluation of a training run)."""
        raise NotImplementedError(f"{type(self).__name__}.make_evaluator")

    def evaluate(self, run: LoadedRun, stream=None) -> dict:
        """--mode=eval of a restored run: scores it and writes eval/step_XXXXXX.json."""
        raise NotImplementedError(f"{type(self).__name__}.evaluate")

    def eval_line(self, result: dict) -> str:
        """The line --mode=eval prints for `result`."""
        raise NotImplementedError(f"{type(self).__name__}.eval_line")

    def evaluate_real(self, config, stream=None) -> dict:
        """--mode=eval_real: real data.split scored as if generated (the floor)."""
        raise NotImplementedError(f"{type(self).__name__}.evaluate_real")

    def headline_metric(self, config) -> WatchedMetric:
        """The metric the best checkpoint follows (lowest FID, lowest js_4, most modes)."""
        raise NotImplementedError(f"{type(self).__name__}.headline_metric")

    def watched_metrics(self, config) -> tuple[WatchedMetric, ...]:
        """The metrics printed and charted beside their reference figures during training:
        the headline first; the others break its ties, in order."""
        return (self.headline_metric(config),)

    def reference_figures(self, config, evaluator) -> dict[str, dict]:
        """{name: metrics}: the trivial baselines (a "unigram" text, say) and "real" (real
        data.split scored as if generated: the floor), scored by `evaluator` as generated
        samples are. Computed once per run (the training run caches them in
        eval/reference.json); {} when the family has none."""
        return {}

    def train_domain_classifier(self, config, stream=None) -> dict:
        """--mode=train_classifier: the domain classifier of the family's data."""
        raise NotImplementedError(f"{type(self).__name__}.train_domain_classifier")

    def extractor_kind(self, config) -> str:
        """eval.extractor with `auto` resolved (modes, classifier or inception)."""
        raise NotImplementedError(f"{type(self).__name__}.extractor_kind")

    def classifier_name(self, config) -> str:
        """The name the domain classifier is cached under."""
        raise NotImplementedError(f"{type(self).__name__}.classifier_name")

    def classifier_builder(self, config):
        """The domain classifier's network builder; None for the image classifier."""
        raise NotImplementedError(f"{type(self).__name__}.classifier_builder")

    # -- editing and judging ---------------------------------------------------------------
    def check_edit(self, config) -> None:
        """ConfigError when --mode=edit cannot work on this family's runs."""

    def check_judge(self, run_path: str, config) -> None:
        """ConfigError when the judging page cannot show this run's samples."""
        raise NotImplementedError(f"{type(self).__name__}.check_judge")


ENTRY_POINT_GROUP = "ganzoo.families"
_plugins_loaded = False


def register_family(cls: type[Family]) -> type[Family]:
    """Class decorator: registers one instance of `cls` under `cls.name`."""
    from ganzoo.families import BUILTIN

    if cls.name in BUILTIN and cls.__module__ != f"ganzoo.families.{cls.name}.family":
        raise ValueError(f"model family {cls.name!r} is ganzoo's own; pick another name.")
    FAMILIES.register(cls.name)(cls())
    return cls


def _load_builtin() -> None:
    """Imports each built-in family's family.py (which registers it) on first use, as entry
    points are: the families sit above this module, so it names them, not imports them. Then,
    once, the packages that declare a `ganzoo.families` entry point (families from outside)."""
    global _plugins_loaded
    from ganzoo.families import BUILTIN  # names only: ganzoo/families/__init__ imports nothing

    for name in BUILTIN:
        if name not in FAMILIES:
            importlib.import_module(f"ganzoo.families.{name}.family")
    if not _plugins_loaded:
        _plugins_loaded = True
        for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            entry.load()


def check_sections(config) -> None:
    """ConfigError for a top-level config section no loaded family defines (a run folder of
    a family from a package that is not imported would otherwise run as an image GAN)."""
    from ganzoo.config import section_names

    unknown = sorted(set(config.keys()) - section_names())
    if unknown:
        raise ConfigError(
            f"Received a config with section(s) {', '.join(map(repr, unknown))} that no loaded "
            "model family defines. Expected ganzoo's sections, or those of a family registered "
            "with ganzoo.register_family and ganzoo.config.register_section: import the "
            f"package that defines it first, or install it with a {ENTRY_POINT_GROUP!r} entry "
            "point."
        )


def family_of(config) -> Family:
    """The family that runs `config`: the one that claims it, else `image`.

    Raises ConfigError naming the families when several claim it (and none supersedes the
    others), e.g. a text run with InfoGAN codes.
    """
    _load_builtin()
    check_sections(config)
    reasons = {name: FAMILIES.get(name).claims(config) for name in FAMILIES}
    claimed = {name: why for name, why in reasons.items() if why}
    for name in list(claimed):
        for other in FAMILIES.get(name).supersedes:
            claimed.pop(other, None)
    if len(claimed) > 1:
        listed = "; ".join(f"{name} ({why})" for name, why in sorted(claimed.items()))
        raise ConfigError(
            f"Received a config that {len(claimed)} model families claim: {listed}. Expected "
            "settings of exactly one family: unset the others' keys."
        )
    return FAMILIES.get(next(iter(claimed), DEFAULT_FAMILY))
