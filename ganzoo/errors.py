"""User-facing errors: one short message, no traceback wall, non-zero exit from the CLI."""


class GanzooError(Exception):
    """Base class for errors whose message is meant for the user as it is."""

    exit_code = 2


class ConfigError(GanzooError):
    """An unknown experiment, an unknown key, a wrong type or an invalid value."""


class DataError(GanzooError):
    """Data that cannot be had or read: says what was tried and how to provide it."""


class MissingPackageError(DataError):
    """Data or a program that a Debian package installs is absent: `package` names the package
    (what `apt-get install` takes), so a caller can tell "not installed" from "unreadable"."""

    def __init__(self, message: str, package: str):
        super().__init__(message)
        self.package = package


class CheckpointError(GanzooError):
    """A corrupt, missing or mismatched checkpoint."""


class WorkdirError(GanzooError):
    """A workdir that cannot be written, or holds a different run."""


class TrainingError(GanzooError):
    """Training that cannot go on, such as non-finite losses."""


class EvalError(GanzooError):
    """Evaluation that cannot run, such as missing Inception weights offline."""


class Terminated(KeyboardInterrupt):
    """SIGTERM (a scheduler's preemption, `kill`) stopped training at the end of a batch, after
    its checkpoint was saved; the CLI exits 143 (128 + SIGTERM). A KeyboardInterrupt, so code
    that handles Ctrl-C handles it too."""
