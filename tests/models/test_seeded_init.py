"""The seed fixes every model's initial weights, and no two layers start alike by accident."""

import subprocess
import sys

import numpy as np

import ganzoo
from ganzoo import train_lib

SCRIPT = """
import hashlib, ganzoo
from ganzoo import train_lib
gan = train_lib.build_gan(ganzoo.get_experiment("fashion_mnist_dcgan", {"seed": 3}))
h = hashlib.sha256()
for w in gan.generator.weights + gan.discriminator.weights:
    h.update(w.numpy().tobytes())
print(h.hexdigest())
"""


def _weights(seed):
    config = ganzoo.get_experiment("fashion_mnist_dcgan", {"seed": seed})
    gan = train_lib.build_gan(config)
    return [w.numpy() for w in gan.generator.weights + gan.discriminator.weights]


def test_same_seed_same_weights_in_two_fresh_processes():
    digests = [
        subprocess.run(
            [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True
        ).stdout.split()[-1]
        for _ in range(2)
    ]
    assert digests[0] == digests[1]


def test_other_seed_other_weights_and_no_two_kernels_alike():
    a, b = _weights(0), _weights(1)
    assert any(not np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    kernels = [w for w in a if w.ndim >= 2]
    for i, x in enumerate(kernels):
        for y in kernels[i + 1 :]:
            assert x.shape != y.shape or not np.array_equal(x, y)
