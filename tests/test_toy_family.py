"""Adding a model family from outside ganzoo: a toy family defined in this file (its config
section, its `Family` subclass and an experiment), registered with the public calls and taken
through train, resume, sample and export by the command line (docs/adding_a_model.md).

Nothing under ganzoo/ names it. The registries are global, so a fixture registers the three
and removes them again afterwards (`toy_registered`).
"""

import contextlib
import json
import os
import re

import numpy as np
import pytest
from cli_runner import cli

from ganzoo import config as config_lib
from ganzoo import experiment as experiment_lib
from ganzoo.config import base_config, register_section
from ganzoo.errors import ConfigError
from ganzoo.experiment import register_experiment
from ganzoo.families.image.family import ImageFamily
from ganzoo.family import FAMILIES, family_of, register_family

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ToySection:
    """The `toy` config section, as a family's config.py would define it."""

    SECTION = "toy"
    # Read only by --mode=sample: changing it never blocks a resume.
    RUNTIME_KEYS = ("summary_",)

    @staticmethod
    def defaults() -> dict:
        return dict(
            enabled=False,  # run the toy family
            scale=2.0,  # the generator's output is multiplied by this (a Rescaling layer)
            summary_digits=3,  # decimals of the sample summary (--mode=sample)
        )


class ToyFamily(ImageFamily):
    """The 2-D point GAN of the image family, its generator's output scaled by toy.scale; it
    also writes a text summary of its samples, at training and with --mode=sample."""

    name = "toy"
    export_output = "points"

    def claims(self, config) -> str:
        return "toy.enabled=True" if config.toy.enabled else ""

    def check_config(self, config) -> None:
        super().check_config(config)
        if config.toy.scale <= 0:
            raise ConfigError(f"Received: toy.scale={config.toy.scale}. Expected a value > 0.")

    def build_gan(self, config, common: dict):
        import keras

        from ganzoo.gan import GAN
        from ganzoo.models import build_models

        inner, discriminator = build_models(config.model, self.example_shape(config))
        z = keras.Input((config.model.latent_dim,), name="z")
        points = keras.layers.Rescaling(config.toy.scale, name="toy_scale")(inner(z))
        generator = keras.Model(z, points, name="toy_generator")
        return GAN(generator, discriminator, latent_dim=config.model.latent_dim, **common)

    def training_samples(self, monitor, step: int) -> str:
        path = super().training_samples(monitor, step)
        samples = monitor.fixed_samples(monitor.config.sample.num)
        self._summary(
            os.path.join(monitor.workdir.samples_dir, f"toy_step_{step:06d}.txt"),
            samples,
            monitor.config.toy.summary_digits,
        )
        return path

    def sample(self, run, num: int, seed: int) -> dict:
        out = super().sample(run, num, seed)
        txt = out["npy"][: -len(".npy")] + "_toy.txt"
        self._summary(txt, np.load(out["npy"]), run.config.toy.summary_digits)
        return {**out, "txt": txt}

    def sample_line(self, out: dict, main: str = "png") -> str:
        return f"Toy wrote {out['num']} points from step {out['step']}: {out['txt']}"

    def export_line(self, out: dict) -> str:
        return f"Toy exported the scaled generator of step {out['step']}: {out['saved_model']}"

    @staticmethod
    def _summary(path: str, samples, digits: int) -> None:
        mean, std = samples.mean(axis=0), samples.std(axis=0)
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"n={len(samples)} mean={np.round(mean, digits).tolist()} ")
            f.write(f"std={np.round(std, digits).tolist()}\n")


def toy_ring8():
    """Toy family on ring8: an MLP GAN whose generator output is scaled (tests only)."""
    c = base_config()  # has the toy section once it is registered
    c.data.update(source="synthetic", name="ring8", synthetic_size=1024, cache=False)
    c.model.update(arch="mlp", latent_dim=4, width=16, depth=2)
    c.train.update(steps=6, batch_size=32, log_every=3, sample_every=3, checkpoint_every=3)
    c.sample.update(num=64)
    c.toy.enabled = True
    return c


@contextlib.contextmanager
def toy_registered():
    """Registers the section, the family and the experiment as a plugin module would at import
    (`register_section(...)`, `@register_family`, `@register_experiment(...)`), and removes
    them afterwards with the public unregister calls."""
    register_section(ToySection)
    register_family(ToyFamily)
    register_experiment("toy_ring8")(toy_ring8)
    try:
        yield FAMILIES.get("toy")
    finally:
        config_lib.unregister_section("toy")
        FAMILIES.unregister("toy")
        experiment_lib.unregister_experiment("toy_ring8")


@pytest.fixture
def toy():
    with toy_registered() as family:
        yield family


def _log_steps(workdir):
    with open(os.path.join(workdir, "train_log.jsonl"), encoding="utf-8") as f:
        return [json.loads(line)["step"] for line in f]


