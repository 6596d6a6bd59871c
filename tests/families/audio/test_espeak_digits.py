"""The espeak-ng spoken-digits set: the variant grid and its splits, a tiny deterministic
synthesis into the cache, the source, and the error when espeak-ng is missing."""

import shutil

import numpy as np
import pytest
from debian_packages import needs

from ganzoo import config as config_lib
from ganzoo.data import build_dataset
from ganzoo.errors import DataError, MissingPackageError
from ganzoo.experiment import validate
from ganzoo.families.audio import espeak_digits

needs_espeak = needs("espeak-ng")


def digits_config(cache_dir, **overrides):
    c = config_lib.base_config()
    c.data.update(source="espeak_digits", name="espeak_digits", shuffle_buffer=0)
    c.model.update(arch="wavegan", width=4, latent_dim=8)
    c.audio.update(length=4096, sample_rate=8000, espeak_variants=5)
    c.eval.update(cache_dir=str(cache_dir))
    c.train.update(batch_size=2)
    return validate(config_lib.apply_overrides(c, overrides))


def test_grid_and_splits_are_fixed_and_disjoint():
    full = espeak_digits.grid()
    assert len(full) == len(set(full)) == 6 * 8 * 3 * 3
    assert espeak_digits.grid() == full  # the same order on every call (fixed seed)
    train = espeak_digits.split_variants(250, "train")
    test = espeak_digits.split_variants(250, "test")
    assert (len(train), len(test)) == (200, 50) and not set(train) & set(test)
    assert set(train) | set(test) == set(full[:250])
    assert len({v[0] for v in test}) == len(espeak_digits.VOICES)  # every voice is tested
    clips = espeak_digits.clip_list(5, "train")
    assert [d for _, d in clips[:10]] == list(range(10)) and len(clips) == 40


@needs_espeak
def test_tiny_synthesis_is_deterministic_cached_and_labelled(tmp_path):
    clips = espeak_digits.clip_list(1, "all")[:3]  # zero, one, two of one variant
    first = espeak_digits.synthesize(clips, str(tmp_path / "a"))
    second = espeak_digits.synthesize(clips, str(tmp_path / "b"))
    for a, b in zip(first, second, strict=True):
        assert open(a, "rb").read() == open(b, "rb").read()
    mtimes = [p.stat().st_mtime_ns for p in sorted((tmp_path / "a").iterdir())]
    espeak_digits.synthesize(clips, str(tmp_path / "a"))  # cached: nothing rewritten
    assert [p.stat().st_mtime_ns for p in sorted((tmp_path / "a").iterdir())] == mtimes

    c = digits_config(tmp_path / "cache", **{"data.max_examples": 4, "data.split": "train"})
    x, y = next(iter(build_dataset(c, with_labels=True, repeat=False).unbatch().batch(4)))
    assert x.shape == (4, 4096, 1) and y.numpy().tolist() == [0, 1, 2, 3]
    assert 0.9 < float(np.max(np.abs(x))) <= 1.0  # peak-normalised speech, not silence
    assert len(list((tmp_path / "cache" / "espeak_digits").glob("*/*.wav"))) == 4


def test_missing_espeak_names_the_package(tmp_path, monkeypatch):
    absent = str(tmp_path / "no-espeak-here")
    monkeypatch.setenv(espeak_digits.BINARY_ENV, absent)
    assert espeak_digits.find_espeak() is None  # the setting wins over PATH, even when wrong
    c = digits_config(tmp_path / "cache", **{"data.max_examples": 2})
    with pytest.raises(MissingPackageError, match="apt-get install espeak-ng") as error:
        build_dataset(c)
    assert error.value.package == "espeak-ng" and isinstance(error.value, DataError)
    assert f"$GANZOO_ESPEAK={absent!r}, which does not exist" in str(error.value)
    monkeypatch.delenv(espeak_digits.BINARY_ENV)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(MissingPackageError, match="espeak-ng is not on PATH"):
        build_dataset(c)
    (tmp_path / "espeak-ng").write_text("")  # any existing path is taken as the executable
    monkeypatch.setenv(espeak_digits.BINARY_ENV, str(tmp_path / "espeak-ng"))
    assert espeak_digits.find_espeak() == str(tmp_path / "espeak-ng")
