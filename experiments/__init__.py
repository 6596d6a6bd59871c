"""ganzoo's built-in experiments; importing this package registers them all."""

from experiments import (  # noqa: F401  (each module registers its experiments)
    audio,  # WaveGAN on espeak-ng digits, speech_commands, WAV folders
    cifar10,
    conditional,  # cGAN, ACGAN, projection, InfoGAN
    cyclegan,  # CycleGAN, unpaired translation
    image_folder,
    image_to_image,  # pix2pix, SRGAN: inpainting, super-resolution, colourisation
    imagenet,  # BigGAN on ImageNet (docs/scaling.md)
    matrix,  # the loss x dataset matrix, 2-D remedies
    mnist,
    synthetic,
    text,  # character-level text GANs
    video,  # MoCoGAN-style video GANs
    zoo,  # the architecture zoo
)
