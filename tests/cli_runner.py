"""The in-process `python -m ganzoo.run` runner that the CLI tests share."""


def cli(*args):
    """Runs `python -m ganzoo.run ARGS` in-process; returns its exit code."""
    from absl import flags

    from ganzoo import run

    flags.FLAGS.unparse_flags()
    argv = flags.FLAGS(["ganzoo.run", *args])
    try:
        return run.main(argv) or 0
    except SystemExit as e:
        return e.code
