"""BigGAN: networks' shapes and structure, .keras round trips, the GAN's orthogonal term,
truncation, and config validation. Tiny widths, all 1000 ImageNet classes."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo.errors import ConfigError
from ganzoo.families.biggan import models as biggan
from ganzoo.families.biggan.gan import BigGAN, truncated_normal
from ganzoo.families.biggan.layers import LatentChunks, VectorConditionalBatchNorm
from ganzoo.families.biggan.orthogonal import regularized_kernels
from ganzoo.models.attention import SelfAttention
from ganzoo.models.layers import SpectralNorm

K = 1000


@pytest.fixture(scope="module")
def nets():
    keras.utils.set_random_seed(0)
    g = biggan.generator(64, K, 32, 3, width=2, attention_resolutions=(16,))
    d = biggan.discriminator(K, 32, 3, width=2, attention_resolutions=(16,))
    return g, d


def _inputs(n=3, latent=64, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, latent)).astype("float32"), np.array([0, 7, 999][:n], "int32")


def test_shapes_and_range(nets):
    g, d = nets
    z, y = _inputs()
    images = g([z, y], training=False).numpy()
    assert images.shape == (3, 32, 32, 3) and np.abs(images).max() <= 1.0
    assert d([images, y], training=False).shape == (3, 1)


def test_hierarchical_latent_conditions_every_block(nets):
    g, _ = nets
    assert g.get_layer("z_chunks").sizes == [16, 16, 16, 16]  # 64 = 4 slots (linear + 3 blocks)
    cbns = [layer for layer in g.layers if isinstance(layer, VectorConditionalBatchNorm)]
    assert len(cbns) == 6  # two per up block
    # Each CBN reads [shared embedding (128) | its block's chunk (16)].
    assert {layer.gain.layer.kernel.shape[0] for layer in cbns} == {128 + 16}
    # Changing only the last block's chunk changes the image.
    z, y = _inputs()
    z2 = z.copy()
    z2[:, 48:] += 1.0
    a, b = g([z, y], training=False).numpy(), g([z2, y], training=False).numpy()
    assert np.abs(a - b).max() > 1e-4


def test_flat_latent_variant():
    g = biggan.generator(22, K, 32, 3, width=2, hierarchical=False, attention_resolutions=())
    cbn = g.get_layer("up0_cbn1")
    assert cbn.gain.layer.kernel.shape[0] == 128
    with pytest.raises(ConfigError, match=r"latent_dim=22.*Expected a multiple of 4"):
        biggan.generator(22, K, 32, 3, width=2)


def test_spectral_norm_and_attention_everywhere(nets):
    for net in nets:
        inner = [
            layer
            for layer in net._flatten_layers(include_self=False, recursive=True)
            if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))
        ]
        wrapped = {
            id(layer.layer)
            for layer in net._flatten_layers(include_self=False, recursive=True)
            if isinstance(layer, SpectralNorm)
        }
        assert inner and all(id(layer) in wrapped for layer in inner), net.name
        attention = [layer for layer in net.layers if isinstance(layer, SelfAttention)]
        assert len(attention) == 1 and attention[0].spectral_norm
        assert attention[0].output.shape[1] == 16


def test_projection_uses_the_label(nets):
    g, d = nets
    z, y = _inputs()
    images = g([z, y], training=False).numpy()
    a = d([images, y], training=False).numpy()
    b = d([images, (y + 1) % K], training=False).numpy()
    assert np.abs(a - b).max() > 1e-6


def test_keras_round_trip(nets, tmp_path):
    z, y = _inputs()
    for net, args in ((nets[0], [z, y]), (nets[1], None)):
        if args is None:
            args = [nets[0]([z, y], training=False).numpy(), y]
        path = str(tmp_path / f"{net.name}.keras")
        net.save(path)
        loaded = keras.saving.load_model(path)
        np.testing.assert_allclose(
            loaded(args, training=False).numpy(), net(args, training=False).numpy(), atol=1e-5
        )


def test_latent_chunks_layer_config():
    layer = LatentChunks([2, 3])
    assert LatentChunks.from_config(layer.get_config()).sizes == [2, 3]
    with pytest.raises(ValueError, match="Expected positive chunk sizes"):
        LatentChunks([0])


def test_truncated_normal_matches_the_truncated_distribution():
    z = truncated_normal(np.random.default_rng(0), (200_000,), 1.0)
    assert z.dtype == np.float32 and np.abs(z).max() <= 1.0
    # Var of N(0, 1) truncated to [-a, a]: 1 - 2 a phi(a) / (2 Phi(a) - 1); a = 1 -> 0.29112.
    assert float(np.var(z)) == pytest.approx(0.29112, abs=0.004)
    assert abs(float(np.mean(z))) < 0.005
    plain = truncated_normal(np.random.default_rng(3), (4, 5), 0.0)
    np.testing.assert_array_equal(
        plain, np.random.default_rng(3).standard_normal((4, 5)).astype("float32")
    )


TINY = {
    "model.width": 2,
    "train.batch_size": 2,
    "sample.truncation": 0.5,
}


@pytest.fixture(scope="module")
def gan():
    config = ganzoo.get_experiment("imagenet32_biggan", TINY)
    return ganzoo.build_gan(config)


def penalized_kernels(generator) -> dict:
    """{path: W as float64 numpy} of the G weights BigGAN regularises, chosen here apart from
    `regularized_kernels`: every trainable matrix or conv kernel but the shared embedding."""
    return {
        v.path: v.numpy().astype(np.float64)
        for v in generator.trainable_variables
        if len(v.shape) >= 2 and not v.path.startswith("shared_embedding/")
    }


def offdiagonal_gram(kernel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(W, W^T W * (1 - I)) for a kernel reshaped to W [fan_in, units]."""
    w = kernel.reshape(-1, kernel.shape[-1])
    return w, w.T @ w * (1.0 - np.eye(w.shape[1]))


