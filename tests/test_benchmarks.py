"""The benchmark harness at toy sizes: it runs, reports every row, and counts FLOPs right."""

import dataclasses
import importlib.machinery
import importlib.util
import json

import numpy as np
import pytest
import tensorflow as tf

from benchmarks import flops, impls, models, report, runner, train_step
from benchmarks.peak import Peak

HAVE_TORCH = importlib.util.find_spec("torch") is not None
needs_torch = pytest.mark.skipif(
    not HAVE_TORCH, reason="PyTorch is not installed (pip install -e '.[torch-ref]')"
)
TINY = runner.Settings(
    batch=4, windows=1, steps_per_window=2, warmup=1, overrides={"model.width": 4}
)
# resnet32's experiment without its references.
NO_REFERENCE = models.BenchModel("noref32", "cifar10_sngan_resnet", "resnet", 4, "no references")
MACHINE = {"date": "d", "cpu": "c", "memory": "m", "gpu": "none", "host": "h", "versions": "v"}


def _markdown(results):
    return report.markdown(
        results,
        machine=MACHINE,
        command="cmd",
        settings=TINY,
        peaks=[Peak(100.0, 64, "/CPU:0")],
        load=("0", "0"),
    )


def _table_rows(text):
    return [line for line in text.splitlines() if line.startswith("| dcgan28 |")]


def test_conv2d_flops_equal_hand_count():
    layer = tf.keras.layers.Conv2D(8, 4, strides=2, padding="same")
    layer.build((2, 12, 12, 3))
    count = flops.function_flops(layer, tf.TensorSpec((2, 12, 12, 3)))
    conv = flops.conv2d_flops(2, (6, 6), 8, 4, 3)
    assert conv == 2 * 2 * 6 * 6 * 8 * 4 * 4 * 3
    assert count.by_type == {"Conv2D": conv, "BiasAdd": 2 * 6 * 6 * 8}
    assert count.total == conv + 2 * 6 * 6 * 8


def test_dense_flops_equal_hand_count():
    layer = tf.keras.layers.Dense(7, use_bias=False)
    layer.build((5, 11))
    count = flops.function_flops(layer, tf.TensorSpec((5, 11)))
    assert count.total == count.by_type["MatMul"] == flops.dense_flops(5, 11, 7) == 2 * 5 * 11 * 7


def test_live_count_skips_unused_ops_the_profiler_counts():
    w = tf.Variable(tf.ones((3, 4)))

    def fn(x):
        tf.matmul(x, w)  # result unused: pruned by TF at run time
        return tf.matmul(x, w) * 2.0

    graph = tf.function(fn).get_concrete_function(tf.TensorSpec((2, 3))).graph
    live = flops.graph_flops(graph)
    assert live.by_type["MatMul"] == flops.dense_flops(2, 3, 4)
    assert flops.profiler_flops(graph) == flops.graph_flops(graph, prune=False).total
    assert flops.profiler_flops(graph) == live.total + flops.dense_flops(2, 3, 4)


def _tiny(**overrides):
    return dataclasses.replace(TINY, overrides={**TINY.overrides, **overrides})


def _generator_forward_flops() -> int:
    """Matmul/conv FLOPs of one training-mode G forward at TINY's size, counted on its own."""
    from ganzoo import train_lib

    config = models.config_for(models.MODELS["dcgan28"], TINY.batch, TINY.overrides)
    generator = train_lib.build_gan(config).generator
    spec = tf.TensorSpec((TINY.batch, config.model.latent_dim))
    return flops.function_flops(lambda z: generator(z, training=True), spec).matmul_conv


@pytest.fixture(scope="module")
def tiny_results():
    names = ["ganzoo", "keras_ref"] + (["torch"] if HAVE_TORCH else [])
    return {name: runner.run_impl("dcgan28", name, TINY) for name in names}


def test_harness_times_ganzoo_and_references(tiny_results):
    for name, result in tiny_results.items():
        assert result.ok, (name, result.skipped)
        assert result.batch == 4 and len(result.timing.window_ms) == 1
        assert result.timing.median_ms > 0 and result.flops > 0 and result.peak_rss_mib > 0
    # Same networks: the references do the same matmul/conv work, and so does ganzoo's step
    # with reuse_fake off; its default (mnist_dcgan reuses the D step's fakes) does exactly one
    # G forward less.
    work = {name: result.matmul_conv_flops for name, result in tiny_results.items()}
    ganzoo_default = work.pop("ganzoo")
    assert len(set(work.values())) == 1, work
    textbook = runner.run_impl("dcgan28", "ganzoo", _tiny(**{"train.reuse_fake": False}))
    assert textbook.matmul_conv_flops == work["keras_ref"]
    assert work["keras_ref"] - ganzoo_default == _generator_forward_flops()
    rows = _table_rows(_markdown(list(tiny_results.values())))
    assert [row.split(" | ")[1] for row in rows] == list(tiny_results)


