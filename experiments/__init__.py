"""ganzoo's built-in experiments; importing this package registers them all."""

from experiments import (  # noqa: F401  (each module registers its experiments)
    cifar10,
    conditional,  # cGAN, ACGAN, projection, InfoGAN
    image_folder,
    imagenet,  # BigGAN on ImageNet (docs/scaling.md)
    matrix,  # the loss x dataset matrix, 2-D remedies
    mnist,
    synthetic,
    zoo,  # the architecture zoo
)
