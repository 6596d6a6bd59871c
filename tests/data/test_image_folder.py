"""Image folders: recursive search, PIL header check, unreadable files reported and skipped."""

from __future__ import annotations

import io
import logging

import numpy as np
import pytest
from PIL import Image

from ganzoo.data import image_folder
from ganzoo.errors import DataError


def _save(path, mode: str, size: tuple[int, int], fmt: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    channels = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4, "P": 1}[mode]
    pixels = np.random.default_rng(0).integers(0, 256, (size[1], size[0], channels), np.uint8)
    image = Image.fromarray(pixels.squeeze(-1) if channels == 1 else pixels)
    image = image.convert(mode) if mode in ("P", "LA") else image
    image.save(path, format=fmt)


@pytest.fixture
def folder(tmp_path):
    """Two class subfolders with mixed formats, modes and sizes, one corrupt file, one text file."""
    _save(tmp_path / "cats" / "a.png", "L", (20, 30))
    _save(tmp_path / "cats" / "b.PNG", "RGBA", (40, 40), "PNG")
    _save(tmp_path / "cats" / "deep" / "c.gif", "P", (16, 12))
    _save(tmp_path / "dogs" / "d.jpg", "RGB", (50, 25))
    _save(tmp_path / "dogs" / "e.bmp", "RGB", (33, 33))
    _save(tmp_path / "dogs" / "f.png", "LA", (18, 18))
    (tmp_path / "dogs" / "broken.jpeg").write_bytes(b"not an image at all")
    (tmp_path / "notes.txt").write_text("ignored")
    return tmp_path


def test_finds_images_recursively_and_skips_corrupt_ones(folder, caplog):
    with caplog.at_level(logging.WARNING):
        paths = image_folder.find_images(str(folder))
    names = [p.split("/")[-1] for p in paths]
    assert names == ["a.png", "b.PNG", "c.gif", "d.jpg", "e.bmp", "f.png"]
    assert "Skipping 1 unreadable image file(s)" in caplog.text
    assert "broken.jpeg" in caplog.text


def test_decodes_every_mode_at_its_own_size(folder):
    shapes = [tuple(x.shape) for x in image_folder.load_image_folder(str(folder))]
    assert shapes == [(30, 20, 1), (40, 40, 4), (12, 16, 3), (25, 50, 3), (33, 33, 3), (18, 18, 2)]


def test_labels_come_from_first_level_subfolders(folder):
    paths = image_folder.find_images(str(folder))
    labels, names = image_folder.folder_labels(str(folder), paths)
    assert names == ["cats", "dogs"]
    assert labels == [0, 0, 0, 1, 1, 1]
    ds = image_folder.load_image_folder(str(folder), with_labels=True)
    assert [int(y) for _, y in ds] == labels


def test_labels_need_subfolders(tmp_path):
    _save(tmp_path / "x.png", "RGB", (8, 8))
    with pytest.raises(DataError, match=r"outside any class subfolder \(e\.g\. x\.png\)"):
        image_folder.load_image_folder(str(tmp_path), with_labels=True)


def test_file_truncated_after_a_valid_header_is_dropped_at_decode(tmp_path):
    buffer = io.BytesIO()
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), np.uint8)
    Image.fromarray(noise).save(buffer, "JPEG")  # noise: the header is a small part of the file
    (tmp_path / "cut.jpg").write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    _save(tmp_path / "ok.png", "RGB", (8, 8))
    assert len(image_folder.find_images(str(tmp_path))) == 2  # PIL's header check passes it
    assert [tuple(x.shape) for x in image_folder.load_image_folder(str(tmp_path))] == [(8, 8, 3)]


def test_empty_folder_says_what_was_found(tmp_path):
    (tmp_path / "readme.md").write_text("no images here")
    with pytest.raises(DataError, match=r"found 0 image file\(s\), 0 unreadable, and 1 other"):
        image_folder.find_images(str(tmp_path))


def test_only_corrupt_images(tmp_path):
    (tmp_path / "a.png").write_bytes(b"\x89PNG garbage")
    with pytest.raises(DataError, match=r"found 1 image file\(s\), 1 unreadable"):
        image_folder.find_images(str(tmp_path))


def test_missing_folder(tmp_path):
    with pytest.raises(DataError, match="does not exist.*--set data.dir="):
        image_folder.find_images(str(tmp_path / "nope"))
