"""The experiment matrix's names and recipes, and benchmarks/zoo_results.py's table helpers."""

import math

import pytest

import ganzoo
from benchmarks import zoo_results
from experiments import matrix
from ganzoo.experiment import list_experiments

REQUIRED = [
    f"{d}_{r}"
    for d in ("mnist", "fashion_mnist", "cifar10")
    for r in ("wgan", "wgan_gp", "lsgan", "dragan", "hinge_sngan", "acgan", "projection_cgan")
] + [
    "mnist_infogan",
    "fashion_mnist_infogan",
    "cifar10_sngan_resnet",
    "cifar10_sagan",
    "cifar10_stylegan2",
    "cifar10_diffaug_sngan",
    *(f"{b}_{r}" for b in ("ring8", "grid25") for r in matrix.REMEDIES),
]


def test_matrix_registers_every_required_name():
    names = list_experiments()
    assert not [n for n in REQUIRED if n not in names]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("fashion_mnist_wgan_gp", dict(loss="wasserstein", d_steps=5, penalty="wgan_gp")),
        ("mnist_wgan", dict(loss="wasserstein", d_steps=5, clip_weights=0.01)),
        ("cifar10_projection_cgan", dict(conditioning="projection", spectral_norm=True)),
        ("ring8_minimax", dict(loss="minimax", penalty="none")),
        ("grid25_r1", dict(loss="non_saturating", penalty="r1")),
    ],
)
def test_matrix_recipes(name, expected):
    c = ganzoo.get_experiment(name)
    flat = {k.split(".")[-1]: v for k, v in ganzoo.config.flat_keys(c).items()}
    assert {k: flat[k] for k in expected} == expected


def test_matrix_keeps_dataset_settings():
    fm = ganzoo.get_experiment("fashion_mnist_lsgan")
    assert (fm.data.source, fm.data.name, fm.model.resolution) == ("auto", "fashion_mnist", 28)
    cifar = ganzoo.get_experiment("cifar10_acgan")
    assert (cifar.data.name, cifar.model.channels, cifar.model.num_classes) == ("cifar10", 3, 10)
    assert ganzoo.get_experiment("grid25_lsgan").train.steps == 10_000


def test_plan_runs_every_seed_of_an_experiment_together():
    runs = zoo_results.plan_runs(["ring8", "fashion_mnist"])
    assert [r.seed for r in runs[:3]] == [0, 1, 2] and len({r.experiment for r in runs[:3]}) == 1
    assert len({r.key for r in runs}) == len(runs)
    assert all(r.is_image == r.experiment.startswith("fashion") for r in runs)


def test_mean_std_matches_hand_computation():
    mean, std = zoo_results.mean_std([8, 6, 7])
    assert mean == 7 and math.isclose(std, 1.0)
    assert zoo_results.mean_std([3]) == (3.0, 0.0)
    assert zoo_results.fmt_mean_std([0.5, 0.7], 1, 100.0) == "60.0 ± 14.1"


def _record(experiment, seed, **metrics):
    return {
        "experiment": experiment,
        "seed": seed,
        "steps": 5000,
        "wall_s": 30.0 + seed,
        "date": "2026-11-24T13:00:00+00:00",
        "metrics": metrics,
    }


def test_modes_table_aggregates_seeds():
    results = {
        f"ring8_gan_s{s}": _record(
            "ring8_gan",
            s,
            modes_covered=m,
            num_modes=8,
            high_quality_fraction=0.9,
            kl_to_uniform=0.1,
        )
        for s, m in ((0, 8), (1, 6), (2, 7))
    }
    table = zoo_results.modes_table(results, "ring8")
    row = table.splitlines()[2]
    assert "| 0,1,2 |" in row and "7.0 ± 1.0 / 8" in row and "| 8, 6, 7 |" in row
    assert "90.0 ± 0.0" in row and "31 ± 1" in row


def test_replace_section_replaces_or_appends():
    text = "intro\n"
    once = zoo_results.replace_section(text, "A")
    assert (
        once.startswith("intro\n")
        and zoo_results.markers("zoo_results")[0] in once
        and "\nA\n" in once
    )
    twice = zoo_results.replace_section(once + "outro\n", "B")
    assert "\nB\n" in twice and "\nA\n" not in twice and twice.endswith("outro\n")


def test_runs_with_overrides_have_their_own_keys_flags_and_rows():
    runs = zoo_results.plan_runs(["precision"])
    plain, bf16 = runs[0], runs[-1]
    assert plain.sets == ("train.reuse_fake=false",)
    assert bf16.sets == ("train.precision=mixed_bfloat16", "train.reuse_fake=false")
    assert (
        bf16.key
        == "fashion_mnist_dcgan_train-precision-mixed-bfloat16_train-reuse-fake-false_s2_n1000"
    )
    assert len({r.key for r in runs}) == len(runs) == 6

    def image(seed, fid, sets=()):
        m = dict(fid=fid, kid=0.5, kid_std=0.1, precision=0.5, recall=0.1)
        return {**_record("fashion_mnist_dcgan", seed, **m), "sets": list(sets)}

    results = {f"a{s}": image(s, 60.0 + s) for s in range(3)}
    results |= {f"b{s}": image(s, 62.0 + 2 * s, bf16.sets) for s in range(3)}
    means = zoo_results.seeds_table(results, "fashion_mnist").splitlines()
    assert (
        means[2].startswith("| `fashion_mnist_dcgan` | 5000 | 0,1,2 |")
        and "61.00 ± 1.00" in means[2]
    )
    label = "(`train.precision=mixed_bfloat16`, `train.reuse_fake=false`)"
    assert label in means[3] and "64.00 ± 2.00" in means[3]
    assert zoo_results.seeds_table({"a0": image(0, 60.0)}, "fashion_mnist") is None
