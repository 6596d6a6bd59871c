"""Evaluation end to end on tiny runs: result files, the real-stats cache, the domain classifier,
the best checkpoint, and the command line."""

import glob
import json
import os
import re

import numpy as np
import pytest
import tensorflow as tf
from cli_runner import cli

import ganzoo
from ganzoo import config as config_lib
from ganzoo import eval_lib, train_lib
from ganzoo.data import idx
from ganzoo.errors import ConfigError, EvalError
from ganzoo.experiment import validate
from ganzoo.families.image.family import ImageFamily
from ganzoo.metrics import classifier as classifier_lib
from ganzoo.metrics import evaluator as evaluator_lib
from ganzoo.workdir import Workdir

TINY_DCGAN = {
    "model.width": 4,
    "model.latent_dim": 8,
    "train.batch_size": 8,
    "train.steps": 4,
    "train.log_every": 2,
    "train.sample_every": 4,
    "train.checkpoint_every": 2,
    "sample.num": 4,
    "sample.cols": 2,
    "data.shuffle_buffer": 32,
    "eval.num_samples": 40,
    "eval.batch_size": 16,
    "eval.classifier_epochs": 1,
}


def write_bars_idx(directory: str, train: int = 200, test: int = 60) -> str:
    """Fashion-MNIST-shaped IDX files (`train` and `test` images) in `directory`, made if
    missing, whose class k is a bright bar at rows 2k+2..2k+5."""
    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(0)
    for prefix, n in (("train", train), ("t10k", test)):
        labels = (np.arange(n) % 10).astype(np.uint8)
        images = rng.integers(0, 40, size=(n, 28, 28)).astype(np.uint8)
        for i, k in enumerate(labels):
            images[i, 2 * k + 2 : 2 * k + 6, 4:24] = 255
        idx.write_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte.gz"), images)
        idx.write_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte.gz"), labels)
    return directory


@pytest.fixture(scope="module")
def bars_dir(tmp_path_factory):
    return write_bars_idx(str(tmp_path_factory.mktemp("idx")))


def image_config(bars_dir, cache_dir, **overrides):
    """fashion_mnist_dcgan, tiny, on the bar IDX files, with its own cache folder."""
    sets = {**TINY_DCGAN, "data.dir": bars_dir, "eval.cache_dir": str(cache_dir), **overrides}
    return ganzoo.get_experiment("fashion_mnist_dcgan", sets)


@pytest.fixture(scope="module")
def image_run(bars_dir, tmp_path_factory):
    """A 4-step tiny DCGAN run on the bar images (no evaluation during training)."""
    root = tmp_path_factory.mktemp("image_run")
    workdir = str(root / "run")
    train_lib.train(image_config(bars_dir, root / "cache"), workdir)
    return workdir


class CountingExtractor:
    """A cheap stand-in extractor: 7x7 mean-pooled pixels as features, a fixed linear map as
    logits; counts the image batches it sees."""

    name = "counting"
    fingerprint = "v1"

    def __init__(self):
        self.images = 0
        self.w = np.random.default_rng(0).normal(size=(49, 10)).astype(np.float32)

    def __call__(self, images):
        self.images += len(images)
        pooled = images.reshape(len(images), 7, 4, 7, 4).mean(axis=(2, 4)).reshape(-1, 49)
        return pooled, pooled @ self.w


@pytest.fixture
def counting(monkeypatch):
    extractor = CountingExtractor()
    monkeypatch.setattr(
        evaluator_lib, "build_extractor", lambda config, kind, stream=None: extractor
    )
    return extractor


def read_json(path):
    with open(path) as f:
        return json.load(f)


# -- config ----------------------------------------------------------------------------------
def test_old_config_without_eval_section_reads_with_defaults():
    saved = validate(config_lib.base_config()).to_dict()
    del saved["eval"]
    config = validate(config_lib.from_json(json.dumps(saved)))
    assert config.eval.to_dict() == config_lib.base_config().eval.to_dict()
    assert config.eval.every == 0  # evaluation during training is off unless asked for


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"eval.extractor": "vgg"}, r"eval.extractor='vgg'. Expected one of auto, inception"),
        ({"eval.checkpoint": "first"}, r"eval.checkpoint='first'. Expected one of latest, best"),
        ({"eval.num_samples": "5"}, r"eval.num_samples=5. Expected at least 10"),
        ({"eval.every": "-1"}, r"eval.every=-1"),
        ({"eval.batch_size": "0"}, r"eval.batch_size=0. Expected a positive value"),
    ],
)
def test_eval_config_validation(overrides, message):
    with pytest.raises(ConfigError, match=message):
        validate(config_lib.apply_overrides(config_lib.base_config(), overrides))


