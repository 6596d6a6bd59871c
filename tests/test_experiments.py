"""Every registered experiment builds, validates and trains 2 steps at its real shapes.

An experiment whose data a missing Debian package would provide (fortunes, espeak-ng) skips
with the package's name; tests/test_skips.py checks that it does."""

import numpy as np
import pytest
import tensorflow_datasets as tfds
from debian_packages import skip_if_missing

import ganzoo
from ganzoo import train_lib
from ganzoo.experiment import list_experiments, smoke_overrides


def write_images(folder, n=6, size=40, classes=2):
    """n images in `classes` class subfolders (ImageNet layout; also fine unlabelled)."""
    import PIL.Image

    rng = np.random.default_rng(0)
    for i in range(n):
        sub = folder / f"class{i % classes}"
        sub.mkdir(parents=True, exist_ok=True)
        PIL.Image.fromarray(rng.integers(0, 255, (size, size + i, 3), dtype=np.uint8)).save(
            sub / f"{i}.png"
        )
    return str(folder)


def write_wavs(folder, n=6):
    from ganzoo.families.audio.data import write_wav

    rng = np.random.default_rng(0)
    for i in range(n):
        write_wav(str(folder / f"{i % 2}" / f"{i}.wav"), rng.uniform(-0.5, 0.5, 4000 + i), 16000)
    return str(folder)


def _source(name):
    from ganzoo.experiment import EXPERIMENTS

    return EXPERIMENTS.get(name)().data.source


@pytest.mark.parametrize("name", sorted(list_experiments()))
def test_experiment_runs_two_steps(name, tmp_path):
    overrides = {
        "train.steps": 2,
        "train.batch_size": 2,
        "train.log_every": 1,
        "train.sample_every": 2,
        "train.checkpoint_every": 2,
        "sample.num": 4,
        "data.shuffle_buffer": 8,
        **smoke_overrides(name),  # e.g. a tiny model.width for ImageNet-sized models
    }
    if name.startswith("image_folder_") or _source(name) == "folder":
        # data.dir holds trainA/ and trainB/: CycleGAN's two domains, all images for the rest.
        write_images(tmp_path / "images" / "trainA")
        overrides["data.dir"] = write_images(tmp_path / "images" / "trainB")[: -len("/trainB")]
    if name.endswith("_wavegan"):  # its synthesised clips stay out of the user's cache
        overrides["eval.cache_dir"] = str(tmp_path / "cache")
    if name == "audio_folder_wavegan":
        overrides["data.dir"] = write_wavs(tmp_path / "wavs")
    config = ganzoo.get_experiment(name, overrides)
    assert config.name == name and config.description
    skip_if_missing(config)
    with tfds.testing.mock_data(num_examples=8):
        batch = next(iter(ganzoo.build_dataset(config)))
        batch = batch[0] if isinstance(batch, tuple) else batch  # (x, labels): conditional
        assert tuple(batch.shape[1:]) == ganzoo.family_of(config).example_shape(config)
        gan = train_lib.train(config, str(tmp_path / "run"))
    assert int(gan.g_optimizer.iterations) == 2
    samples = gan.generate(4)
    assert (
        samples.shape == (4, *ganzoo.family_of(config).example_shape(config))
        and np.isfinite(samples).all()
    )


def test_get_experiment_with_overrides():
    config = ganzoo.get_experiment(
        "mnist_dcgan", overrides={"train.batch_size": 64, "model.loss": "hinge"}
    )
    assert config.train.batch_size == 64 and config.model.loss == "hinge"
    gan = ganzoo.build_gan(config)
    assert gan.compiled and gan.loss == "hinge" and gan.generator.output_shape == (None, 28, 28, 1)


def test_experiment_descriptions_are_one_line():
    for name, description in list_experiments().items():
        assert description and "\n" not in description, name


def test_only_the_plain_dcgan_experiments_and_grid25_reuse_the_d_steps_fakes():
    # The fast step is the default of mnist_dcgan / fashion_mnist_dcgan (docs/performance.md) and
    # of grid25_gan (chosen by measurement for its 60 s budget, docs/results.md); the zoo's
    # recipes keep a fresh z for G's update, as published and as their tables were run.
    from ganzoo.experiment import EXPERIMENTS

    reusing = {name for name in list_experiments() if EXPERIMENTS.get(name)().train.reuse_fake}
    assert reusing == {"mnist_dcgan", "fashion_mnist_dcgan", "grid25_gan"}
    assert ganzoo.build_gan(ganzoo.get_experiment("mnist_dcgan")).reuse_fakes
    off = ganzoo.get_experiment("mnist_dcgan", overrides={"train.reuse_fake": False})
    assert not ganzoo.build_gan(off).reuse_fakes
