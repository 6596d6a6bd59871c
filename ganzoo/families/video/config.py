"""The `video` config section (docs/video.md): read when model.arch=mocogan."""

SECTION = "video"
# Keys that only sampling reads: changing them never blocks a resume.
RUNTIME_KEYS = ("gif_",)


def defaults() -> dict:
    """Clips of `frames` frames built from data.name's images bouncing in a resolution^2 canvas,
    or TFDS moving_mnist's."""
    return dict(
        frames=16,  # T, frames per clip
        objects=2,  # images moving in each built clip
        object_size=0,  # their side in px; 0 = resolution * 28 / 64 (Moving MNIST's digit)
        min_speed=0.03,  # object speed range, a share of the canvas side per frame
        max_speed=0.06,
        motion_dim=16,  # per-frame motion code (GRU units); model.latent_dim is the content
        motion_noise_dim=8,  # noise fed to the motion GRU at each frame
        frame_d_frames=2,  # frames per clip, drawn at random, that the frame D scores
        frame_d_weight=1.0,  # weight of the frame D's loss beside the video D's
        gif_frame_ms=125,  # display time of one GIF frame
        gif_scale=1,  # GIF pixels per grid pixel (the grid draws frames at >= 84 px already)
    )
