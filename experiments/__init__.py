"""ganzoo's built-in experiments; importing this package registers them all."""

import experiments.conditional  # noqa: F401  (cGAN, ACGAN, projection, InfoGAN)
import experiments.zoo  # noqa: F401  (the architecture zoo)
from experiments import cifar10, image_folder, mnist, synthetic  # noqa: F401
import experiments.matrix  # noqa: F401  (the loss x dataset matrix, 2-D remedies)
