"""Conditional and InfoGAN networks: layers against hand computations, shapes, config errors,
serialization."""

import keras
import numpy as np
import pytest

from ganzoo.config import apply_overrides, base_config
from ganzoo.errors import ConfigError
from ganzoo.experiment import validate
from ganzoo.families.conditional import models as conditional
from ganzoo.families.infogan import models as infogan
from ganzoo.models.conditional_layers import (
    ConditionalBatchNorm,
    InfoGANCodes,
    LabelConcat,
    OneHot,
    latent_for_codes,
    split_latent,
)

LABELS = np.array([0, 2, 1, 2], np.int32)


def image_config(**overrides):
    c = base_config()
    c.model.update(arch="dcgan", resolution=28, channels=1, width=4, latent_dim=8)
    c.model.update(num_classes=3, conditioning="concat")
    c.train.batch_size = 4
    return validate(apply_overrides(c, overrides))


def ring_config(**overrides):
    c = base_config()
    c.data.update(source="synthetic", name="ring8")
    c.model.update(arch="mlp", latent_dim=4, width=8, depth=2, num_classes=8)
    c.model.conditioning = "concat"
    return validate(apply_overrides(c, overrides))


def test_label_concat_on_vectors_and_images():
    x = np.arange(8, dtype=np.float32).reshape(4, 2)
    out = LabelConcat(3)([x, LABELS]).numpy()
    np.testing.assert_array_equal(out, np.concatenate([x, np.eye(3)[LABELS]], axis=1))
    images = np.random.default_rng(0).normal(size=(4, 5, 5, 2)).astype(np.float32)
    out = LabelConcat(3)([images, LABELS]).numpy()
    assert out.shape == (4, 5, 5, 5)
    np.testing.assert_array_equal(out[..., :2], images)
    np.testing.assert_array_equal(out[:, 3, 1, 2:], np.eye(3)[LABELS])
    np.testing.assert_array_equal(OneHot(3)(LABELS).numpy(), np.eye(3)[LABELS])


def test_conditional_batch_norm_matches_hand_computation():
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 3.0, size=(4, 3, 3, 5)).astype(np.float32)
    layer = ConditionalBatchNorm(3, epsilon=1e-3)
    layer([x, LABELS])
    gamma, beta = rng.normal(size=(2, 3, 5)).astype(np.float32)
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    got = layer([x, LABELS], training=True).numpy()
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    want = (x - mean) / np.sqrt(var + 1e-3)
    want = want * (1 + gamma[LABELS])[:, None, None] + beta[LABELS][:, None, None]
    np.testing.assert_allclose(got, want, atol=1e-4)
    # The moving statistics are plain BN's (non-trainable), the tables trainable.
    assert {w.name for w in layer.trainable_weights} == {"gamma", "beta"}
    assert len(layer.non_trainable_weights) == 2


def test_infogan_codes_draw_the_prior_and_invert():
    z = np.random.default_rng(0).normal(size=(20_000, 3 + 4 + 2)).astype(np.float32)
    noise, cats, cont = split_latent(z, 3, (4,), 2)
    counts = np.bincount(cats[0].numpy(), minlength=4) / len(z)
    np.testing.assert_allclose(counts, 0.25, atol=0.02)  # uniform categorical
    cont = cont.numpy()
    assert cont.min() > -1 and cont.max() < 1
    np.testing.assert_allclose(np.histogram(cont[:, 0], 4, (-1, 1))[0] / len(z), 0.25, atol=0.02)
    layer_out = InfoGANCodes(3, (4,), 2)(z[:5]).numpy()
    np.testing.assert_array_equal(layer_out[:, 3:7], np.eye(4)[cats[0].numpy()[:5]])
    # latent_for_codes is the inverse: the codes come back.
    again = latent_for_codes(noise[:5], cats[0].numpy()[:5, None], cont[:5], (4,))
    n2, c2, k2 = split_latent(again, 3, (4,), 2)
    np.testing.assert_array_equal(c2[0].numpy(), cats[0].numpy()[:5])
    np.testing.assert_allclose(k2.numpy(), cont[:5], atol=1e-4)
    np.testing.assert_array_equal(np.asarray(n2), np.asarray(noise[:5]))


def test_projection_discriminator_is_psi_plus_embedding_inner_product():
    config = ring_config(**{"model.conditioning": "projection"})
    _, d = conditional.build_conditional_models(config.model, (2,))
    x = np.random.default_rng(1).normal(size=(4, 2)).astype(np.float32)
    y = np.array([0, 7, 3, 3], np.int32)
    phi = keras.Model(d.inputs[0], d.get_layer("projection").input[1])(x).numpy()
    logits_layer = d.get_layer("logits")
    w, b = (v.numpy() for v in logits_layer.weights)
    embedding = d.get_layer("class_embedding").kernel.numpy()  # [K, F]
    want = phi @ w + b + np.sum(embedding[y] * phi, axis=1, keepdims=True)
    np.testing.assert_allclose(d([x, y]).numpy(), want, atol=1e-5)
    assert d.output_shape == (None, 1)


