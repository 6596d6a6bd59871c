"""Command line: `python -m ganzoo.run --experiment=NAME --workdir=DIR [--mode=...] [--set k=v]`.

Thin by design: parse flags, build the config, call train_lib. Errors meant for the user print
one line and exit non-zero.
"""

from __future__ import annotations

import os
import sys

# TF's INFO and WARNING lines off the console; set it to 0 to see them. TF 2.21 ignores it for
# a few start-up lines, which `_quiet_tensorflow` filters (ganzoo/training/tf_startup.py).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import app, flags  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_string("experiment", None, "Registered experiment name (see --mode=list).")


class _WorkdirFlag(flags.Flag):
    """--workdir: the run folder. --mode=judge takes it repeated to compare runs; the flag's
    value stays the first folder, a string, so every other mode reads FLAGS.workdir as before."""

    def __init__(self):
        super().__init__(
            flags.ArgumentParser(),
            flags.ArgumentSerializer(),
            "workdir",
            None,
            "Run folder; default runs/<experiment>. Repeat it with --mode=judge to compare runs.",
        )
        self.values = []

    def parse(self, argument):
        if not self.present:  # a fresh parse
            self.values = []
        super().parse(argument)
        self.values.append(self.value)
        self.value = self.values[0]

    def unparse(self):
        super().unparse()
        self.values = []


flags.DEFINE_flag(_WorkdirFlag())
flags.DEFINE_enum(
    "mode",
    "train",
    ["train", "sample", "export", "eval", "eval_real", "train_classifier", "edit", "judge", "list"],
    "train | sample | export | eval (score a run's latest or best checkpoint) | eval_real (score "
    "real data.split against eval.split: the floor) | train_classifier (the domain classifier "
    "of the experiment's dataset) | edit (latent-space editing of a run: edit.op=interpolate|"
    "direction|invert) | judge (a real-vs-fake page for people, HYPE score; "
    "docs/human_evaluation.md) | list.",
)
flags.DEFINE_multi_string(
    "set", [], "Config override key=value, repeatable (e.g. train.steps=2000)."
)


def _config(overrides):
    from ganzoo import config as config_lib
    from ganzoo.experiment import get_experiment, validate
    from ganzoo.workdir import Workdir

    if FLAGS.experiment:
        return get_experiment(FLAGS.experiment, overrides)
    if (
        FLAGS.mode in ("sample", "export", "eval", "eval_real", "train_classifier", "edit", "judge")
        and FLAGS.workdir
    ):
        saved = Workdir(FLAGS.workdir).read_config()
        if saved is not None:
            return validate(config_lib.apply_overrides(saved, overrides))
        from ganzoo.errors import WorkdirError

        raise WorkdirError(
            f"{FLAGS.workdir!r} has no config.json: it is not a ganzoo run folder. Pass the "
            f"folder of a trained run, or --experiment=NAME for --mode={FLAGS.mode}."
        )
    from ganzoo.errors import ConfigError

    raise ConfigError(
        "Received no --experiment. Pass --experiment=NAME (list them with --mode=list)."
    )


def _quiet_tensorflow() -> None:
    from ganzoo.training import tf_startup

    tf_startup.import_tensorflow()  # first, before anything else imports TensorFlow
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    from absl import logging

    logging.set_verbosity(logging.WARNING)


def run(argv) -> int:
    _quiet_tensorflow()
    from ganzoo import config as config_lib
    from ganzoo import train_lib
    from ganzoo.experiment import list_experiments
    from ganzoo.family import family_of

    if len(argv) > 1:
        from ganzoo.errors import ConfigError

        raise ConfigError(
            f"Received unexpected arguments {argv[1:]}. Use --set key=value for overrides."
        )
    if FLAGS.mode == "list":
        experiments = list_experiments()
        width = max(map(len, experiments))
        for name, description in experiments.items():
            print(f"{name:<{width}}  {description}")
        return 0
    workdirs = FLAGS["workdir"].values
    if len(workdirs) > 1 and FLAGS.mode != "judge":
        from ganzoo.errors import ConfigError

        raise ConfigError(
            f"Received {len(workdirs)} --workdir flags for --mode={FLAGS.mode}. Expected one "
            "(only --mode=judge compares several runs)."
        )
    overrides = config_lib.parse_set_flags(FLAGS.set)
    config = _config(overrides)
    workdir = FLAGS.workdir or os.path.join("runs", config.name or "run")
    if FLAGS.mode == "train":
        train_lib.train(config, workdir)
    elif FLAGS.mode == "sample":
        out = train_lib.sample(workdir, config=config)
        print(family_of(config).sample_line(out))
    elif FLAGS.mode == "export":
        out = train_lib.export(workdir, config=config)
        print(family_of(config).export_line(out))
    elif FLAGS.mode in ("eval", "eval_real", "train_classifier"):
        _evaluation(config, workdir)
    elif FLAGS.mode == "judge":
        from ganzoo.judge import judge_lib

        judge_lib.main(workdirs or [workdir], config)
    elif FLAGS.mode == "edit":
        from ganzoo import edit_lib

        out = edit_lib.edit(workdir, config=config)
        pictures = ", ".join(out["pngs"])
        print(f"Wrote edit.op={out['op']} of step {out['step']}: {pictures} ({out['path']})")
    return 0


def _evaluation(config, workdir) -> None:
    import json

    from ganzoo import eval_lib
    from ganzoo.family import family_of
    from ganzoo.workdir import Workdir

    if FLAGS.mode == "train_classifier":
        eval_lib.train_domain_classifier(config)
        return
    if FLAGS.mode == "eval":
        print(family_of(config).eval_line(eval_lib.evaluate_run(workdir, config=config)))
        return
    if FLAGS.workdir:  # writes into the run folder: held as any writer holds it
        from ganzoo.training import run_lock

        wd = Workdir(FLAGS.workdir)
        with run_lock.writer(wd.path):
            result = eval_lib.evaluate_real(config)
            name = (
                f"real_{config.data.split}_vs_{config.eval.split}_n{config.eval.num_samples}.json"
            )
            result["path"] = wd.write_json(os.path.join("eval", name), result)
    else:
        result = eval_lib.evaluate_real(config)
        print(json.dumps(result, indent=2, sort_keys=True))
    print(eval_lib.summary_line(f"real {config.data.name} {config.data.split!r}", result))


def main(argv):
    from ganzoo.errors import GanzooError, Terminated

    try:
        return run(argv)
    except GanzooError as e:
        print(f"ganzoo: error: {e}", file=sys.stderr)
        sys.exit(e.exit_code)
    except Terminated:
        sys.exit(143)  # 128 + SIGTERM; the checkpoint is saved
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    app.run(main)
