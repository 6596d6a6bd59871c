"""Pictures of generated clips: animated GIFs (one grid per frame), frame strips (one clip per
row, time left to right) for PNG files and TensorBoard, and `--mode=sample` for video runs."""

from __future__ import annotations

import os

import numpy as np

from ganzoo import images as images_lib
from ganzoo.workdir import atomic_path, atomic_save_npy


def _check_clips(clips) -> np.ndarray:
    clips = np.asarray(clips)
    if clips.ndim != 5:
        raise ValueError(
            f"Received: clips of shape {clips.shape}. Expected [N, T, H, W, C] in [-1, 1]."
        )
    return clips


def frame_strip(clips, pad: int = 2) -> np.ndarray:
    """Clips [N, T, H, W, C] in [-1, 1] -> one uint8 picture: row n holds clip n's T frames."""
    clips = _check_clips(clips)
    n, t = clips.shape[:2]
    return images_lib.image_grid(clips.reshape(n * t, *clips.shape[2:]), cols=t, pad=pad)


def gif_frames(clips, cols: int = 8) -> list[np.ndarray]:
    """T uint8 pictures: picture t is the grid (`cols` per row) of every clip's frame t."""
    clips = _check_clips(clips)
    return [images_lib.image_grid(clips[:, t], cols) for t in range(clips.shape[1])]


def with_time_bar(picture: np.ndarray, t: int, frames: int, height: int = 2) -> np.ndarray:
    """`picture` with a bar of `height` rows below it, grey over the first (t + 1) / frames of
    its width: where a looping GIF is in the clip. It also keeps every frame distinct (Pillow
    stores consecutive identical frames as one, so a still clip would lose frames)."""
    bar = np.full((height, *picture.shape[1:]), 255, np.uint8)
    bar[:, : max(1, round((t + 1) / frames * picture.shape[1]))] = 128
    return np.concatenate([picture, bar], axis=0)


def write_gif(path: str, clips, cols: int = 8, frame_ms: int = 125, scale: int = 1) -> str:
    """An animated GIF of `clips` (a grid of `cols` clips per row, a `with_time_bar` below),
    looping, `frame_ms` per frame, each pixel drawn `scale` x `scale`; written atomically."""
    import PIL.Image

    frames = gif_frames(clips, cols)
    pictures = []
    for t, frame in enumerate(frames):
        if scale > 1:
            frame = frame.repeat(scale, axis=0).repeat(scale, axis=1)
        frame = with_time_bar(frame, t, len(frames), height=2 * scale)
        pictures.append(PIL.Image.fromarray(frame[..., 0] if frame.shape[-1] == 1 else frame))
    with atomic_path(path) as tmp:
        pictures[0].save(
            tmp,
            format="GIF",
            save_all=True,
            append_images=pictures[1:],
            duration=int(frame_ms),
            loop=0,
        )
    return path


def write_training_samples(clips, samples_dir: str, step: int, writer, config) -> str:
    """At a sample step: samples/step_XXXXXX.gif, the frame strip of the first `sample.cols`
    clips as samples/step_XXXXXX.png and as TensorBoard image `samples/frames`; returns the
    PNG's path."""
    import tensorflow as tf

    clips = _check_clips(clips)
    cols = config.sample.cols
    stem = os.path.join(samples_dir, f"step_{step:06d}")
    video = config.video
    write_gif(stem + ".gif", clips[: cols * cols], cols, video.gif_frame_ms, video.gif_scale)
    strip = frame_strip(clips[:cols])
    images_lib.write_png(stem + ".png", strip)
    with writer.as_default(step=step):
        tf.summary.image("samples/frames", strip[None], max_outputs=1)
    writer.flush()
    return stem + ".png"


def sample_run(gan, config, workdir, step: int, num: int, seed: int) -> dict:
    """`--mode=sample` for a VideoGAN: `num` clips as .npy ([N, T, H, W, C] in [-1, 1]), an
    animated GIF and a frame-strip PNG in samples/."""
    clips = gan.generate(num, seed=seed)
    os.makedirs(workdir.samples_dir, exist_ok=True)
    stem = os.path.join(workdir.samples_dir, f"sample_step{step:06d}_seed{seed}_n{num}")
    atomic_save_npy(stem + ".npy", clips)
    video = config.video
    write_gif(stem + ".gif", clips, config.sample.cols, video.gif_frame_ms, video.gif_scale)
    images_lib.write_png(stem + ".png", frame_strip(clips))
    return dict(
        gif=stem + ".gif", png=stem + ".png", npy=stem + ".npy", step=step, num=num, seed=seed
    )
