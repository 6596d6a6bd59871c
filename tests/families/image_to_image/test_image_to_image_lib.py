"""Image-to-image runs end to end on a tiny folder: train, sample (test split and
sample.inputs), export (a SavedModel loadable without ganzoo), eval against the baselines."""

import json
import os

import numpy as np
import PIL.Image
import pytest
from clean_serving import serve_without_ganzoo

from ganzoo import eval_lib, train_lib
from ganzoo.config import apply_overrides, base_config
from ganzoo.experiment import validate
from ganzoo.families.image_to_image import data as paired
from ganzoo.families.image_to_image import lib as i2i_lib


def write_images(folder, n=6, size=20):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(n):
        PIL.Image.fromarray(rng.integers(0, 255, (size, size, 3), dtype=np.uint8)).save(
            folder / f"img{i}.png"
        )
    return str(folder)


def tiny_config(data_dir, **overrides):
    c = base_config()
    c.name = "tiny_inpaint"
    c.data.update(source="folder", name="image_folder", dir=data_dir, shuffle_buffer=4)
    c.model.update(arch="pix2pix", resolution=16, channels=3, width=4)
    c.image_to_image.update(task="inpaint", mask="free", eval_fid=False)
    c.train.update(steps=2, batch_size=2, log_every=1, sample_every=2, checkpoint_every=2)
    c.sample.update(num=4)
    c.health.update(diversity_samples=4)
    c.eval.update(num_samples=10, batch_size=4)
    return validate(apply_overrides(c, overrides))


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("image_to_image")
    config = tiny_config(write_images(root / "images"))
    workdir = str(root / "run")
    gan = train_lib.train(config, workdir)
    assert int(gan.g_optimizer.iterations) == 2
    assert os.path.exists(os.path.join(workdir, "samples", "step_000002.png"))
    return config, workdir, root


def test_sample_without_inputs_uses_the_eval_split(run):
    config, workdir, _ = run
    out = train_lib.sample(workdir)
    assert out["num"] == 4 and np.load(out["npy"]).shape == (4, 16, 16, 3)
    picture = np.asarray(PIL.Image.open(out["png"]))
    # 4 examples x (input|output|target), each 16x16 image drawn x6 (96 px), 2 px apart.
    assert picture.shape == (2 + 98, 2 + 12 * 98, 3)


def test_sample_inputs_writes_outputs_beside_each_input(run, tmp_path):
    config, workdir, _ = run
    inputs_dir = write_images(tmp_path / "mine", n=3, size=24)
    out = train_lib.sample(workdir, config=apply_overrides(config, {"sample.inputs": inputs_dir}))
    names = sorted(os.listdir(out["dir"]))
    assert names == sorted(
        [f"img{i}_{k}.png" for i in range(3) for k in ("input", "output")]
        + ["grid.png", "grid.npy"]
    )
    assert out["num"] == 3 and os.path.dirname(out["dir"]).endswith("samples")
    output = np.asarray(PIL.Image.open(os.path.join(out["dir"], "img0_output.png")))
    assert output.shape == (16, 16, 3)
    with pytest.raises(Exception, match="does not exist"):
        train_lib.sample(workdir, config=apply_overrides(config, {"sample.inputs": "/no/such"}))


def test_export_takes_the_conditioning_image_in_unit_range(run, tmp_path):
    config, workdir, _ = run
    paths = train_lib.export(workdir)
    rng = np.random.default_rng(0)
    targets = rng.uniform(-1, 1, (3, 16, 16, 3)).astype("float32")
    mask = paired.free_form_masks(3, 16, 0.25, [0, 1]).numpy()
    inputs = (paired.inpaint_inputs(targets, mask).numpy() + 1) / 2  # [0, 1], mask last
    checks = """
        spec = fn.structured_input_signature[1]
        assert list(spec) == ["inputs"] and spec["inputs"].shape.as_list() == [None, 16, 16, 4]
        """
    exported = serve_without_ganzoo(paths["saved_model"], tmp_path, checks, inputs=inputs)
    _, gan, _ = train_lib.load_run(workdir)
    want = (gan.translate(inputs * 2 - 1) + 1) / 2
    assert exported.shape == (3, 16, 16, 3) and 0 <= exported.min() and exported.max() <= 1
    np.testing.assert_allclose(exported, want, atol=1e-5)
    known = mask[..., 0] == 0  # known pixels come back as they went in
    np.testing.assert_allclose(exported[known], inputs[..., :3][known], atol=1e-5)
    assert os.path.exists(paths["keras"])


def test_eval_scores_the_gan_and_the_baselines(run):
    pytest.importorskip("cv2")
    config, workdir, _ = run
    result = eval_lib.evaluate_run(workdir)
    assert set(result["methods"]) == {"mean_fill", "telea", "pix2pix", "ground_truth"}
    assert result["num_examples"] == 6 and result["step"] == 2  # the folder has 6 images
    truth = result["methods"]["ground_truth"]
    assert truth["psnr"] is None and truth["ssim"] > 0.9999
    for row in result["methods"].values():
        assert -1 <= row["ssim"] <= 1 and "fid" not in row
    with open(result["path"]) as f:
        assert json.load(f)["grid_columns"] == [
            "input",
            "mean_fill",
            "telea",
            "pix2pix",
            "ground_truth",
        ]
    grid = np.asarray(PIL.Image.open(result["png"]))
    assert grid.shape == (2 + 4 * 98, 2 + 5 * 98, 3)  # the first batch's 4 examples, 5 columns
    assert "| telea |" in i2i_lib.format_table(result)


@pytest.mark.parametrize(
    "experiment, sets, expected",
    [
        (
            "sr4_pix2pix",
            ["image_to_image.task=colorize"],
            "image_to_image.task='colorize' with model.channels=1. Exp",
        ),
        ("sr4_pix2pix", ["model.resolution=30"], "model.resolution=30 with U-Net depth 1. Exp"),
        (
            "sr4_srgan",
            ["model.resolution=30"],
            "model.resolution=30, image_to_image.scale=4. Expected a",
        ),
    ],
)
def test_cli_refuses_impossible_tasks_in_one_line(experiment, sets, expected, tmp_path, capsys):
    from cli_runner import cli

    args = [f"--experiment=fashion_mnist_{experiment}", f"--workdir={tmp_path}"]
    code = cli(*args, *(f"--set={s}" for s in sets))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and expected in err[0], err


def test_a_run_resumes_from_its_checkpoint(tmp_path):
    import io

    config = tiny_config(write_images(tmp_path / "images"), **{"image_to_image.task": "sr"})
    workdir = str(tmp_path / "run")
    train_lib.train(apply_overrides(config, {"train.steps": 1}), workdir)
    _, first, _ = train_lib.load_run(workdir)
    stream = io.StringIO()
    gan = train_lib.train(apply_overrides(config, {"train.steps": 2}), workdir, stream=stream)
    assert "Resuming tiny_inpaint at step 1 of 2" in stream.getvalue()
    assert int(gan.g_optimizer.iterations) == 2 and train_lib.load_run(workdir)[2] == 2
    # the D optimizer's moments came back too: it counts both steps
    assert int(first.d_optimizer.iterations) == 1 and int(gan.d_optimizer.iterations) == 2
