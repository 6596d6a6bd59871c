"""Text runs end to end: training (critic, JS), Gumbel annealing, CLI sample/export/eval."""

import glob
import io
import json
import math
import os
import re

import numpy as np
import pytest
import tensorflow as tf

from ganzoo import train_lib
from ganzoo.config import apply_overrides, base_config
from ganzoo.experiment import validate
from ganzoo.families.text import data as text_data
from ganzoo.families.text import evaluator as text_eval
from ganzoo.families.text import lib as text_lib
from ganzoo.families.text import metrics as text_metrics
from ganzoo.family import family_of
from tests.cli_runner import cli

TINY = {
    "text.seq_len": 8,
    "model.width": 8,
    "model.depth": 1,
    "model.latent_dim": 4,
    "model.d_steps": 2,
    "train.batch_size": 16,
    "train.log_every": 5,
    "train.sample_every": 10,
    "train.checkpoint_every": 10,
    "sample.num": 6,
    "eval.num_samples": 64,
    "eval.batch_size": 32,
}


@pytest.fixture
def corpus(tmp_path):
    # Trivially learnable, with skewed character frequencies (a 6/8, b and space 1/8 each).
    path = tmp_path / "ab.txt"
    path.write_text("aaaaaa b\n" * 400, encoding="utf-8")
    return str(path)


def text_config(corpus, **overrides):
    c = base_config()
    c.name = "tiny_text"
    c.data.update(source="text", path=corpus, cache=False, shuffle_buffer=64)
    c.model.update(arch="text_resnet", loss="wasserstein")
    c.stabilizers.update(penalty="wgan_gp", penalty_weight=10.0)
    c.optimizer.update(d_lr=1e-3, g_lr=1e-3, beta_1=0.5, beta_2=0.9)
    config = validate(apply_overrides(c, {**TINY, **overrides}))
    return family_of(config).resolve(config)  # the vocabulary, as a run resolves it


def test_gumbel_temperature_schedule():
    assert text_lib.gumbel_temperature(0, 1.0, 0.5, 1e-3) == 1.0
    assert text_lib.gumbel_temperature(100, 1.0, 0.5, 1e-3) == pytest.approx(math.exp(-0.1))
    assert text_lib.gumbel_temperature(10_000, 1.0, 0.5, 1e-3) == 0.5


def test_training_separates_critic_and_lowers_js(corpus, tmp_path):
    c = text_config(corpus, **{"train.steps": 60})
    reference = list(text_data.load_corpus(c, "test").texts)
    gan = train_lib.build_gan(c)
    before = text_data.decode(gan.generate(200), c.text.vocab)
    gan = train_lib.train(c, str(tmp_path / "run"), stream=open(os.devnull, "w"))
    after = text_data.decode(gan.generate(200), c.text.vocab)
    js_before = text_metrics.ngram_js(before, reference, 1)
    js_after = text_metrics.ngram_js(after, reference, 1)
    assert js_after < 0.5 * js_before, (js_before, js_after, after[:3])
    log = [json.loads(line) for line in open(tmp_path / "run" / "train_log.jsonl")]
    # The critic scores real above fake: a negative WGAN critic loss, and a penalty.
    assert log[-1]["d_loss"] < 0 and log[-1]["d_real_logit"] > log[-1]["d_fake_logit"]
    assert log[-1]["d_penalty"] > 0
    assert open(tmp_path / "run" / "samples" / "step_000060.txt").read().count("\n") == 6


def test_gumbel_run_anneals_its_temperature(corpus, tmp_path):
    overrides = {"model.arch": "text_gumbel", "train.steps": 4, "text.gumbel_anneal_rate": 0.1}
    c = text_config(corpus, **overrides)
    gan = train_lib.train(c, str(tmp_path / "run"), stream=open(os.devnull, "w"))
    (layer,) = text_lib.gumbel_layers(gan.generator)
    # Set before each step from the step reached: the last step ran at step 3.
    assert float(layer.temperature) == pytest.approx(max(0.5, math.exp(-0.3)), rel=1e-6)
    samples = gan.generate(3)
    assert set(np.unique(samples)) <= {0.0, 1.0}