def test_concat_discriminator_sees_the_one_hot_code():
    config = ring_config()
    g, d = conditional.build_conditional_models(config.model, (2,))
    x = np.zeros((2, 2), np.float32)
    inner = [layer for layer in d.layers if isinstance(layer, keras.Model)][0]
    assert inner.input_shape == (None, 2 + 8)
    want = inner(np.concatenate([x, np.eye(8)[[1, 5]]], axis=1)).numpy()
    np.testing.assert_allclose(d([x, np.array([1, 5])]).numpy(), want, atol=1e-6)
    assert g.input_shape == [(None, 4), (None,)] and g.output_shape == (None, 2)


@pytest.mark.parametrize("kind", ["concat", "acgan", "projection"])
def test_image_models_shapes_and_keras_files(kind, tmp_path):
    config = image_config(**{"model.conditioning": kind, "model.spectral_norm": True})
    g, d = conditional.build_conditional_models(config.model, (28, 28, 1))
    z = np.random.default_rng(0).normal(size=(4, 8)).astype(np.float32)
    images = g([z, LABELS], training=True).numpy()
    assert images.shape == (4, 28, 28, 1) and np.abs(images).max() <= 1
    if kind == "acgan":
        logits, class_logits = d(images)
        assert logits.shape == (4, 1) and class_logits.shape == (4, 3)
    else:
        assert d([images, LABELS]).shape == (4, 1)
    for model in (g, d):
        path = str(tmp_path / f"{model.name}.keras")
        model.save(path)
        again = keras.models.load_model(path)
        inputs = [z, LABELS] if model is g else ([images, LABELS] if kind != "acgan" else images)
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(keras.tree.flatten(again(inputs))[0]),
            keras.ops.convert_to_numpy(keras.tree.flatten(model(inputs))[0]),
            atol=1e-5,
        )


def test_projection_generator_uses_conditional_batch_norm_and_labels_matter():
    config = image_config(**{"model.conditioning": "projection"})
    g, _ = conditional.build_conditional_models(config.model, (28, 28, 1))
    cbn = [layer for layer in g.layers if isinstance(layer, ConditionalBatchNorm)]
    assert len(cbn) == 2  # after the dense projection and the one hidden up-convolution
    for layer in cbn:
        layer.beta.assign(np.random.default_rng(0).normal(size=layer.beta.shape))
    z = np.zeros((2, 8), np.float32) + 0.5
    a = g([z, np.array([0, 0])], training=False).numpy()
    b = g([z, np.array([0, 1])], training=False).numpy()
    np.testing.assert_allclose(a[0], b[0], atol=1e-6)
    assert np.abs(a[1] - b[1]).max() > 1e-3


def test_infogan_models():
    c = base_config()
    c.model.update(arch="dcgan", width=4, latent_dim=5, info_categorical="10,3", info_continuous=2)
    config = validate(c)
    assert infogan.is_infogan(config.model)
    g, d = infogan.build_infogan_models(config.model, (28, 28, 1))
    assert g.input_shape == (None, 5 + 13 + 2)
    outputs = d(g(np.zeros((3, 20), np.float32)))
    assert [tuple(o.shape) for o in outputs] == [(3, 1), (3, 10), (3, 3), (3, 2)]


@pytest.mark.parametrize(
    "overrides, match",
    [
        ({"model.conditioning": "film"}, "model.conditioning='film'.*concat, acgan, projection"),
        ({"model.num_classes": 1}, r"model.num_classes=1 .*Expected the number of classes"),
        ({"model.num_classes": 10}, "whose labels are its 8 mode indices"),
        ({"sample.labels": "0,8"}, r"out of range: \[8\]\)\. Expected class indices in \[0, 8\)"),
        ({"sample.labels": "zero"}, "Expected 'all' or comma-separated class indices"),
        (
            {"model.info_categorical": "10"},
            r"conditional \(model.conditioning=.*infogan \(model.info_categorical",
        ),
        ({"model.acgan_weight": -1.0}, "acgan_weight=-1.0"),
    ],
)
def test_config_errors(overrides, match):
    with pytest.raises(ConfigError, match=match):
        ring_config(**overrides)


def test_more_config_errors():
    with pytest.raises(ConfigError, match="arch='stylegan2'.*dcgan, mlp"):
        c = base_config()
        c.model.update(arch="stylegan2", resolution=32, channels=3, num_classes=10)
        c.model.conditioning = "projection"
        validate(c)
    with pytest.raises(ConfigError, match="sample.labels='1' for an unconditional model"):
        validate(apply_overrides(base_config(), {"sample.labels": "1"}))
    with pytest.raises(ConfigError, match="info_categorical='10,1'"):
        validate(apply_overrides(base_config(), {"model.info_categorical": "10,1"}))
    assert conditional.parse_labels("all", 3) == [0, 1, 2]
    assert conditional.parse_labels("2, 0,2", 3) == [2, 0, 2]