def test_unavailable_model_and_torch_are_skipped_with_a_reason(monkeypatch):
    absent = models.BenchModel("absent32", "no_such_experiment", "resnet", 4, "not in ganzoo")
    monkeypatch.setitem(models.MODELS, "absent32", absent)
    assert (
        "'no_such_experiment' is not registered"
        in runner.run_impl("absent32", "ganzoo", TINY).skipped
    )
    monkeypatch.setitem(models.MODELS, "noref32", NO_REFERENCE)
    no_reference = runner.run_impl("noref32", "keras_ref", TINY)
    assert "no Keras reference networks for noref32" in no_reference.skipped
    # Both torch reasons by construction, with or without PyTorch installed here: torch's
    # availability is what importlib.util.find_spec says, and a model without a torch twin is
    # refused before torch is imported, so a stand-in spec is enough for the first.
    real_find_spec = importlib.util.find_spec

    def torch_spec(spec):
        monkeypatch.setattr(
            importlib.util,
            "find_spec",
            lambda n, *a: spec if n == "torch" else real_find_spec(n, *a),
        )

    torch_spec(importlib.machinery.ModuleSpec("torch", None))
    assert "no PyTorch reference for noref32" in runner.run_impl("noref32", "torch", TINY).skipped
    torch_spec(None)
    result = runner.run_impl("dcgan28", "torch", TINY)
    assert not result.ok and "not installed" in result.skipped
    assert "dcgan28/torch: skipped: PyTorch is not installed" in _markdown([result])


def test_cli_writes_the_page(tmp_path, monkeypatch):
    out = tmp_path / "r.md"
    # A model without a Keras reference: the page is written without building a model.
    monkeypatch.setitem(models.MODELS, "noref32", NO_REFERENCE)
    args = ["--models=noref32", "--impls=keras_ref", "--windows=1", "--warmup=1"]
    text = train_step.main(args + ["--isolate=false", "--peak_n=64", f"--out={out}"])
    assert out.read_text() == text
    assert "float32 matmul peak (64x64" in text and "noref32/keras_ref: skipped" in text
    assert "| CPU ms/step (median) |" in text
    with pytest.raises(ValueError, match="Expected one of"):
        train_step.main(["--models=nope"])


def test_cli_set_reaches_the_config_and_json_appends_a_record(tmp_path, monkeypatch):
    seen = {}

    def fake_run(pairs, settings, **kwargs):
        seen["overrides"] = settings.overrides
        return []

    monkeypatch.setattr(runner, "run", fake_run)
    monkeypatch.setattr("benchmarks.peak.matmul_peak", lambda n: Peak(100.0, n, "/CPU:0"))
    out = tmp_path / "r.jsonl"
    args = ["--set", "train.reuse_fake=false", "--width=4", f"--json={out}", "--run=X"]
    train_step.main(args)
    train_step.main(args[:-1] + ["--run=Y"])
    assert seen["overrides"] == {"model.width": 4, "train.reuse_fake": "false"}
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["run"] for r in records] == ["X", "Y"]
    assert "--set train.reuse_fake=false" in records[0]["meta"]["command"]
    with pytest.raises(SystemExit):  # argparse: "Expected KEY=VALUE"
        train_step.parse_args(["--set", "no_value"])


def _page(rows, flops=(10.413, 10.411)):
    """A train-step page as the harness writes it, with a ganzoo and a keras_ref row."""
    header = "| model | impl | batch | ms/step (median) | CPU ms/step (median) | GFLOP/step |"
    lines = ["# ganzoo train-step benchmark", "", "- date: d", "- command: `cmd`",
             "- load average (1, 5, 15 min) before: 1.00 1.00 1.00; after: 1.00 1.00 1.00", "",
             header, "|---|---|---|---|---|---|"]  # fmt: skip
    for (impl, ms, cpu), gflop in zip(rows, flops, strict=True):
        lines.append(f"| dcgan28 | {impl} | 64 | {ms} | {cpu} | {gflop} |")
    return "\n".join(lines + ["", "Notes:", "", "- dcgan28/ganzoo: a note"]) + "\n"


