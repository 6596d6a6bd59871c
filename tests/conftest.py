"""Shared fixtures: quiet TF, tiny configs, a clean experiment registry load."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import debian_packages  # noqa: E402
import pytest  # noqa: E402


def pytest_collection_modifyitems(config, items):
    real_data = [item for item in items if "real_data" in item.keywords]
    if real_data and not debian_packages.installed("dataset-fashion-mnist"):
        skip = pytest.mark.skip(reason=debian_packages.reason("dataset-fashion-mnist"))
        for item in real_data:
            item.add_marker(skip)


def _op_determinism():
    """TF's op-determinism switch, or None before TF is imported (then it is off)."""
    import sys

    if "tensorflow" not in sys.modules:
        return None
    from tensorflow.python.framework import config as tf_config

    return tf_config


@pytest.fixture(autouse=True)
def _restore_op_determinism():
    """A test that trains in-process with train.deterministic=true turns on TF's op determinism
    for the whole process, and Keras then silently drops jit_compile=True in every later test;
    switch it back off after such a test."""
    before = _op_determinism()
    was_on = bool(before and before.is_op_determinism_enabled())
    yield
    after = _op_determinism()
    if after and not was_on and after.is_op_determinism_enabled():
        after.disable_op_determinism()


@pytest.fixture
def tiny_synthetic_config():
    """A ring8 MLP GAN small enough to train in a second or two."""
    from ganzoo.config import apply_overrides, base_config
    from ganzoo.experiment import validate

    c = base_config()
    c.name = "tiny_ring8"
    c.data.update(source="synthetic", name="ring8", synthetic_size=2048, cache=False)
    c.model.update(arch="mlp", latent_dim=4, width=16, depth=2)
    c.train.update(steps=20, batch_size=32, log_every=5, sample_every=10, checkpoint_every=10)
    c.sample.update(num=64)
    return validate(apply_overrides(c, {}))
