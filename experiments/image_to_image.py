"""Paired image-to-image experiments: pix2pix (Isola et al. 2017) and SRGAN (Ledig et al. 2017)
for inpainting, x4 super-resolution and colourisation, tasks built on the fly from the data."""

from ganzoo.config import base_config
from ganzoo.experiment import register_experiment


def _pix2pix(source, name, resolution, channels, task, **image_to_image):
    c = base_config()
    c.data.update(source=source, name=name)
    c.model.update(arch="pix2pix", resolution=resolution, channels=channels, width=64)
    # pix2pix: Adam 2e-4, beta_1 0.5; the cGAN loss with L1 weighted by lambda = 100.
    c.optimizer.update(d_lr=2e-4, g_lr=2e-4, beta_1=0.5)
    c.image_to_image.update(
        task=task, content_loss="l1", content_weight=100.0, adv_weight=1.0, **image_to_image
    )
    c.train.update(
        steps=10_000, batch_size=64, log_every=100, sample_every=500, checkpoint_every=1000
    )
    # The FID reference is the train split, so the test split's own ground truth scores the
    # floor instead of 0 (it would be compared with itself).
    c.eval.update(split="train")
    return c


def _fashion(task, **image_to_image):
    return _pix2pix("auto", "fashion_mnist", 28, 1, task, **image_to_image)


@register_experiment("fashion_mnist_inpaint_pix2pix")
def fashion_mnist_inpaint_pix2pix():
    """pix2pix (Isola et al. 2017) inpainting of a centred 14x14 hole on Fashion-MNIST 28x28."""
    return _fashion("inpaint", mask="center", mask_fraction=0.25)


@register_experiment("fashion_mnist_inpaint_free_pix2pix")
def fashion_mnist_inpaint_free_pix2pix():
    """pix2pix (Isola et al. 2017) inpainting of random free-form strokes (25%) on Fashion-MNIST."""
    return _fashion("inpaint", mask="free", mask_fraction=0.25)


@register_experiment("fashion_mnist_sr4_pix2pix")
def fashion_mnist_sr4_pix2pix():
    """pix2pix (Isola et al. 2017) x4 super-resolution 7x7 -> 28x28 on Fashion-MNIST."""
    return _fashion("sr", scale=4)


@register_experiment("fashion_mnist_sr4_srgan")
def fashion_mnist_sr4_srgan():
    """SRGAN (Ledig et al. 2017), pixel-MSE content loss, x4 super-resolution 7x7 -> 28x28 on Fashion-MNIST."""
    c = _fashion("sr", scale=4)
    c.model.update(arch="srgan", width=64)
    # Ledig et al.: l_SR = l_MSE + 1e-3 l_adv, Adam 1e-4 with beta_1 0.9, 16 residual blocks.
    c.image_to_image.update(content_loss="mse", content_weight=1.0, adv_weight=1e-3, res_blocks=16)
    c.optimizer.update(d_lr=1e-4, g_lr=1e-4, beta_1=0.9)
    return c


@register_experiment("cifar10_colorize_pix2pix")
def cifar10_colorize_pix2pix():
    """pix2pix (Isola et al. 2017) colourisation, grayscale -> RGB, on CIFAR-10 32x32 (TFDS)."""
    c = _pix2pix("tfds", "cifar10", 32, 3, "colorize", eval_fid=False)
    return c


@register_experiment("cifar10_sr4_pix2pix")
def cifar10_sr4_pix2pix():
    """pix2pix (Isola et al. 2017) x4 super-resolution 8x8 -> 32x32 on CIFAR-10 (TFDS)."""
    return _pix2pix("tfds", "cifar10", 32, 3, "sr", scale=4, eval_fid=False)


@register_experiment("image_folder_colorize_pix2pix")
def image_folder_colorize_pix2pix():
    """pix2pix (Isola et al. 2017) colourisation of your own images, 64x64: --set data.dir=DIR."""
    c = _pix2pix("folder", "image_folder", 64, 3, "colorize", eval_fid=False)
    c.train.update(steps=20_000)
    return c
