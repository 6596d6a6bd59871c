"""Pictures of samples: grids readable at a glance (small images upscaled), 2-D scatter plots."""

import numpy as np

from ganzoo import images


def test_a_28_pixel_image_is_drawn_84_pixels_wide_by_nearest_neighbour():
    rng = np.random.default_rng(0)
    digits = rng.uniform(-1, 1, (6, 28, 28, 1)).astype(np.float32)
    grid = images.image_grid(digits, cols=3, pad=2)
    assert grid.shape == (2 + 2 * (84 + 2), 2 + 3 * (84 + 2), 1)
    # The 5th image (row 1, column 1): every pixel a 3x3 block of the original's value.
    cell = grid[2 + 86 : 2 + 86 + 84, 2 + 86 : 2 + 86 + 84, 0]
    original = images.to_uint8(digits[4])[..., 0]
    np.testing.assert_array_equal(cell[::3, ::3], original)
    np.testing.assert_array_equal(cell, np.kron(original, np.ones((3, 3), np.uint8)))
    assert (grid[:2] == 255).all() and (grid[:, 86:88] == 255).all()  # white padding


def test_scale_is_the_smallest_integer_reaching_84_and_large_images_stay():
    assert [images.readable_scale(s, s) for s in (7, 16, 28, 32, 64, 84, 128)] == [
        12,
        6,
        3,
        3,
        2,
        1,
        1,
    ]
    big = np.zeros((2, 128, 96, 3), np.float32)
    assert images.image_grid(big, cols=2).shape == (2 + 128 + 2, 2 + 2 * (96 + 2), 3)
    small = np.zeros((4, 28, 28, 1), np.float32)
    assert images.image_grid(small, cols=2, min_side=0).shape == (2 + 2 * 30, 2 + 2 * 30, 1)


def test_two_d_points_are_a_scatter_plot_not_upscaled():
    points = np.random.default_rng(0).normal(size=(100, 2)).astype(np.float32)
    assert images.picture(points).shape == (400, 400, 3)
