"""Command line: `python -m ganzoo.run --experiment=NAME --workdir=DIR [--mode=...] [--set k=v]`.

Thin by design: parse flags, build the config, call train_lib. Errors meant for the user print
one line and exit non-zero.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TF's start-up chatter off the console

from absl import app, flags  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_string("experiment", None, "Registered experiment name (see --mode=list).")
flags.DEFINE_string("workdir", None, "Run folder; default runs/<experiment>.")
flags.DEFINE_enum("mode", "train", ["train", "sample", "export", "list"], "What to do.")
flags.DEFINE_multi_string("set", [], "Config override key=value, repeatable (e.g. train.steps=2000).")


def _config(overrides):
    from ganzoo import config as config_lib
    from ganzoo.experiment import get_experiment
    from ganzoo.workdir import Workdir

    if FLAGS.experiment:
        return get_experiment(FLAGS.experiment, overrides)
    if FLAGS.mode in ("sample", "export") and FLAGS.workdir:
        saved = Workdir(FLAGS.workdir).read_config()
        if saved is not None:
            return config_lib.validate(config_lib.apply_overrides(saved, overrides))
    from ganzoo.errors import ConfigError

    raise ConfigError("Received no --experiment. Pass --experiment=NAME (list them with --mode=list).")


def _quiet_tensorflow() -> None:
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    from absl import logging

    logging.set_verbosity(logging.WARNING)


def run(argv) -> int:
    from ganzoo import config as config_lib
    from ganzoo import train_lib
    from ganzoo.experiment import list_experiments

    _quiet_tensorflow()
    if len(argv) > 1:
        from ganzoo.errors import ConfigError

        raise ConfigError(f"Received unexpected arguments {argv[1:]}. Use --set key=value for overrides.")
    if FLAGS.mode == "list":
        experiments = list_experiments()
        width = max(map(len, experiments))
        for name, description in experiments.items():
            print(f"{name:<{width}}  {description}")
        return 0
    overrides = config_lib.parse_set_flags(FLAGS.set)
    config = _config(overrides)
    workdir = FLAGS.workdir or os.path.join("runs", config.name or "run")
    if FLAGS.mode == "train":
        train_lib.train(config, workdir)
    elif FLAGS.mode == "sample":
        out = train_lib.sample(workdir, config=config)
        print(f"Wrote {out['num']} samples from step {out['step']}: {out['png']} and {out['npy']}")
    elif FLAGS.mode == "export":
        out = train_lib.export(workdir, config=config)
        print(f"Exported the generator of step {out['step']}: {out['saved_model']} and {out['keras']}")
    return 0


def main(argv):
    from ganzoo.errors import GanzooError

    try:
        return run(argv)
    except GanzooError as e:
        print(f"ganzoo: error: {e}", file=sys.stderr)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    app.run(main)