def test_train_resume_sample_export_through_the_cli(toy, capsys, tmp_path):
    import keras
    import tensorflow as tf

    workdir = str(tmp_path / "run")
    assert family_of(experiment_lib.get_experiment("toy_ring8")) is toy

    # Train 6 steps: the toy section is in config.json, its hooks ran.
    assert cli("--experiment=toy_ring8", f"--workdir={workdir}") == 0
    out = capsys.readouterr().out
    assert "Starting toy_ring8 at step 0 of 6" in out and "step 6/6" in out
    with open(os.path.join(workdir, "config.json"), encoding="utf-8") as f:
        saved = json.load(f)
    assert saved["toy"] == {"enabled": True, "scale": 2.0, "summary_digits": 3}
    assert os.path.exists(os.path.join(workdir, "checkpoints", "ckpt-6.index"))
    assert os.path.exists(os.path.join(workdir, "samples", "toy_step_000003.txt"))
    assert _log_steps(workdir) == [3, 6]

    # Resume to 10 steps; a runtime key of the toy section may change on the way.
    args = ["--set=train.steps=10", "--set=toy.summary_digits=1"]
    assert cli("--experiment=toy_ring8", f"--workdir={workdir}", *args) == 0
    out = capsys.readouterr().out
    assert "Resuming toy_ring8 at step 6 of 10" in out and "step 9/10" in out
    assert _log_steps(workdir) == [3, 6, 9, 10]
    assert os.path.exists(os.path.join(workdir, "checkpoints", "ckpt-10.index"))
    # ... but a key that changes what is trained may not.
    assert cli("--experiment=toy_ring8", f"--workdir={workdir}", "--set=toy.scale=3") == 2
    assert "holds a different run (toy.scale: 2.0 -> 3.0)" in capsys.readouterr().err

    # --mode=sample from the run folder alone: the base family's files and the toy's summary.
    assert cli("--mode=sample", f"--workdir={workdir}", "--set=sample.num=5") == 0
    out = capsys.readouterr().out
    stem = os.path.join(workdir, "samples", "sample_step000010_seed0_n5")
    assert out.strip() == f"Toy wrote 5 points from step 10: {stem}_toy.txt"
    assert np.load(stem + ".npy").shape == (5, 2) and os.path.exists(stem + ".png")
    with open(stem + "_toy.txt", encoding="utf-8") as f:
        assert f.read().startswith("n=5 mean=[")

    # --mode=export: a SavedModel whose output is named by the toy, and the .keras generator.
    assert cli("--mode=export", f"--workdir={workdir}") == 0
    saved_model = os.path.join(workdir, "export", "generator")
    assert capsys.readouterr().out.strip() == (
        f"Toy exported the scaled generator of step 10: {saved_model}"
    )
    z = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    serve = tf.saved_model.load(saved_model).signatures["serving_default"]
    points = serve(z=tf.constant(z))
    assert list(points) == ["points"] and points["points"].shape == (5, 2)
    net = keras.models.load_model(os.path.join(workdir, "export", "generator.keras"))
    assert net.get_layer("toy_scale").scale == 2.0
    np.testing.assert_allclose(points["points"].numpy(), net(z), atol=1e-5)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--experiment=toy_ring8", "--set=toy.scale=0"], "Received: toy.scale=0.0. Expected"),
        (["--experiment=toy_ring8", "--set=toy.scael=3"], "Did you mean 'toy.scale'"),
        (
            ["--experiment=ring8_cgan", "--set=toy.enabled=true"],
            "2 model families claim: conditional (model.conditioning='concat'); "
            "toy (toy.enabled=True)",
        ),
    ],
)
def test_bad_toy_settings_are_one_line_errors(toy, args, message, capsys, tmp_path):
    assert cli(*args, f"--workdir={tmp_path / 'run'}") == 2
    err = capsys.readouterr().err
    assert message in err and err.startswith("ganzoo: error:") and err.count("\n") == 1
    assert not (tmp_path / "run").exists()


def test_a_run_of_a_family_that_is_not_loaded_is_refused(capsys, tmp_path):
    """Without its family, the run would be read as an image GAN's: without the toy's
    Rescaling its samples and export would be wrong, silently."""
    workdir = str(tmp_path / "run")
    with toy_registered():
        assert cli("--experiment=toy_ring8", f"--workdir={workdir}", "--set=train.steps=3") == 0
    capsys.readouterr()
    # As a fresh process would see it when the package defining the family is not imported.
    assert cli("--mode=sample", f"--workdir={workdir}") == 2
    err = capsys.readouterr().err
    assert err.startswith("ganzoo: error:") and "section(s) 'toy'" in err


def test_a_plugin_cannot_take_a_builtin_name():
    class Shadow(ToySection):
        SECTION = "video"

    with pytest.raises(ValueError, match="'video' is ganzoo's own"):
        register_section(Shadow)

    class ShadowFamily(ToyFamily):
        name = "video"

    with pytest.raises(ValueError, match="'video' is ganzoo's own"):
        register_family(ShadowFamily)


def test_unregistering_leaves_the_registries_as_they_were():
    family_of(base_config())  # loads the built-in families first
    before = (sorted(base_config()), list(FAMILIES), experiment_lib.list_experiments())
    with toy_registered():
        assert "toy" in base_config() and "toy" in FAMILIES
        assert "toy_ring8" in experiment_lib.list_experiments()
    assert (sorted(base_config()), list(FAMILIES), experiment_lib.list_experiments()) == before
    assert family_of(experiment_lib.get_experiment("ring8_gan")).name == "image"


def test_nothing_in_ganzoo_names_the_toy_family():
    from ganzoo.families import BUILTIN

    assert "toy" not in BUILTIN
    assert not os.path.exists(os.path.join(REPO, "ganzoo", "families", "toy"))
    names = re.compile(r"""["']toy["']|\btoy[._]|ToyFamily|ToySection""")
    found = []
    for folder, _, files in os.walk(os.path.join(REPO, "ganzoo")):
        for name in files:
            if name.endswith((".py", ".md", ".json", ".txt")):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    found += [f"{path}: {m.group()}" for m in names.finditer(f.read())]
    assert found == []
