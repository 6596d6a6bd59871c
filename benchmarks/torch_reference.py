"""ganzoo's DCGAN re-created layer for layer in PyTorch, and the keras-io-style step in eager
PyTorch: an optional reference. Import it only when torch is installed (`torch_available`).

Keras 'same' padding with a 4x4 kernel and stride 2 on even sizes pads 1 on each side, which is
PyTorch's `padding=1` for both Conv2d and ConvTranspose2d. Batch norm and Adam use Keras's
defaults (BN momentum 0.99 -> torch 0.01, eps 1e-3; Adam eps 1e-7). Layouts differ (NCHW
here, NHWC in Keras), so `copy_keras_weights` permutes the dense units around the reshape and
flatten; a test checks the outputs then agree with Keras's.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ganzoo.models.dcgan import start_size

_BN = {"eps": 1e-3, "momentum": 0.01}


def _num_upsamplings(resolution: int) -> int:
    return int(round(np.log2(resolution / start_size(resolution))))


def dcgan_generator(latent_dim: int, resolution: int, channels: int, width: int = 64):
    """Linear -> BN -> ReLU -> reshape, then (ConvTranspose(4, s2, p1) -> BN -> ReLU) x (n-1),
    ConvTranspose(4, s2, p1) with bias -> tanh: `ganzoo.models.dcgan.generator`."""
    start, n = start_size(resolution), _num_upsamplings(resolution)
    filters = width * 2 ** (n - 1)
    layers: list[nn.Module] = [
        nn.Linear(latent_dim, start * start * filters, bias=False),
        nn.BatchNorm1d(start * start * filters, **_BN),
        nn.ReLU(),
        nn.Unflatten(1, (filters, start, start)),
    ]
    for _ in range(n - 1):
        layers += [
            nn.ConvTranspose2d(filters, filters // 2, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(filters // 2, **_BN),
            nn.ReLU(),
        ]
        filters //= 2
    layers += [nn.ConvTranspose2d(filters, channels, 4, stride=2, padding=1), nn.Tanh()]
    return nn.Sequential(*layers)


def dcgan_discriminator(resolution: int, channels: int, width: int = 64):
    """(Conv(4, s2, p1) -> LeakyReLU 0.2) x n -> flatten -> Linear(1):
    `ganzoo.models.dcgan.discriminator` without its options."""
    start, n = start_size(resolution), _num_upsamplings(resolution)
    layers: list[nn.Module] = []
    in_c, filters = channels, width
    for _ in range(n):
        layers += [nn.Conv2d(in_c, filters, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
        in_c, filters = filters, min(filters * 2, width * 8)
    layers += [nn.Flatten(), nn.Linear(in_c * start * start, 1)]
    return nn.Sequential(*layers)


def dcgan(config):
    """(generator, discriminator) for a ganzoo DCGAN config."""
    m = config.model
    return (
        dcgan_generator(m.latent_dim, m.resolution, m.channels, m.width),
        dcgan_discriminator(m.resolution, m.channels, m.width),
    )


def resnet(config):
    """(generator, discriminator) for a ganzoo SNGAN ResNet config: `torch_resnet`."""
    from benchmarks import torch_resnet

    return torch_resnet.resnet_nets(config)


BUILDERS = {"dcgan": dcgan, "resnet": resnet}


def param_counts(module: nn.Module) -> tuple[int, int]:
    """(trainable parameters, non-trainable state): Keras's trainable / non-trainable weights,
    the latter BN running statistics and spectral norm's u vectors."""
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    state = sum(
        b.numel()
        for name, b in module.named_buffers()
        if "running" in name or name.rsplit(".", 1)[-1] == "u"
    )
    return trainable, state


def _hwc_to_chw(hw: int, c: int) -> np.ndarray:
    """perm[i] = the Keras (HWC-flattened) index of torch's (CHW-flattened) index i."""
    return np.arange(hw * c).reshape(hw, c).T.reshape(-1)


