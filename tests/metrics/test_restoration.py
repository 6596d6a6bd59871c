"""PSNR/SSIM against independent numpy computations; the classical baselines."""

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from ganzoo.metrics import restoration


def numpy_psnr(a, b):
    a, b = (a + 1) / 2, (b + 1) / 2
    mse = ((a - b) ** 2).mean(axis=(1, 2, 3))
    return 10 * np.log10(1.0 / mse)


def numpy_ssim(a, b, size=11, sigma=1.5, k1=0.01, k2=0.03):
    """Wang et al.'s SSIM with a Gaussian window over 'valid' positions, per channel, averaged."""
    a, b = ((a + 1) / 2).astype(np.float64), ((b + 1) / 2).astype(np.float64)
    x = np.arange(size) - (size - 1) / 2
    g = np.exp(-(x**2) / (2 * sigma**2))
    w = np.outer(g, g) / np.outer(g, g).sum()

    def filt(img):  # [N, H, W, C] -> [N, H-10, W-10, C]
        windows = sliding_window_view(img, (size, size), axis=(1, 2))  # [N, h, w, C, s, s]
        return np.einsum("nhwcij,ij->nhwc", windows, w)

    mu_a, mu_b = filt(a), filt(b)
    var_a, var_b = filt(a * a) - mu_a**2, filt(b * b) - mu_b**2
    cov = filt(a * b) - mu_a * mu_b
    c1, c2 = k1**2, k2**2
    s = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / (
        (mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2)
    )
    return s.mean(axis=(1, 2, 3))


@pytest.mark.parametrize("channels", [1, 3])
def test_psnr_and_ssim_match_numpy(channels):
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (3, 28, 28, channels)).astype("float32")
    b = np.clip(a + rng.normal(0, 0.2, a.shape), -1, 1).astype("float32")
    np.testing.assert_allclose(restoration.psnr(b, a), numpy_psnr(b, a), rtol=1e-4)
    np.testing.assert_allclose(restoration.ssim(b, a), numpy_ssim(b, a), atol=2e-4)
    assert (restoration.ssim(a, a) > 0.9999).all() and np.isinf(restoration.psnr(a, a)).all()


def test_psnr_is_infinite_for_identical_images_only():
    a = np.random.default_rng(1).uniform(-1, 1, (2, 8, 8, 3)).astype("float32")
    b = a.copy()
    b[1, 0, 0, 0] += 0.5  # one pixel off by a quarter of the [0, 1] range: 1/4^2 of 192 pixels
    values = restoration.psnr(b, a)
    assert np.isposinf(values[0])
    np.testing.assert_allclose(values[1], 10 * np.log10(192 / 0.25**2), rtol=1e-4)


def test_mean_psnr_leaves_identical_pairs_out():
    assert restoration.mean_psnr([20.0, np.inf, 30.0]) == 25.0
    assert restoration.mean_psnr([np.inf, np.inf]) == np.inf
    assert np.isnan(restoration.mean_psnr([20.0, np.nan]))  # a broken output shows
    assert np.isnan(restoration.mean_psnr([]))


def test_bicubic_upsample_keeps_constants_and_range():
    low = np.full((2, 4, 4, 1), 0.3, "float32")
    np.testing.assert_allclose(restoration.bicubic_upsample(low, 16), 0.3, atol=1e-6)
    spiky = np.where(np.indices((4, 4)).sum(0) % 2, 1.0, -1.0)[None, ..., None]
    out = restoration.bicubic_upsample(spiky.astype("float32"), 16)
    assert out.shape == (1, 16, 16, 1) and out.max() <= 1 and out.min() >= -1


def holes():
    mask = np.zeros((2, 12, 12, 1), "float32")
    mask[:, 4:8, 4:8] = 1
    return mask


def test_mean_fill_uses_the_known_pixels_mean():
    rng = np.random.default_rng(1)
    images = rng.uniform(-1, 1, (2, 12, 12, 3)).astype("float32")
    mask = holes()
    filled = restoration.mean_fill(images * (1 - mask), mask)
    want = images[0][mask[0, ..., 0] == 0].mean(axis=0)  # [3]
    np.testing.assert_allclose(filled[0, 5, 5], want, rtol=1e-5)
    np.testing.assert_array_equal(filled[mask[..., 0] == 0], images[mask[..., 0] == 0])


def test_telea_fills_holes_from_their_border():
    pytest.importorskip("cv2")
    mask = holes()
    flat = np.full((2, 12, 12, 1), 0.5, "float32")
    filled = restoration.telea_fill(flat * (1 - mask), mask)
    np.testing.assert_allclose(filled, 0.5, atol=2.5 / 127.5)  # 8 bits, +-2 levels
    ramp = np.tile(np.linspace(-1, 1, 12, dtype="float32")[None, :, None], (12, 1, 3))[None]
    filled = restoration.telea_fill(ramp * (1 - mask[:1]), mask[:1])
    # the ramp is continued across the hole: every pixel within one pixel's step (2 / 11)
    assert np.abs(filled - ramp).max() < 2 / 11


def test_gray_to_rgb_copies_the_luma():
    gray = np.random.default_rng(2).uniform(-1, 1, (2, 5, 5, 1)).astype("float32")
    rgb = restoration.gray_to_rgb(gray)
    assert rgb.shape == (2, 5, 5, 3) and (rgb == gray).all()
