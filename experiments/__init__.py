"""ganzoo's built-in experiments; importing this package registers them all."""

from experiments import cifar10, image_folder, mnist, synthetic  # noqa: F401
