"""The short block a training run prints when it reaches train.steps: where its files are,
its headline quality figure when that is cheap, and the commands to run next."""

from __future__ import annotations

import os
import shlex

from ganzoo.training.callbacks import format_duration


def shown_path(workdir: str, *parts: str) -> str:
    """A path in the run folder as the user named the folder (relative stays relative)."""
    return os.path.join(os.path.normpath(workdir), *parts)


def run_summary(
    name: str,
    step: int,
    total: int,
    seconds: float,
    workdir: str,
    samples: str | None,
    headline: str | None,
) -> str:
    """At most 10 lines: the run's final step and time, the quality figure (`headline`, when
    there is one), its samples (`samples`: the last file written, else the folder), checkpoint
    and TensorBoard folders, then the next commands, all with the run folder as given."""
    folder = shlex.quote(os.path.normpath(workdir))
    if samples:
        samples = shown_path(workdir, os.path.relpath(samples, os.path.abspath(workdir)))
    lines = [f"Finished {name}: step {step} of {total} in {format_duration(seconds)}."]
    if headline:
        lines.append(f"  quality      {headline}")
    lines += [
        f"  samples      {samples or shown_path(workdir, 'samples')}",
        f"  checkpoints  {shown_path(workdir, 'checkpoints')}",
        f"  tensorboard  {shown_path(workdir, 'tensorboard')}",
        "Next:",
        *(
            f"  python -m ganzoo.run --mode={mode} --workdir={folder}"
            for mode in ("sample", "eval", "export")
        ),
        f"  tensorboard --logdir {shlex.quote(shown_path(workdir, 'tensorboard'))}",
    ]
    return "\n".join(lines)