def test_page_record_and_the_docs_tables_from_it():
    text = _page([("ganzoo", "50.0", "100.0"), ("keras_ref", "60.0", "110.0")])
    record = {"run": "Q", **report.page_record(text)}
    assert record["meta"]["command"] == "cmd" and record["meta"]["date"] == "d"
    assert record["rows"][1] == {
        "model": "dcgan28", "impl": "keras_ref", "batch": "64", "ms/step (median)": "60.0",
        "CPU ms/step (median)": "110.0", "GFLOP/step": "10.411",
    }  # fmt: skip
    assert record["after"] == ["Notes:", "- dcgan28/ganzoo: a note"]
    assert report.ganzoo_step(record) == "textbook step"
    table = report.equal_work_table([record], "Q")
    assert "| Q | keras_ref | 50.0 | 60.0 | 1.20x | 1.10x | 1.00 1.00 1.00 |" in table
    reusing = {"run": "R", **report.page_record(_page([("ganzoo", "1", "1"), ("keras_ref", "1", "1")],
                                                      flops=(9.478, 10.411)))}  # fmt: skip
    assert report.ganzoo_step(reusing) == "reuse_fake"
    assert "| R | ganzoo (reuse_fake) |" in report.runs_table([reusing], "R")
    with pytest.raises(ValueError, match="textbook step"):  # the headline is on equal work only
        report.equal_work_table([reusing], "R")
    with pytest.raises(ValueError, match="Expected some of"):
        report.runs_table([record], "nope")