def test_auto_extractor_per_dataset(tiny_synthetic_config):
    assert eval_lib.resolve_extractor(ganzoo.get_experiment("fashion_mnist_dcgan")) == "classifier"
    assert eval_lib.resolve_extractor(ganzoo.get_experiment("mnist_dcgan")) == "classifier"
    assert eval_lib.resolve_extractor(ganzoo.get_experiment("cifar10_dcgan")) == "inception"
    assert eval_lib.resolve_extractor(tiny_synthetic_config) == "modes"
    wrong = ganzoo.get_experiment("mnist_dcgan", {"eval.extractor": "modes"})
    with pytest.raises(ConfigError, match="eval.extractor='modes' with data.source='tfds'"):
        eval_lib.resolve_extractor(wrong)


# -- evaluation of runs ----------------------------------------------------------------------
def test_synthetic_run_eval_writes_json_with_the_config_keys(tiny_synthetic_config, tmp_path):
    workdir = str(tmp_path / "run")
    train_lib.train(tiny_synthetic_config, workdir)
    config = validate(config_lib.apply_overrides(tiny_synthetic_config, {"eval.num_samples": 300}))
    result = eval_lib.evaluate_run(workdir, config)
    saved = read_json(os.path.join(workdir, "eval", "step_000020.json"))
    assert result["path"] == os.path.join(workdir, "eval", "step_000020.json")
    assert saved["step"] == 20 and saved["checkpoint"] == "latest"
    assert (saved["extractor"], saved["num_samples"], saved["split"]) == ("modes", 300, "test")
    assert saved["eval_config"] == config.eval.to_dict()
    assert saved["metrics"]["num_modes"] == 8 and saved["metrics"]["min_count"] == 7
    assert 0 <= saved["metrics"]["high_quality_fraction"] <= 1


def test_eval_at_end_of_training_only(tiny_synthetic_config, tmp_path, capsys):
    workdir = str(tmp_path / "run")
    sets = {"eval.at_end": True, "eval.num_samples": 100}
    config = validate(config_lib.apply_overrides(tiny_synthetic_config, sets))
    train_lib.train(config, workdir)
    assert "eval step 20: modes_covered" in capsys.readouterr().out
    assert sorted(os.listdir(os.path.join(workdir, "eval"))) == [
        "best.json",
        "reference.json",
        "step_000020.json",
    ]
    assert os.path.exists(os.path.join(workdir, "checkpoints", "best", "ckpt-20.index"))


