"""README.md stays true: its fit example runs, and CI runs its test command verbatim."""

import os
import re

import keras
import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = open(os.path.join(REPO, "README.md"), encoding="utf-8").read()


def code_blocks(lang):
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_fit_example_runs_and_is_short(tmp_path, monkeypatch):
    (block,) = [b for b in code_blocks("python") if "keras.datasets.mnist" in b]
    assert len([line for line in block.splitlines() if line.strip()]) <= 15
    fake = np.random.default_rng(0).integers(0, 256, (128, 28, 28), dtype=np.uint8)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: ((fake, None), (None, None)))
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(block.replace("epochs=5", "epochs=1"), namespace)  # offline: no MNIST download here
    assert namespace["images"].shape == (16, 28, 28, 1)
    assert int(namespace["gan"].g_optimizer.iterations) == 2
    assert os.listdir(tmp_path / "runs" / "fit_example")
    again = keras.models.load_model(tmp_path / "mnist_gan.keras")
    np.testing.assert_allclose(
        again.generate(4, seed=1), namespace["gan"].generate(4, seed=1), atol=1e-6
    )


def test_ci_runs_the_readme_test_command():
    quick_start = code_blocks("bash")[0].strip().splitlines()
    assert quick_start[0].startswith("pip install") and "ganzoo.run --experiment=" in quick_start[0]
    test_command = quick_start[1].strip()
    ci = open(os.path.join(REPO, ".ci", "run"), encoding="utf-8").read().splitlines()
    assert test_command in [line.strip() for line in ci]
