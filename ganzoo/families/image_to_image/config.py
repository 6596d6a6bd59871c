"""The `image_to_image` config section (docs/image_to_image.md): model.arch pix2pix or srgan.

Run folders and commands before the family folders called it `i2i` (`--set i2i.task=sr`);
those keys still read (ganzoo.config.LEGACY_KEYS).
"""

SECTION = "image_to_image"
LEGACY_PREFIX = "i2i"
RUNTIME_KEYS = ("eval_", "telea_radius")


def defaults() -> dict:
    return dict(
        task="none",  # none | inpaint | colorize | sr (the degradation G learns to undo)
        mask="center",  # inpaint: center (a centred square) | free (random brush strokes)
        mask_fraction=0.25,  # inpaint: share of the image masked (center: the square's area)
        scale=4,  # sr: the input is the target area-downsampled by this factor
        content_loss="l1",  # l1 (pix2pix) | mse (SRGAN's pixel MSE)
        content_weight=100.0,  # lambda of the content term (pix2pix: 100)
        adv_weight=1.0,  # weight of G's adversarial term (SRGAN: 1e-3)
        unet_depth=0,  # U-Net stride-2 levels; 0 = as many as the resolution halves, <= 4
        dropout=0.5,  # U-Net decoder dropout on the innermost blocks (pix2pix: 0.5)
        d_layers=0,  # PatchGAN stride-2 layers; 0 = 2 below 64 px, else 3
        res_blocks=16,  # SRGAN generator residual blocks (Ledig et al.: 16)
        eval_split="test",  # split restored by --mode=eval and by --mode=sample
        eval_fid=True,  # --mode=eval also computes FID (domain classifier or Inception)
        telea_radius=3,  # neighbourhood of the OpenCV Telea inpainting baseline
    )