def test_real_statistics_are_computed_once_and_reused(bars_dir, image_run, counting, tmp_path):
    config = image_config(bars_dir, tmp_path / "cache")
    first = eval_lib.Evaluator(config)
    assert counting.images == 40  # eval.num_samples real images, embedded once
    stats_files = sorted(os.listdir(tmp_path / "cache" / "real_stats"))
    assert [f.rsplit(".", 1)[1] for f in stats_files] == ["json", "npz"]
    assert stats_files[0].startswith("fashion_mnist-test-counting-n40-")

    second = eval_lib.Evaluator(config)
    assert counting.images == 40  # loaded from the cache: nothing embedded
    np.testing.assert_array_equal(second.real.features, first.real.features)
    np.testing.assert_allclose(second.real.stats.cov, first.real.stats.cov)

    # Scoring a run (--mode=eval, with the memorisation check) embeds its generated samples,
    # the training split's reference once (40), and every training image for the nearest
    # neighbours (200, each time).
    result = eval_lib.evaluate_run(image_run, config)
    assert counting.images == 80 + 40 + 200
    assert result["fake_count"] == result["real_count"] == 40
    assert set(result["metrics"]) == {
        "fid",
        "kid",
        "kid_std",
        "score",
        "score_std",
        "precision",
        "recall",
        "density",
        "coverage",
        "classes_covered",
        "num_classes",
        "class_histogram",
        "class_kl",
        "fid_train",
        "fid_gap",
        "nn_feature_distance_mean",
        "nn_pixel_distance_mean",
        "nn_feature_distance_real_mean",
        "nn_pixel_distance_real_mean",
    }
    assert result["nearest_png"] == os.path.join(image_run, "eval", "nearest_step_000004.png")
    assert read_json(result["path"])["nearest_png"] == result["nearest_png"]
    picture = tf.io.decode_png(tf.io.read_file(result["nearest_png"])).numpy()
    assert picture.shape == (8 * 86 + 2, 9 * 86 + 2, 1)  # 8 samples beside 2 x 3 neighbours
    eval_lib.evaluate_run(image_run, config)
    assert counting.images == 320 + 40 + 200  # the training reference came from the cache
    # Another sample count is another key: computed once more.
    eval_lib.Evaluator(image_config(bars_dir, tmp_path / "cache", **{"eval.num_samples": 20}))
    assert counting.images == 580
    stats = sorted(os.listdir(tmp_path / "cache" / "real_stats"))
    assert [f.rsplit("-", 1)[0] for f in stats] == [
        *["fashion_mnist-test-counting-n20"] * 2,
        *["fashion_mnist-test-counting-n40"] * 2,
        *["fashion_mnist-train-counting-n40"] * 2,
        "nearest",  # the real test images' distances to the training set (the floor)
    ]
    assert len(os.listdir(tmp_path / "cache" / "real_stats" / "nearest")) == 1


def test_real_data_against_itself_is_the_floor(bars_dir, counting, tmp_path):
    same = image_config(bars_dir, tmp_path / "cache", **{"data.split": "test"})
    result = eval_lib.evaluate_real(same)
    m = result["metrics"]
    assert m["fid"] < 1e-6 and m["precision"] == m["recall"] == m["coverage"] == 1.0
    assert result["generated_split"] == "test" and result["split"] == "test"
    # Real against the same real images: no class can differ (class_kl is 0 by construction),
    # and eval.split is the training split here, so there is no memorisation check.
    assert m["class_kl"] == 0.0 and "fid_train" not in m and "train_split" not in result


def test_domain_classifier_is_trained_once_then_reused(
    bars_dir, image_run, tmp_path, monkeypatch, capsys
):
    config = image_config(bars_dir, tmp_path / "cache")
    result = eval_lib.evaluate_run(image_run, config)
    out = capsys.readouterr().out
    assert "Training the fashion_mnist domain classifier on 200 train images" in out
    directory = tmp_path / "cache" / "classifiers" / "fashion_mnist"
    metadata = read_json(directory / "metadata.json")
    assert metadata["train_examples"] == 200 and metadata["test_examples"] == 60
    assert metadata["data_dir"] == bars_dir and 0 <= metadata["test_accuracy"] <= 1
    assert (
        result["extractor"] == "classifier"
        and result["extractor_name"] == "classifier:fashion_mnist"
    )
    assert result["classifier_test_accuracy"] == metadata["test_accuracy"]
    assert np.isfinite(result["metrics"]["fid"]) and 1 <= result["metrics"]["score"] <= 10
    assert 1 <= result["real_score"] <= 10

    def no_training(*args, **kwargs):
        raise AssertionError("the cached classifier should have been reused")

    monkeypatch.setattr(classifier_lib, "train_classifier", no_training)
    again = eval_lib.evaluate_run(image_run, config)
    assert again["metrics"] == result["metrics"]  # same z, same classifier, same cached stats


