"""Validation of the `judge` config section (no TensorFlow: config imports it)."""

from __future__ import annotations

import re

from ganzoo.errors import ConfigError

# A session name becomes a file name: keep it to characters safe on every file system.
SESSION_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def check_config(config) -> None:
    """Raises ConfigError for a `judge` value that types alone don't catch."""
    judge = config.judge
    if not SESSION_PATTERN.match(judge.session):
        raise ConfigError(
            f"Received: judge.session={judge.session!r}. Expected 1-64 letters, digits, '_', "
            "'.' or '-', starting with a letter or digit (it names the answers file)."
        )
    if not 0 <= judge.port <= 65535:
        raise ConfigError(
            f"Received: judge.port={judge.port}. Expected 0 (pick a free port) to 65535."
        )
    if judge.num_images < 2:
        raise ConfigError(f"Received: judge.num_images={judge.num_images}. Expected 2 or more.")
    if not 0.0 <= judge.real_fraction < 1.0:
        raise ConfigError(
            f"Received: judge.real_fraction={judge.real_fraction}. Expected a share in [0, 1) "
            "(0 = fakes only; below 1 so that every run shows fakes)."
        )
    if not 0 <= judge.scale <= 64:
        raise ConfigError(
            f"Received: judge.scale={judge.scale}. Expected 0 (auto: 224 px or more) to 64."
        )
    if judge.bootstrap < 100:
        raise ConfigError(
            f"Received: judge.bootstrap={judge.bootstrap}. Expected 100 or more resamples."
        )
    if not judge.host or not judge.split:
        raise ConfigError(
            f"Received: judge.host={judge.host!r}, judge.split={judge.split!r}. Expected a host "
            "name or address, and a split name such as test."
        )