def copy_keras_weights(keras_model, module: nn.Sequential) -> None:
    """Loads a ganzoo DCGAN Keras model's weights into its torch twin, layer by layer."""
    torch_layers = [m for m in module if list(m.parameters()) or list(m.buffers())]
    keras_layers = [layer for layer in keras_model.layers if layer.weights]
    if len(torch_layers) != len(keras_layers):
        raise ValueError(
            f"{len(keras_layers)} Keras layers with weights, {len(torch_layers)} torch"
        )
    perm = None  # Keras<->torch order of the current feature vector, when it changes
    for k_layer, t_layer in zip(keras_layers, torch_layers, strict=True):
        weights = [np.asarray(w) for w in k_layer.get_weights()]
        if isinstance(t_layer, nn.Linear):
            kernel = weights[0]
            if t_layer is module[0]:  # generator projection, reshaped to (C, H, W) next
                c = module[3].unflattened_size[0]
                perm = _hwc_to_chw(kernel.shape[1] // c, c)
                kernel = kernel[:, perm]
            else:  # discriminator head after Flatten: inputs come NCHW-flattened
                c = torch_layers[-2].out_channels
                kernel = kernel[_hwc_to_chw(kernel.shape[0] // c, c), :]
            tensors = [kernel.T] + weights[1:]
        elif isinstance(t_layer, (nn.Conv2d, nn.ConvTranspose2d)):
            tensors = [weights[0].transpose(3, 2, 0, 1)] + weights[1:]
        elif isinstance(t_layer, nn.BatchNorm1d):
            tensors = [w[perm] for w in weights]
        else:
            tensors = weights
        targets = list(t_layer.parameters())
        if isinstance(t_layer, nn.modules.batchnorm._BatchNorm):
            targets += [t_layer.running_mean, t_layer.running_var]
        with torch.no_grad():
            for target, value in zip(targets, tensors, strict=True):
                target.copy_(torch.from_numpy(np.ascontiguousarray(value)))


class TorchGAN:
    """keras_reference.KerasIOGAN's train_step in eager PyTorch."""

    def __init__(self, generator, discriminator, latent_dim, optimizer, device="cpu"):
        self.generator = generator.to(device).train()
        self.discriminator = discriminator.to(device).train()
        self.latent_dim = latent_dim
        self.device = device

        def adam(params, lr):
            return torch.optim.Adam(
                params, lr=lr, betas=(optimizer.beta_1, optimizer.beta_2), eps=1e-7
            )

        self.d_optimizer = adam(self.discriminator.parameters(), optimizer.d_lr)
        self.g_optimizer = adam(self.generator.parameters(), optimizer.g_lr)

    def train_step(self, real):
        b = real.shape[0]
        z = torch.randn(b, self.latent_dim, device=self.device)
        with torch.no_grad():  # keras-io generates outside the D tape: no G gradients here
            generated = self.generator(z)
        combined = torch.cat([generated, real])
        labels = torch.cat([torch.ones(b, 1), torch.zeros(b, 1)]).to(self.device)
        labels += 0.05 * torch.rand_like(labels)
        d_loss = F.binary_cross_entropy_with_logits(self.discriminator(combined), labels)
        self.d_optimizer.zero_grad(set_to_none=True)
        d_loss.backward()
        self.d_optimizer.step()

        z = torch.randn(b, self.latent_dim, device=self.device)
        predictions = self.discriminator(self.generator(z))
        g_loss = F.binary_cross_entropy_with_logits(
            predictions, torch.zeros(b, 1, device=self.device)
        )
        self.g_optimizer.zero_grad(set_to_none=True)
        # Only G's gradients, as Keras's tape.gradient(g_loss, G vars) computes.
        g_loss.backward(inputs=list(self.generator.parameters()))
        self.g_optimizer.step()
        return d_loss.detach(), g_loss.detach()


class TorchSNGAN(TorchGAN):
    """keras_reference.KerasIOSNGAN's train_step in eager PyTorch: `d_steps` hinge-loss D
    updates on the same real batch (D called on real and fake separately), then one G update."""

    def __init__(self, generator, discriminator, latent_dim, optimizer, device="cpu", d_steps=5):
        super().__init__(generator, discriminator, latent_dim, optimizer, device)
        self.d_steps = int(d_steps)

    def train_step(self, real):
        b = real.shape[0]
        for _ in range(self.d_steps):
            z = torch.randn(b, self.latent_dim, device=self.device)
            with torch.no_grad():  # generated outside D's tape, as in the Keras step
                fake = self.generator(z)
            d_loss = (
                F.relu(1.0 - self.discriminator(real)).mean()
                + F.relu(1.0 + self.discriminator(fake)).mean()
            )
            self.d_optimizer.zero_grad(set_to_none=True)
            d_loss.backward()
            self.d_optimizer.step()

        z = torch.randn(b, self.latent_dim, device=self.device)
        g_loss = -self.discriminator(self.generator(z)).mean()
        self.g_optimizer.zero_grad(set_to_none=True)
        g_loss.backward(inputs=list(self.generator.parameters()))
        self.g_optimizer.step()
        return d_loss.detach(), g_loss.detach()


def build_step(kind: str, generator, discriminator, config, device="cpu") -> TorchGAN:
    """The torch step matching the Keras reference `kind` (benchmarks.models.BenchModel.step)."""
    m = config.model
    if kind == "keras_io":
        return TorchGAN(generator, discriminator, m.latent_dim, config.optimizer, device)
    if kind == "sngan":
        return TorchSNGAN(
            generator, discriminator, m.latent_dim, config.optimizer, device, m.d_steps
        )
    raise ValueError(f"Received: step={kind!r}. Expected 'keras_io' or 'sngan'.")


def step_flops(gan: TorchGAN, real) -> int:
    """FLOPs of one step by torch's FlopCounterMode (matmuls and convolutions only)."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        gan.train_step(real)
    return int(counter.get_total_flops())
