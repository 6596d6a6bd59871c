"""Latent-space editing: interpolation and direction maths against numpy, inversion of a known z,
fine-tuning, and `--mode=edit` on tiny trained runs (2-D points and images), bad inputs."""

import json
import os

import keras
import numpy as np
import pytest
from cli_runner import cli

from ganzoo import editing
from ganzoo.errors import ConfigError


def test_lerp_and_slerp_hit_the_endpoints():
    rng = np.random.default_rng(0)
    z0, z1 = rng.normal(size=(3, 16)), rng.normal(size=(3, 16))
    for fn in (editing.lerp, editing.slerp):
        path = fn(z0, z1, [0.0, 1.0])
        np.testing.assert_allclose(path[0], z0, atol=1e-5)
        np.testing.assert_allclose(path[1], z1, atol=1e-5)


def test_slerp_keeps_the_norm_and_lerp_shrinks_it():
    rng = np.random.default_rng(1)
    z0, z1 = rng.normal(size=(4, 32)), rng.normal(size=(4, 32))
    z1 = z1 / np.linalg.norm(z1, axis=1, keepdims=True) * np.linalg.norm(z0, axis=1, keepdims=True)
    t = np.linspace(0, 1, 7)
    norms = np.linalg.norm(editing.slerp(z0, z1, t), axis=-1)  # [7, 4]
    np.testing.assert_allclose(norms, np.broadcast_to(norms[0], norms.shape), rtol=1e-5)
    # Independent forms: the slerp midpoint of equal-norm vectors is their normalised sum times
    # the norm; lerp's midpoint norm is cos(omega / 2) times it.
    r = np.linalg.norm(z0, axis=1, keepdims=True)
    mid = (z0 + z1) / np.linalg.norm(z0 + z1, axis=1, keepdims=True) * r
    np.testing.assert_allclose(editing.slerp(z0, z1, 0.5)[0], mid, rtol=1e-5, atol=1e-6)
    omega = np.arccos(np.sum(z0 * z1, axis=1) / r[:, 0] ** 2)
    np.testing.assert_allclose(
        np.linalg.norm(editing.lerp(z0, z1, 0.5)[0], axis=1), np.cos(omega / 2) * r[:, 0], rtol=1e-5
    )


def test_slerp_of_parallel_vectors_falls_back_to_lerp():
    z0 = np.array([1.0, 2.0])
    np.testing.assert_allclose(editing.slerp(z0, 3 * z0, [0.5])[0], 2 * z0, rtol=1e-6)


def test_interpolation_path_shape_and_errors():
    path = editing.interpolation_path(np.zeros((2, 5)), np.ones((2, 5)), 4, "lerp")
    assert path.shape == (4, 2, 5)
    np.testing.assert_allclose(path[:, 0, 0], [0, 1 / 3, 2 / 3, 1], rtol=1e-6)
    with pytest.raises(ConfigError, match="frames=1"):
        editing.interpolation_path(np.zeros(2), np.ones(2), 1)
    with pytest.raises(ConfigError, match="method='cubic'"):
        editing.interpolation_path(np.zeros(2), np.ones(2), 3, "cubic")


def test_group_direction_is_the_mean_difference():
    z = np.array([[1.0, 0.0], [3.0, 0.0], [0.0, 2.0], [9.0, 9.0]])
    groups = np.array([0, 0, 1, 2])
    np.testing.assert_allclose(editing.group_direction(z, groups, 0, 1), [-2.0, 2.0])
    with pytest.raises(ConfigError, match=r"no latent in group\(s\) \[5\].*Expected both"):
        editing.group_direction(z, groups, 0, 5)


def _fixed_generator(seed=0):
    """A tiny injective generator: x = tanh(W z + c), z in R^4 -> x in R^24."""
    rng = np.random.default_rng(seed)
    z = keras.Input((4,))
    dense = keras.layers.Dense(24, activation="tanh")
    model = keras.Model(z, dense(z))
    dense.set_weights([rng.normal(0, 0.4, (4, 24)).astype("float32"), np.zeros(24, "float32")])
    return model


def test_inversion_recovers_a_known_latent():
    g = _fixed_generator()
    rng = np.random.default_rng(1)
    z_true = rng.normal(size=(5, 4)).astype("float32")
    target = g(z_true).numpy()
    found = editing.invert(g, target, rng.normal(size=(5, 4)), steps=300, lr=0.05)
    assert found.history[-1] < found.history[0] / 1000, found.history[[0, -1]]
    np.testing.assert_allclose(found.z, z_true, atol=0.05)
    assert found.mse.shape == (5,) and found.images.shape == (5, 24)


