"""The Debian packages that some tests read, and the one way a test skips without one.

Whether a package is installed is asked through the lookup ganzoo itself uses ($GANZOO_TEXT_DIR,
$GANZOO_ESPEAK, $GANZOO_CHROMIUM and the IDX roots included), so a test skips exactly when ganzoo
would stop with MissingPackageError, and the reason names the package and its install command.
"""

from __future__ import annotations

import os

import pytest

# package -> what the tests read from it.
PACKAGES = {
    "dataset-fashion-mnist": "the Fashion-MNIST IDX files of /usr/share/datasets/fashion-mnist",
    "fortunes": "the quotations of /usr/share/games/fortunes, with fortunes-min",
    "wamerican": "the word list /usr/share/dict/american-english",
    "espeak-ng": "the speech synthesiser espeak-ng",
    "chromium": "a headless Chromium, or $GANZOO_CHROMIUM",
}


def debian_fashion_mnist_dir() -> str | None:
    """Debian's Fashion-MNIST folder (under ganzoo's system IDX roots) when both splits are
    there, else None."""
    from ganzoo.data import idx

    for root in idx.SYSTEM_IDX_ROOTS:
        directory = os.path.join(root, "fashion-mnist")
        if idx.idx_files(directory, "train") and idx.idx_files(directory, "test"):
            return directory
    return None


def _text_corpus(name: str, data_dir: str = "") -> bool:
    from ganzoo.families.text import data as text_data

    return bool(text_data.debian_corpus_files(name, text_data.corpus_root(data_dir))[1])


def _espeak() -> bool:
    from ganzoo.families.audio import espeak_digits

    return espeak_digits.find_espeak() is not None


def _chromium() -> bool:
    from ganzoo.judge import browser

    return browser.chromium_path() is not None


_INSTALLED = {
    "dataset-fashion-mnist": lambda: debian_fashion_mnist_dir() is not None,
    "fortunes": lambda: _text_corpus("fortunes"),
    "wamerican": lambda: _text_corpus("words"),
    "espeak-ng": _espeak,
    "chromium": _chromium,
}


def _known(package: str) -> str:
    if package not in PACKAGES:
        raise ValueError(f"Received: package={package!r}. Expected one of {sorted(PACKAGES)}.")
    return package


def installed(package: str) -> bool:
    """Whether ganzoo finds what Debian's `package` installs."""
    return _INSTALLED[_known(package)]()


def reason(package: str) -> str:
    """The skip reason: the package, what is read from it, and how to install it."""
    return (
        f"needs Debian's {_known(package)} ({PACKAGES[package]}), not found: "
        f"apt-get install {package}"
    )


def needs(package: str) -> pytest.MarkDecorator:
    """A mark that skips the test (or module, as pytestmark) when `package` is not installed."""
    return pytest.mark.skipif(not installed(package), reason=reason(package))


def missing_packages(config) -> list[str]:
    """The Debian packages `config`'s data source would read and cannot find, by ganzoo's own
    lookup with the config's settings (data.dir, data.path): empty when nothing is missing,
    also for sources that fall back by themselves (data.source=auto without the IDX files)."""
    from ganzoo.families.text import data as text_data

    d = config.data
    if d.source == "text" and not d.path and d.name in text_data.DEBIAN_CORPORA:
        package = text_data.DEBIAN_CORPORA[d.name][0]
        return [] if _text_corpus(d.name, d.dir) else [package]
    if d.source == "espeak_digits":
        return [] if _espeak() else ["espeak-ng"]
    if d.source == "idx" and d.name == "fashion_mnist" and not d.dir:
        from ganzoo.data import idx

        return [] if idx.find_idx_dir(d.name, d.split) else ["dataset-fashion-mnist"]
    return []


def skip_if_missing(config) -> None:
    """pytest.skip, naming the package, when `config`'s data needs one that is absent."""
    missing = missing_packages(config)
    if missing:
        pytest.skip("; ".join(reason(p) for p in missing))
