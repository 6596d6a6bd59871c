"""Skips that are skips: with every Debian package the tests read hidden through ganzoo's own
location settings, the tests that need one skip naming it, and the rest of the cases that touch
those packages pass. Runs a selection of the suite in a subprocess pytest."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import debian_packages
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMOKE = "tests/test_experiments.py::test_experiment_runs_two_steps"
ROUND_TRIP = "tests/test_serialization.py::test_gan_round_trips_through_a_keras_file"

# node id -> the package its skip reason must name.
SKIPS = {
    f"{SMOKE}[text_chars_wgan_gp]": "fortunes",
    f"{SMOKE}[text_chars_gumbel]": "fortunes",
    f"{SMOKE}[speech_digits_wavegan]": "espeak-ng",
    "tests/families/text/test_text_data.py::"
    "test_debian_word_list_is_shuffled_before_the_split": "wamerican",
    "tests/families/audio/test_espeak_digits.py::"
    "test_tiny_synthesis_is_deterministic_cached_and_labelled": "espeak-ng",
    "tests/data/test_real_data.py": "dataset-fashion-mnist",  # the whole module
    "tests/metrics/test_classifier.py::"
    "test_real_fashion_mnist_classifier_reaches_90_percent": "dataset-fashion-mnist",
    "tests/judge/test_judge_browser.py": "chromium",  # the whole module
}
# Cases that read no Debian package, or fall back without it: they must pass.
PASSES = [
    f"{SMOKE}[fashion_mnist_dcgan]",  # data.source=auto: TFDS (mocked) without the IDX files
    f"{ROUND_TRIP}[text_chars_gumbel]",  # a given vocabulary: no corpus read
    f"{ROUND_TRIP}[speech_digits_wavegan]",
    "tests/test_serialization.py::test_every_registered_class_is_in_a_round_trip",
    "tests/families/audio/test_espeak_digits.py::test_missing_espeak_names_the_package",
]

# Loaded with -p: ganzoo's system IDX roots (Debian's /usr/share/datasets) become an empty folder.
PLUGIN = """
def pytest_configure(config):
    from ganzoo.data import idx

    idx.SYSTEM_IDX_ROOTS = ({empty!r},)
"""


def _outcomes(junit_xml: str) -> dict[str, tuple[str, str]]:
    """test id (file path::name, or the file path of a module skipped as it was collected) ->
    (passed | skipped | failed, the skip or failure message)."""
    out = {}
    for case in ET.parse(junit_xml).iter("testcase"):
        classname, name = case.get("classname"), case.get("name")
        test = (
            f"{classname.replace('.', '/')}.py::{name}"
            if classname
            else name.replace(".", "/") + ".py"
        )
        result, message = "passed", ""
        for child in case:
            if child.tag in ("skipped", "failure", "error"):
                result = "skipped" if child.tag == "skipped" else "failed"
                message = " ".join(filter(None, (child.get("message"), child.text)))
        out[test] = (result, message)
    return out


def test_missing_debian_packages_skip_with_their_names_never_fail(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (tmp_path / "plugin").mkdir()
    (tmp_path / "plugin" / "hide_debian.py").write_text(PLUGIN.format(empty=str(empty)))
    env = {k: v for k, v in os.environ.items() if k != "GANZOO_IDX_DIR"}
    env.update(
        GANZOO_TEXT_DIR=str(empty),  # no fortunes/, no american-english
        GANZOO_ESPEAK=str(empty / "espeak-ng"),  # a path that does not exist
        GANZOO_CHROMIUM=str(empty / "chromium"),
        PYTHONPATH=os.pathsep.join([REPO, str(tmp_path / "plugin"), env.get("PYTHONPATH", "")]),
        TF_CPP_MIN_LOG_LEVEL="2",
    )
    junit = str(tmp_path / "results.xml")
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-rs",
        "-p",
        "hide_debian",
        "-p",
        "no:cacheprovider",
    ]
    command += [f"--junitxml={junit}", *SKIPS, *PASSES]
    proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    report = proc.stdout[-4000:] + proc.stderr[-2000:]
    assert proc.returncode == 0, report
    outcomes = _outcomes(junit)
    failed = {k: v for k, v in outcomes.items() if v[0] == "failed"}
    assert not failed, report

    for test, package in SKIPS.items():
        found = {k: v for k, v in outcomes.items() if k == test or k.startswith(test + "::")}
        assert found, f"{test} did not run; the subprocess reported:\n{report}"
        for k, (result, message) in found.items():
            if test.endswith("test_judge_browser.py") and "Playwright" in message:
                continue  # without Playwright the module skips before it looks for Chromium
            assert result == "skipped" and f"needs Debian's {package}" in message, (k, message)
            assert f"apt-get install {package}" in message, (k, message)
    for test in PASSES:
        assert outcomes.get(test, ("absent", ""))[0] == "passed", (test, report)


@pytest.fixture
def hidden(tmp_path, monkeypatch):
    """Every Debian package hidden in this process, as the subprocess above hides them."""
    from ganzoo.data import idx

    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setattr(idx, "SYSTEM_IDX_ROOTS", (str(empty),))
    monkeypatch.delenv(idx.IDX_DIR_ENV, raising=False)
    for name in ("GANZOO_TEXT_DIR", "GANZOO_ESPEAK", "GANZOO_CHROMIUM"):
        monkeypatch.setenv(name, str(empty / "absent"))
    return empty


@pytest.mark.parametrize("package", sorted(debian_packages.PACKAGES))
def test_the_skip_check_follows_the_location_settings(package, hidden):
    assert not debian_packages.installed(package)
    marker = debian_packages.needs(package)
    assert marker.args == (True,) and f"apt-get install {package}" in marker.kwargs["reason"]


def test_an_experiment_skips_exactly_when_ganzoo_reports_the_package_missing(hidden, tmp_path):
    """The smoke test's skip and the product agree: every experiment the helper finds a package
    missing for stops building its data with MissingPackageError naming that package."""
    import ganzoo
    from ganzoo.errors import MissingPackageError
    from ganzoo.experiment import EXPERIMENTS, list_experiments, smoke_overrides

    skipped = {}
    for name in sorted(list_experiments()):
        # The recipe as registered: folder experiments validate only once given a data.dir.
        missing = debian_packages.missing_packages(EXPERIMENTS.get(name)())
        if missing:
            sets = {"eval.cache_dir": str(tmp_path / "cache"), **smoke_overrides(name)}
            with pytest.raises(MissingPackageError) as error:
                ganzoo.build_dataset(ganzoo.get_experiment(name, sets))
            assert [error.value.package] == missing, name
            skipped[name] = error.value.package
    assert skipped == {
        "speech_digits_wavegan": "espeak-ng",
        "text_chars_gumbel": "fortunes",
        "text_chars_wgan_gp": "fortunes",
    }