def test_cli_train_sample_export_eval(corpus, tmp_path):
    workdir = str(tmp_path / "run")
    sets = [f"--set={k}={v}" for k, v in {**TINY, "data.path": corpus, "train.steps": 10}.items()]
    assert cli("--experiment=text_chars_wgan_gp", f"--workdir={workdir}", *sets) == 0
    vocab = json.load(open(os.path.join(workdir, "config.json")))["text"]["vocab"]
    assert vocab == " ab"
    assert cli("--mode=sample", f"--workdir={workdir}", "--set=sample.num=5") == 0
    (txt,) = glob.glob(os.path.join(workdir, "samples", "sample_step000010_seed0_n5.txt"))
    lines = open(txt).read().splitlines()
    assert len(lines) == 5 and all(len(t) == 8 and set(t) <= set(vocab) for t in lines)
    assert cli("--mode=export", f"--workdir={workdir}") == 0
    serve = tf.saved_model.load(os.path.join(workdir, "export", "generator"))
    out = serve.signatures["serving_default"](z=tf.zeros([2, 4]))
    assert out["indices"].shape == (2, 8) and out["probabilities"].shape == (2, 8, 3)
    decoded = [s.decode() for s in out["text"].numpy()]
    assert decoded == text_data.decode(out["indices"].numpy(), vocab)
    assert cli("--mode=eval", f"--workdir={workdir}") == 0
    result = json.load(open(os.path.join(workdir, "eval", "step_000010.json")))
    assert set(result["metrics"]) >= {"js_1", "js_4", "word_share"}
    floor = result["real_floor"]
    assert floor["word_share"] == 1.0 and floor["js_1"] < result["unigram_baseline"]["js_4"]
    events = glob.glob(os.path.join(workdir, "tensorboard", "events.*"))
    tags = {
        v.tag
        for path in events
        for e in tf.compat.v1.train.summary_iterator(path)
        for v in e.summary.value
    }
    assert "samples" in tags


def test_training_eval_shows_js_beside_unigram_and_real_and_keeps_the_lowest(
    corpus, tmp_path, monkeypatch
):
    # Step 10 scores worse (a higher js_4) than step 5: the best checkpoint stays at step 5.
    js_4 = iter([0.3, 0.6])
    evaluate = text_eval.TextEvaluator.evaluate

    def scripted(self, gan, **extra):
        result = evaluate(self, gan, **extra)
        result["metrics"]["js_4"] = next(js_4)
        return result

    monkeypatch.setattr(text_eval.TextEvaluator, "evaluate", scripted)
    config = text_config(corpus, **{"train.steps": 10, "eval.every": 5})
    workdir = str(tmp_path / "run")
    out = io.StringIO()
    train_lib.train(config, workdir, stream=out)
    context = text_eval.TextEvaluator(config).context()
    unigram, real = context["unigram_baseline"], context["real_floor"]
    assert real["js_4"] < unigram["js_4"]  # the floor is below the baseline

    def beside(key):
        return rf"\(unigram {unigram[key]:.3g}, real {real[key]:.3g}\)"

    line = r"^eval step {}: js_4 {} {} \| word_share [0-9.]+ {} · {} · \d+s$"
    lines = out.getvalue()
    step5 = line.format(5, "0.3", beside("js_4"), beside("word_share"), "best so far")
    step10 = line.format(
        10, "0.6", beside("js_4"), beside("word_share"), r"best: step 5 \(js_4 0.3\)"
    )
    assert re.search(step5, lines, re.M) and re.search(step10, lines, re.M), lines
    best = json.load(open(os.path.join(workdir, "eval", "best.json")))
    assert best["step"] == 5 and best["checkpoint_path"].endswith(os.path.join("best", "ckpt-5"))

    scalars = {}
    for path in glob.glob(os.path.join(workdir, "tensorboard", "events.*")):
        for e in tf.compat.v1.train.summary_iterator(path):
            for v in e.summary.value:
                if v.metadata.plugin_data.plugin_name == "scalars":
                    scalars.setdefault(v.tag, {})[e.step] = float(tf.make_ndarray(v.tensor))
    assert scalars["eval/js_4"] == pytest.approx({5: 0.3, 10: 0.6})
    for key in ("js_4", "word_share"):
        assert scalars[f"eval/{key}/real"] == pytest.approx({5: real[key], 10: real[key]})
        assert scalars[f"eval/{key}/unigram"] == pytest.approx({5: unigram[key], 10: unigram[key]})
    assert "eval/js_1/real" not in scalars  # only the watched metrics carry reference lines