def test_convert_pages_writes_one_labelled_record_per_page(tmp_path):
    page = tmp_path / "p.md"
    page.write_text(_page([("ganzoo", "50.0", "100.0"), ("keras_ref", "60.0", "110.0")]))
    out = tmp_path / "r.jsonl"
    report.main([str(out), f"Q={page}"])
    (record,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert record["run"] == "Q" and record["page"] == str(page) and record["page_commit"] is None
    assert record["converted_by"].startswith(f"python -m benchmarks.report {out} Q=")
    assert record["rows"] == report.page_record(page.read_text())["rows"]


def test_step_options_table_from_its_results_file():
    from benchmarks import step_options

    record = {"batch": 64, "variants": {
        "default": {"overrides": "", "window_ms": [50.0, 40.0, 60.0], "window_cpu_ms": [1, 2, 3]},
        "keras_ref": {"overrides": "(ref)", "window_ms": [60.0, 60.0, 70.0],
                      "window_cpu_ms": [1, 1, 1]},
    }}  # fmt: skip
    table = step_options.variants_table(record)
    assert "| default | (the experiment's defaults) | 50.0 | 40.0-60.0 | 1280 | 2.0 | 1.20x |" in (
        table
    )


@needs_torch
def test_torch_networks_match_keras():
    import torch

    from benchmarks import torch_reference

    model = models.get("dcgan28")
    config = models.config_for(model, 4, {"model.width": 4})
    keras_g, keras_d = model.keras_nets(config)
    torch_g, torch_d = torch_reference.dcgan(config)
    assert torch_reference.param_counts(torch_g) == (
        sum(int(np.prod(w.shape)) for w in keras_g.trainable_weights),
        sum(int(np.prod(w.shape)) for w in keras_g.non_trainable_weights),
    )
    assert torch_reference.param_counts(torch_d)[0] == keras_d.count_params()
    # Same weights in, same outputs out: padding, layouts and layer order all agree.
    torch_reference.copy_keras_weights(keras_g, torch_g)
    torch_reference.copy_keras_weights(keras_d, torch_d)
    z = np.random.default_rng(0).standard_normal((4, config.model.latent_dim)).astype("float32")
    images = np.asarray(keras_g(z, training=False))
    with torch.no_grad():
        torch_images = torch_g.eval()(torch.from_numpy(z)).numpy().transpose(0, 2, 3, 1)
        torch_logits = torch_d(torch.from_numpy(images.transpose(0, 3, 1, 2).copy())).numpy()
    np.testing.assert_allclose(torch_images, images, rtol=1e-4, atol=1e-6 * np.abs(images).max())
    logits = np.asarray(keras_d(images))
    np.testing.assert_allclose(torch_logits, logits, rtol=1e-4, atol=1e-6 * np.abs(logits).max())


def test_impl_table_is_the_cli_default():
    assert train_step.DEFAULT_IMPLS.split(",") == list(impls.IMPLS)


@needs_torch
def test_torch_resnet_matches_keras_including_the_power_iteration():
    import torch

    from benchmarks import torch_reference, torch_resnet

    model = models.get("resnet32")
    config = models.config_for(model, 2, {"model.width": 4})
    keras_g, keras_d = model.keras_nets(config)
    torch_g, torch_d = torch_reference.resnet(config)
    for keras_net, torch_net in ((keras_g, torch_g), (keras_d, torch_d)):
        assert torch_reference.param_counts(torch_net) == (
            sum(int(np.prod(w.shape)) for w in keras_net.trainable_weights),
            sum(int(np.prod(w.shape)) for w in keras_net.non_trainable_weights),
        )
    torch_resnet.copy_keras_weights(keras_g, torch_g)
    torch_resnet.copy_keras_weights(keras_d, torch_d)
    z = np.random.default_rng(0).standard_normal((2, config.model.latent_dim)).astype("float32")
    # Training mode twice: batch statistics in G, and D's power iteration advancing u.
    for training in (False, True, True):
        torch_g.train(training), torch_d.train(training)
        images = np.asarray(keras_g(z, training=training))
        logits = np.asarray(keras_d(images, training=training))
        with torch.no_grad():
            torch_images = torch_g(torch.from_numpy(z)).numpy().transpose(0, 2, 3, 1)
            torch_logits = torch_d(torch.from_numpy(images.transpose(0, 3, 1, 2).copy()))
        np.testing.assert_allclose(torch_images, images, atol=1e-5)
        np.testing.assert_allclose(torch_logits.numpy(), logits, rtol=1e-4, atol=1e-5)
        keras_u = np.asarray(keras_d.get_layer("block3_c2_sn").u)
        torch_u = torch_d.blocks[3].layers["block3_c2"].u.numpy()
        np.testing.assert_allclose(torch_u, keras_u, atol=1e-6)


def test_resnet_references_do_ganzoos_matmul_and_conv_work():
    # One D step instead of five keeps the graphs small (tracing dominates this test's time);
    # the networks, the losses and the step's structure are the same.
    model = models.get("resnet32")
    config = models.config_for(model, 2, {"model.width": 4, "model.d_steps": 1})
    images = runner.random_images(config, 2)
    built = {
        name: impls.IMPLS[name](model, config, images)
        for name in ("ganzoo", "keras_ref") + (("torch",) if HAVE_TORCH else ())
    }
    work = {name: p.matmul_conv_flops for name, p in built.items()}
    assert len(set(work.values())) == 1 and work["ganzoo"] > 0, work


def _pipeline_rows(text):
    return [r for r in text.splitlines() if r.startswith("| ") and not r.startswith("| source")]


def test_pipeline_benchmark_reads_every_source(tmp_path):
    from benchmarks import pipeline

    out = tmp_path / "p.md"
    common = ["--examples=24", "--idx_examples=48", "--batch=8", "--width=4", "--repeats=1"]
    common += ["--steady_passes=1", f"--out={out}"]
    pipeline.main(common + ["--sources=idx,folder", "--step_windows=0"])
    rows = _pipeline_rows(out.read_text())
    assert [r.split(" | ")[0] for r in rows] == ["| idx", "| folder"]
    assert all(r.endswith("| - " * 6 + "|") for r in rows)  # no step timed
    text = pipeline.main(common + ["--sources=synthetic,tfds", "--step_windows=1"])
    assert out.read_text() == text
    rows = [row.split(" | ") for row in _pipeline_rows(text)]
    assert [r[0] for r in rows] == ["| synthetic", "| tfds"]
    for r in rows:
        assert r[3] == "24" and r[4] == "8"
        # Rates, CPU per image, the step's rate and CPU per image, then four ratios.
        assert all(float(r[i].replace(",", "")) > 0 for i in (7, 8, 9, 10, 11, 12))
        assert all(c.endswith("x") and float(c[:-1]) > 0 for c in r[13:16])
    with pytest.raises(ValueError, match="Expected names from"):
        pipeline.main(["--sources=nope"])


def test_array_shuffle_pipelines_yield_whole_batches_of_the_points():
    from benchmarks import array_shuffle

    points = np.arange(40, dtype="float32").reshape(20, 2)
    built = array_shuffle.pipelines(points, batch=4, buffer=8)
    for name, ds in built.items():
        batches = [b.numpy() for b in ds.take(5)]  # one epoch: 20 points in batches of 4
        assert all(b.shape == (4, 2) for b in batches), name
        seen = np.concatenate(batches)
        if name == "epoch_shuffle":  # a full permutation per epoch
            np.testing.assert_array_equal(np.sort(seen[:, 0]), points[:, 0])
        assert np.isin(seen, points).all(), name


def test_folder_stages_prepare_the_same_images_each_way(tmp_path):
    from benchmarks import folder_stages, pipeline_data

    directory = pipeline_data.write_image_folder(str(tmp_path / "images"), 6)
    built = folder_stages.pipelines(directory)
    raw = [x.numpy() for x in built["decode"]]
    assert len(raw) == 6 and all(x.shape == (28, 28, 1) and x.dtype == np.uint8 for x in raw)
    expected = np.stack(raw).astype("float32") / 127.5 - 1.0
    for name in ("resize_every_image", "two_maps", "one_map"):
        images = np.stack([x.numpy() for x in built[name]])
        np.testing.assert_allclose(images, expected, atol=1e-5, err_msg=name)
    results = folder_stages.main(["--examples=6", f"--dir={directory}", "--repeats=1"])
    assert set(results) == set(built) and all(r[0][1] > 0 for r in results.values())