def test_feature_loss_and_latent_penalty_change_the_objective():
    g = _fixed_generator()
    target = g(np.ones((2, 4), "float32")).numpy()
    z0 = np.zeros((2, 4), "float32")
    plain = editing.invert(g, target, z0, steps=50)
    # A huge |z|^2 penalty keeps z near 0: the reconstruction stays poor.
    held = editing.invert(g, target, z0, steps=50, latent_reg=100.0)
    assert np.abs(held.z).max() < 0.1 < np.abs(plain.z).max()
    featured = editing.invert(
        g, target, z0, steps=50, feature_fn=lambda x: 10.0 * x[:, :3], feature_weight=1.0
    )
    assert featured.history[-1] < featured.history[0]
    with pytest.raises(ConfigError, match="2 targets and 3 initial latents"):
        editing.invert(g, target, np.zeros((3, 4)), steps=1)


def test_finetuning_fits_an_off_manifold_target_and_leaves_the_generator_alone():
    g = _fixed_generator()
    before = [w.copy() for w in g.get_weights()]
    target = np.random.default_rng(2).uniform(-0.9, 0.9, (3, 24)).astype("float32")
    inverted = editing.invert(g, target, np.zeros((3, 4)), steps=100)
    tuned = editing.finetune(g, inverted.z, target, steps=200, lr=1e-2)
    assert tuned.history[-1] < 0.5 * inverted.history[-1]
    for w0, w1 in zip(before, g.get_weights(), strict=True):
        np.testing.assert_array_equal(w0, w1)
    assert tuned.generator is not g


def test_bad_edit_settings_are_refused():
    from ganzoo.experiment import get_experiment

    for overrides, message in (
        ({"edit.op": "morph"}, "edit.op='morph'. Expected one of interpolate"),
        ({"edit.strengths": "a,b"}, "edit.strengths='a,b'"),
        ({"edit.frames": 1}, "frames >= 2"),
        ({"edit.finetune_lr": 0.0}, "positive learning rates"),
    ):
        with pytest.raises(ConfigError, match=message):
            get_experiment("ring8_gan", overrides)


# -- the CLI on tiny trained runs --------------------------------------------------------------
def _train(tmp_path, *sets, experiment="ring8_gan"):
    workdir = str(tmp_path / "run")
    args = [
        f"--experiment={experiment}",
        f"--workdir={workdir}",
        "--set=train.steps=20",
        "--set=train.batch_size=32",
        "--set=train.log_every=10",
        "--set=train.sample_every=20",
        "--set=train.checkpoint_every=20",
        "--set=sample.num=16",
        *sets,
    ]
    assert cli(*args) == 0
    return workdir


def _edit(workdir, *sets):
    assert cli("--mode=edit", f"--workdir={workdir}", *sets) == 0
    names = sorted(n for n in os.listdir(os.path.join(workdir, "edits")) if n.endswith(".json"))
    return names


def test_cli_edit_on_a_tiny_2d_run(tmp_path):
    from ganzoo import edit_lib, train_lib

    workdir = _train(
        tmp_path, "--set=model.width=16", "--set=model.depth=2", "--set=model.latent_dim=4"
    )
    _edit(workdir, "--set=edit.num=3", "--set=edit.frames=5")
    result = json.load(open(os.path.join(workdir, "edits", "interpolate_step000020_seed0.json")))
    for method in ("lerp", "slerp"):
        rows = np.load(result[method]["npy"])
        assert rows.shape == (3, 5, 2) and os.path.exists(result[method]["png"])
    # lerp's midpoint is shorter than the endpoints; slerp's is not (much).
    assert result["lerp"]["mean_z_norm_midpoint"] < result["slerp"]["mean_z_norm_midpoint"]

    # Direction between the two modes the generator fills most (nearest-mode groups).
    config, gan, _ = train_lib.load_run(workdir)
    grouper = edit_lib.Grouper(config)
    groups = grouper(gan.generate(500, seed=1))
    a, b = np.argsort(np.bincount(groups, minlength=8))[::-1][:2]
    _edit(workdir, "--set=edit.op=direction", f"--set=edit.class_a={a}", f"--set=edit.class_b={b}",
          "--set=edit.group_samples=500", "--set=edit.num=4")  # fmt: skip
    result = json.load(open(os.path.join(workdir, "edits", "direction_step000020_seed0.json")))
    assert result["grouped_by"] == "mode" and result["strengths"][0] == 0.0
    assert result["share_in_class_b"][0] == 0.0  # strength 0: every sample is still in a
    assert result["share_in_class_b"][2] > result["share_in_class_b"][0]

    _edit(workdir, "--set=edit.op=invert", "--set=edit.num=4", "--set=edit.steps=100",
          "--set=edit.restarts=2", "--set=edit.finetune_steps=30", "--set=edit.finetune_lr=1e-3",
          f"--set=edit.class_a={a}", f"--set=edit.class_b={b}", "--set=edit.strengths=1")  # fmt: skip
    result = json.load(open(os.path.join(workdir, "edits", "invert_step000020_seed0.json")))
    assert result["inversion"]["mse"] < result["mse_at_start_all_restarts"]
    assert result["finetuned"]["mse"] <= result["inversion"]["mse"]
    assert np.load(result["npy"]).shape == (4, 4, 2)  # target, G(z*), G'(z*), edit
    assert np.load(result["z"]).shape == (4, 4)