def numpy_orthogonal_penalty(kernels, beta: float) -> float:
    """beta * sum_W ||W^T W * (1 - I)||_F^2 (Brock et al. 2019, Eq. 3)."""
    return beta * sum(np.sum(offdiagonal_gram(k)[1] ** 2) for k in kernels)


def test_build_gan_is_a_biggan_whose_g_ortho_is_the_orthogonal_penalty(gan):
    assert isinstance(gan, BigGAN) and gan.num_classes == K and gan.d_steps == 2
    assert gan.orthogonal_weight == 1e-4 and gan.ema_generator is not None
    kernels = penalized_kernels(gan.generator)  # the step's G loss reads them before G moves
    assert sorted(kernels) == sorted(v.path for v in regularized_kernels(gan.generator))
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    logs = gan.train_step((tf.constant(x), tf.constant([3, 998], tf.int32)))
    expected = numpy_orthogonal_penalty(kernels.values(), 1e-4)
    assert expected > 0 and float(logs["g_ortho"]) == pytest.approx(expected, rel=1e-4)
    assert np.isfinite(float(logs["g_loss"]))


def _sgd_biggan(orthogonal_weight, weights=None):
    config = ganzoo.get_experiment(
        "imagenet32_biggan", {**TINY, "biggan.orthogonal_weight": orthogonal_weight}
    )
    gan = ganzoo.build_gan(config)
    gan.compile(
        d_optimizer=keras.optimizers.SGD(1e-3),
        g_optimizer=keras.optimizers.SGD(1.0),
        jit_compile=False,
    )
    if weights is not None:
        gan.generator.set_weights(weights[0])
        gan.discriminator.set_weights(weights[1])
    return gan


def test_orthogonal_gradient_reaches_exactly_gs_penalised_kernels_in_the_step():
    """Two BigGANs alike but for beta take one step with SGD (G's lr 1): their G weights then
    differ by -4 beta W (W^T W * (1 - I)) on each penalised kernel (the penalty's gradient,
    by hand), and by nothing on biases, norms or the shared embedding."""
    beta = 0.05
    with_term = _sgd_biggan(beta)
    rng = np.random.default_rng(1)
    for v in with_term.generator.trainable_variables:  # off the orthogonal init: a real penalty
        if len(v.shape) >= 2:
            v.assign(v.numpy() + rng.normal(0.0, 0.05, v.shape).astype("float32"))
    weights = (with_term.generator.get_weights(), with_term.discriminator.get_weights())
    without = _sgd_biggan(0.0, weights)
    before = penalized_kernels(with_term.generator)
    x = tf.constant(rng.uniform(-1, 1, (2, 32, 32, 3)).astype("float32"))
    labels = tf.constant([3, 998], tf.int32)
    for gan in (with_term, without):
        gan.train_step((x, labels))
    for a, b in zip(
        with_term.generator.trainable_variables, without.generator.trainable_variables, strict=True
    ):
        moved = a.numpy().astype(np.float64) - b.numpy()
        if a.path in before:
            w, off = offdiagonal_gram(before[a.path])
            expected = (-4.0 * beta * w @ off).reshape(moved.shape)
            assert w.shape[1] == 1 or np.abs(expected).max() > 1e-3, a.path  # 1 unit: no term
            np.testing.assert_allclose(moved, expected, rtol=1e-3, atol=1e-6, err_msg=a.path)
        else:
            np.testing.assert_allclose(moved, 0.0, atol=1e-6, err_msg=a.path)


def test_truncated_sampling(gan):
    z, labels = gan.latent_for_seed(6, seed=1)
    assert np.abs(z).max() <= 0.5 and list(labels) == [0, 1, 2, 3, 4, 5]
    samples, grid_labels = gan.class_grid([5, 999], cols=3, seed=1)
    assert samples.shape == (6, 32, 32, 3) and list(grid_labels) == [5, 5, 5, 999, 999, 999]
    assert gan.generate(2).shape == (2, 32, 32, 3)


def test_gan_config_round_trip(gan):
    config = gan.get_config()
    assert config["truncation"] == 0.5 and "conditioning" not in config
    clone = BigGAN.from_config(config)
    assert clone.truncation == 0.5 and clone.orthogonal_weight == 1e-4


@pytest.mark.parametrize(
    "overrides, match",
    [
        ({"model.latent_dim": 130}, r"latent_dim=130.*Expected a multiple of 4"),
        ({"model.resolution": 48}, r"resolution=48.*support 32, 64, 128"),
        ({"model.attention_resolutions": "4"}, r"attention_resolutions='4'"),
        ({"sample.truncation": -1.0}, r"sample.truncation=-1.0"),
        ({"model.conditioning": "concat"}, r"Expected conditioning='projection'"),
    ],
)
def test_config_errors(overrides, match):
    with pytest.raises(ConfigError, match=match):
        ganzoo.get_experiment("imagenet32_biggan", overrides)


def test_truncation_is_refused_for_other_models():
    with pytest.raises(ConfigError, match=r"truncation=0.5 with model.arch='dcgan'"):
        ganzoo.get_experiment("mnist_dcgan", {"sample.truncation": 0.5})


def test_flat_latent_accepts_any_latent_size():
    config = ganzoo.get_experiment(
        "imagenet32_biggan", {"biggan.hierarchical": False, "model.latent_dim": 130}
    )
    assert config.model.latent_dim == 130
