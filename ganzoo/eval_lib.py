"""Evaluation of run folders: `--mode=eval`, `eval_real` and `train_classifier`, each done
the way the run's family says (`ganzoo.family.Family.evaluate` and friends).

The scoring itself (extractors, real references, metrics, the image `Evaluator`) is in
`ganzoo.metrics.evaluator`; its public names are re-exported here.
"""

from __future__ import annotations

from ganzoo import config as config_lib
from ganzoo.checkpoint import BEST_DIR, RunCheckpoint
from ganzoo.errors import EvalError
from ganzoo.family import LoadedRun, family_of
from ganzoo.metrics.evaluator import (  # noqa: F401  (re-exported)
    CLASSIFIER_DATASETS,
    Evaluator,
    build_extractor,
    comparable,
    examples,
    generated_batches,
    generator_function,
    image_metrics,
    nearest_path,
    real_batches,
    real_reference,
    result_path,
    summary,
    summary_line,
    synthetic_metrics,
    training_split,
)
from ganzoo.train_lib import build_gan
from ganzoo.training import run_lock
from ganzoo.workdir import Workdir


def resolve_extractor(config: config_lib.Config) -> str:
    """eval.extractor with `auto` resolved by the run's family."""
    return family_of(config).extractor_kind(config)


def train_domain_classifier(config: config_lib.Config, stream=None) -> dict:
    """Trains the domain classifier of `config`'s family and data; returns its metadata."""
    return family_of(config).train_domain_classifier(config, stream)


def make_evaluator(config: config_lib.Config, stream=None):
    """The evaluator of `config`'s family (Evaluator for images; text and video runs have
    their own, with the same interface)."""
    return family_of(config).make_evaluator(config, stream)


def load_for_eval(workdir: str, config: config_lib.Config | None = None, stream=None) -> LoadedRun:
    """The run folder's GAN restored from its newest readable checkpoint, or its best with
    eval.checkpoint=best (damaged newer ones are moved aside when this process holds the
    folder: run_lock.writer)."""
    wd = Workdir(workdir)
    config = config or wd.require_config()
    config = family_of(config).resolve(config)
    which = config.eval.checkpoint
    directory = wd.sub(BEST_DIR) if which == "best" else wd.checkpoint_dir
    gan = build_gan(config)
    ckpt = RunCheckpoint(gan, directory, config.train.keep_checkpoints)
    if ckpt.latest is None:
        how = "train with --set eval.every=N to keep one" if which == "best" else "train first"
        raise EvalError(f"No {which} checkpoint in {directory!r} ({how}).")
    ckpt.restore_latest(set_aside=run_lock.held(wd.path), stream=stream)
    return LoadedRun(config, gan, ckpt.step, wd, which, ckpt.latest)


def evaluate_run(workdir: str, config: config_lib.Config | None = None, stream=None) -> dict:
    """Scores the latest (or, with eval.checkpoint=best, the best) checkpoint of a run folder
    as its family does, and writes its result under eval/; returns the result (with `path`).
    Holds the run folder while it does (run_lock.writer)."""
    with run_lock.writer(Workdir(workdir).path, stream):
        run = load_for_eval(workdir, config, stream)
        return family_of(run.config).evaluate(run, stream)


def evaluate_real(config: config_lib.Config, stream=None) -> dict:
    """Scores the real `data.split` as if generated, against eval.split: the floor a perfect
    generator reaches with these sample counts (e.g. train against test)."""
    return family_of(config).evaluate_real(config, stream)