def _write_images(folder, n=8, size=28):
    import PIL.Image

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(n):
        PIL.Image.fromarray(rng.integers(0, 255, (size, size), dtype=np.uint8)).save(
            folder / f"{i}.png"
        )
    return str(folder)


def test_cli_edit_on_an_image_run_and_its_clear_errors(tmp_path, capsys):
    images = _write_images(tmp_path / "images")
    workdir = _train(
        tmp_path,
        f"--set=data.dir={images}",
        "--set=model.resolution=28",
        "--set=model.channels=1",
        "--set=model.width=4",
        "--set=model.latent_dim=8",
        "--set=train.steps=2",
        "--set=train.batch_size=4",
        "--set=train.sample_every=2",
        "--set=train.checkpoint_every=2",
        "--set=health.diversity_samples=4",
        experiment="image_folder_dcgan",
    )
    _edit(workdir, "--set=edit.op=invert", f"--set=edit.inputs={images}", "--set=edit.num=3",
          "--set=edit.steps=20", "--set=edit.restarts=1", "--set=edit.finetune_steps=5")  # fmt: skip
    result = json.load(open(os.path.join(workdir, "edits", "invert_step000002_seed0.json")))
    assert np.load(result["npy"]).shape == (3, 3, 28, 28, 1)
    assert result["inversion"]["psnr"] > 0 and "psnr" in result["finetuned"]

    # No labels and no domain classifier for an image folder: no class direction.
    assert cli("--mode=edit", f"--workdir={workdir}", "--set=edit.op=direction") == 2
    assert "has no domain classifier and no labels" in capsys.readouterr().err
    # A folder with a config but no checkpoint, and one that is not a run at all.
    os.remove(os.path.join(workdir, "checkpoints", "checkpoint"))
    assert cli("--mode=edit", f"--workdir={workdir}") == 2
    assert "No checkpoint in" in capsys.readouterr().err
    assert cli("--mode=edit", f"--workdir={tmp_path / 'images'}") == 2
    assert "has no config.json" in capsys.readouterr().err


def test_cli_edit_on_a_tiny_conditional_run(tmp_path):
    workdir = _train(
        tmp_path,
        "--set=model.width=16",
        "--set=model.depth=2",
        "--set=model.latent_dim=4",
        "--set=train.steps=10",
        "--set=train.checkpoint_every=10",
        "--set=train.sample_every=10",
        experiment="ring8_cgan",
    )
    _edit(workdir, "--set=edit.num=3", "--set=edit.frames=4", "--set=edit.method=slerp")
    result = json.load(open(os.path.join(workdir, "edits", "interpolate_step000010_seed0.json")))
    assert result["labels"] == [0, 1, 2] and np.load(result["slerp"]["npy"]).shape == (3, 4, 2)
    # The class is G's input: the class edit swaps the label, z held.
    _edit(workdir, "--set=edit.op=direction", "--set=edit.class_a=2", "--set=edit.class_b=5")
    result = json.load(open(os.path.join(workdir, "edits", "direction_step000010_seed0.json")))
    assert result["grouped_by"] == "label" and np.load(result["npy"]).shape == (8, 2, 2)
    # Inversion of real points with their own labels, then the label edit.
    _edit(workdir, "--set=edit.op=invert", "--set=edit.num=4", "--set=edit.steps=50",
          "--set=edit.restarts=1", "--set=edit.class_b=3")  # fmt: skip
    result = json.load(open(os.path.join(workdir, "edits", "invert_step000010_seed0.json")))
    assert result["inversion"]["mse"] < result["mse_at_start_all_restarts"]
    assert result["edit"] == {"label": 3} and np.load(result["npy"]).shape == (4, 3, 2)