def event_scalars(workdir) -> dict:
    """{tag: {step: value}} of the scalars in a run's TensorBoard event files."""
    out = {}
    for path in glob.glob(os.path.join(workdir, "tensorboard", "events.*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            for v in event.summary.value:
                if v.HasField("tensor") and v.metadata.plugin_data.plugin_name == "scalars":
                    value = float(tf.make_ndarray(v.tensor))
                    out.setdefault(v.tag, {})[event.step] = value
    return out


def custom_charts(workdir) -> dict:
    """{chart title: tag regexes} of the Custom Scalars layout in a run's event files."""
    from tensorboard.plugins.custom_scalar import layout_pb2, metadata

    charts = {}
    for path in glob.glob(os.path.join(workdir, "tensorboard", "events.*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            for v in event.summary.value:
                if v.tag == metadata.CONFIG_SUMMARY_TAG:
                    layout = layout_pb2.Layout.FromString(tf.make_ndarray(v.tensor).item())
                    for category in layout.category:
                        for chart in category.chart:
                            charts[chart.title] = list(chart.multiline.tag)
    return charts


def test_eval_callback_keeps_the_best_checkpoint_by_fid(
    bars_dir, counting, tmp_path, monkeypatch, capsys
):
    # The reference figures come first (the marginal baseline, then the real data), then the
    # evaluations of steps 2, 4 and 6: step 6 is worse than step 4, which stays the best.
    fids = iter([50.0, 0.5, 3.0, 1.0, 2.0, 1.0])
    real_metrics = eval_lib.image_metrics
    monkeypatch.setattr(
        evaluator_lib, "image_metrics", lambda r, f: {**real_metrics(r, f), "fid": next(fids)}
    )
    workdir = str(tmp_path / "run")
    config = image_config(bars_dir, tmp_path / "cache", **{"train.steps": 6, "eval.every": 2})
    train_lib.train(config, workdir)
    out = capsys.readouterr().out
    score = r"score [0-9.]+ \(marginal [0-9.]+, real [0-9.]+\)"
    assert re.search(
        rf"^eval step 2: fid 3 \(marginal 50, real 0.5\) \| {score} · best so far · \d+s$",
        out,
        re.M,
    )
    assert re.search(
        rf"^eval step 4: fid 1 \(marginal 50, real 0.5\) \| {score} · best so far ", out, re.M
    )
    assert re.search(
        rf"^eval step 6: fid 2 \(marginal 50, real 0.5\) \| {score} · best: step 4 \(fid 1\) ",
        out,
        re.M,
    )
    assert sorted(os.listdir(os.path.join(workdir, "eval"))) == [
        "best.json",
        "reference.json",
        "step_000002.json",
        "step_000004.json",
        "step_000006.json",
    ]
    best = read_json(os.path.join(workdir, "eval", "best.json"))
    assert best["step"] == 4 and best["metrics"]["fid"] == 1.0
    # Evaluations while training check class coverage, not memorisation (too slow for them).
    assert "classes_covered" in best["metrics"] and "fid_train" not in best["metrics"]
    assert best["checkpoint_path"] == os.path.join(workdir, "checkpoints", "best", "ckpt-4")
    assert {f.split(".")[0] for f in os.listdir(os.path.join(workdir, "checkpoints", "best"))} == {
        "checkpoint",
        "ckpt-4",
    }
    # TensorBoard: the metric, and beside it its floor and baseline at every evaluation.
    scalars = event_scalars(workdir)
    assert scalars["eval/fid"] == {2: 3.0, 4: 1.0, 6: 2.0}
    assert scalars["eval/fid/real"] == {2: 0.5, 4: 0.5, 6: 0.5}
    assert scalars["eval/fid/marginal"] == {2: 50.0, 4: 50.0, 6: 50.0}
    assert set(scalars["eval/score/real"]) == {2, 4, 6} and "eval/kid/real" not in scalars
    assert custom_charts(workdir) == {
        "fid": [r"^eval/fid(/.*)?$"],
        "score": [r"^eval/score(/.*)?$"],
    }
    figures = read_json(os.path.join(workdir, "eval", "reference.json"))["figures"]
    assert list(figures) == ["marginal", "real"] and figures["real"]["fid"] == 0.5
    # --mode=eval with eval.checkpoint=best scores that checkpoint, not the latest (step 6).
    assert cli("--mode=eval", f"--workdir={workdir}", "--set=eval.checkpoint=best") == 0
    assert os.path.exists(os.path.join(workdir, "eval", "step_000004.json"))
    assert "step 4 (best)" in capsys.readouterr().out

    # A resume reads the reference figures back; it neither recomputes them nor forgets the
    # best (step 8's FID 1.5 does not beat step 4's 1).
    def no_recompute(*args, **kwargs):
        raise AssertionError("the reference figures of eval/reference.json should be reused")

    monkeypatch.setattr(ImageFamily, "reference_figures", no_recompute)
    fids = iter([1.5])
    train_lib.train(validate(config_lib.apply_overrides(config, {"train.steps": 8})), workdir)
    out = capsys.readouterr().out
    assert "eval step 8: fid 1.5 (marginal 50, real 0.5)" in out and "best: step 4 (fid 1)" in out
    assert read_json(os.path.join(workdir, "eval", "best.json"))["step"] == 4


class StandInInception(tf.Module):
    """Inception's interface on a budget: pool_3 (64 wide, not 2048, so FID's eigh is quick)
    and logits from per-channel image statistics."""

    def __init__(self):
        rng = np.random.default_rng(0)
        self.w_pool = tf.Variable(rng.normal(size=(3, 64)).astype(np.float32))
        self.w_logits = tf.Variable(rng.normal(size=(3, 16)).astype(np.float32))

    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32)])
    def __call__(self, images):
        means = tf.reduce_mean(images, [1, 2]) + tf.math.reduce_std(images, [1, 2])
        return {
            "pool_3": tf.reshape(means @ self.w_pool, [-1, 1, 1, 64]),
            "logits": means @ self.w_logits,
        }


def test_inception_extractor_on_a_stand_in_network(bars_dir, image_run, tmp_path):
    tf.saved_model.save(StandInInception(), str(tmp_path / "inception"))
    sets = {
        "eval.extractor": "inception",
        "eval.inception_path": str(tmp_path / "inception"),
        "eval.num_samples": 12,  # 299x299 inputs: keep them few
    }
    config = image_config(bars_dir, tmp_path / "cache", **sets)
    result = eval_lib.evaluate_run(image_run, config)
    assert result["extractor"] == result["extractor_name"] == "inception"
    assert result["real_count"] == result["fake_count"] == 12
    assert np.isfinite(result["metrics"]["fid"]) and 1 <= result["metrics"]["score"] <= 16
    # Inception: FID against the training split, but no class coverage (its logits are not
    # the data's classes) and no nearest-neighbour search (its features of a whole training
    # set cost hours on a CPU).
    m = result["metrics"]
    assert m["fid_gap"] == pytest.approx(m["fid_train"] - m["fid"]) and np.isfinite(m["fid_train"])
    assert not {"classes_covered", "nn_pixel_distance_mean"} & set(m)
    assert "nearest_png" not in result
    key = read_json(result["real_stats"].replace(".npz", ".json"))["key"]
    assert key["extractor_fingerprint"] == str(tmp_path / "inception")


# -- command line ----------------------------------------------------------------------------
def test_cli_eval_of_a_run_whose_config_predates_eval(tiny_synthetic_config, tmp_path, capsys):
    workdir = str(tmp_path / "run")
    train_lib.train(tiny_synthetic_config, workdir)
    path = Workdir(workdir).config_path
    old = read_json(path)
    del old["eval"]
    with open(path, "w") as f:
        json.dump(old, f)
    assert cli("--mode=eval", f"--workdir={workdir}", "--set=eval.num_samples=200") == 0
    out = capsys.readouterr().out
    assert "step 20 (latest) vs 'test', 200 samples, extractor modes: modes_covered" in out
    saved = read_json(os.path.join(workdir, "eval", "step_000020.json"))
    assert saved["eval_config"]["num_samples"] == 200 and saved["extractor"] == "modes"
    assert read_json(path) == old  # evaluating writes only eval/


def test_cli_missing_inception_is_an_eval_error_and_changes_nothing(image_run, tmp_path, capsys):
    before = sorted(os.listdir(image_run))
    code = cli(
        "--mode=eval",
        f"--workdir={image_run}",
        "--set=eval.extractor=inception",
        f"--set=eval.inception_path={tmp_path / 'no_inception'}",
    )
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("ganzoo: error: Cannot load the Inception-v3 network")
    assert "eval.inception_path" in err and "Traceback" not in err
    assert sorted(os.listdir(image_run)) == before


def test_training_with_eval_fails_before_writing_when_inception_is_missing(bars_dir, tmp_path):
    config = image_config(
        bars_dir,
        tmp_path / "cache",
        **{
            "eval.every": 2,
            "eval.extractor": "inception",
            "eval.inception_path": str(tmp_path / "none"),
        },
    )
    with pytest.raises(EvalError, match="Cannot load the Inception-v3 network"):
        train_lib.train(config, str(tmp_path / "run"))
    assert os.listdir(tmp_path / "run") == []


def test_cli_train_classifier_and_eval_real(bars_dir, tmp_path, capsys):
    common = [
        "--experiment=fashion_mnist_dcgan",
        f"--set=data.dir={bars_dir}",
        f"--set=eval.cache_dir={tmp_path / 'cache'}",
        "--set=eval.classifier_epochs=1",
    ]
    assert cli("--mode=train_classifier", *common) == 0
    out = capsys.readouterr().out
    assert "Classifier test accuracy" in out and "on 60 test images" in out
    assert (tmp_path / "cache" / "classifiers" / "fashion_mnist" / "classifier.keras").exists()
    workdir = tmp_path / "floor"
    assert (
        cli("--mode=eval_real", *common, "--set=eval.num_samples=40", f"--workdir={workdir}") == 0
    )
    assert "real fashion_mnist 'train' vs 'test', 40 samples" in capsys.readouterr().out
    saved = read_json(workdir / "eval" / "real_train_vs_test_n40.json")
    assert saved["generated_split"] == "train" and saved["fake_count"] == 40
    # Real training images are their own nearest training images, and the training split's
    # reference: memorisation's signature. The real test images' distances are the floor.
    m = saved["metrics"]
    assert m["nn_pixel_distance_mean"] == m["nn_feature_distance_mean"] == 0.0
    assert m["nn_pixel_distance_real_mean"] > 1 and m["fid_train"] < 1e-3
    assert m["fid_gap"] == pytest.approx(m["fid_train"] - m["fid"])
    assert m["num_classes"] == 10 and np.isfinite(m["class_kl"])


class BarExtractor:
    """Reads the bar images exactly: logit k is the mean brightness of class k's rows."""

    name = "bars"
    fingerprint = "v1"

    def __call__(self, images):
        rows = images[..., 0].mean(axis=2)  # [N, 28]
        logits = np.stack([rows[:, 2 * k + 2 : 2 * k + 6].mean(axis=1) for k in range(10)], 1)
        return rows, logits


class _BarGAN:
    """A conditional 'GAN' whose generator draws class k's bar (or class 0's when blind)."""

    latent_dim, num_classes = 4, 10

    def __init__(self, blind: bool):
        def generator(inputs, training=False):
            z, labels = inputs
            labels = tf.zeros_like(labels) if blind else labels
            rows = tf.range(28)[None, :]
            top = 2 * labels[:, None] + 2
            bar = tf.cast((rows >= top) & (rows < top + 4), tf.float32)  # [N, 28]
            image = 2.0 * bar[:, :, None] * tf.ones([1, 1, 28]) - 1.0 + 0.0 * z[:, :1, None]
            return image[..., None]

        self.sampling_generator = generator


def test_conditional_runs_report_class_accuracy(bars_dir, tmp_path, monkeypatch):
    extractor = BarExtractor()
    monkeypatch.setattr(
        evaluator_lib, "build_extractor", lambda config, kind, stream=None: extractor
    )
    monkeypatch.setattr(evaluator_lib, "resolve_image_extractor", lambda config: "classifier")
    conditional = {"model.conditioning": "concat", "model.num_classes": 10}
    evaluator = eval_lib.Evaluator(image_config(bars_dir, tmp_path / "cache", **conditional))
    obeys = evaluator.evaluate(_BarGAN(blind=False))["metrics"]
    assert obeys["class_accuracy"] == 1.0
    assert obeys["class_accuracy_per_class"] == {k: 1.0 for k in range(10)}
    blind = evaluator.evaluate(_BarGAN(blind=True))["metrics"]
    # 40 samples in batches of 16, 16, 8 ask for class 0 five times; all are drawn as class 0.
    assert blind["class_accuracy"] == pytest.approx(5 / 40)
    assert (
        "class_accuracy"
        not in evaluator.evaluate_batches(iter([np.zeros((8, 28, 28, 1))]))["metrics"]
    )
