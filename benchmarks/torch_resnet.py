"""ganzoo's SNGAN ResNet (`ganzoo.models.resnet`) re-created layer for layer in PyTorch, with a
spectral norm that runs Keras's power iteration op for op: the networks of the `resnet32`
PyTorch reference. Import it only when torch is installed.

Modules are named after the Keras layers (`up0_c1`, `down0_sc`, ...), so `copy_keras_weights`
copies by name and a test can check the outputs agree with Keras's. Batch norm uses the
ResNet's constants (Keras momentum 0.9 -> torch 0.1, eps 2e-5); 'same' padding of a 3x3
convolution at stride 1 is padding 1, of a 1x1 padding 0.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ganzoo.models import resnet

_BN = {"eps": 2e-5, "momentum": 0.1}
_EPS = 1e-12  # ganzoo.models.layers._EPS


def _l2_normalize(x):
    return x / torch.sqrt(torch.sum(x * x) + _EPS)


class SpectralNorm(nn.Module):
    """W / sigma(W) for a Conv2d or Linear, as `ganzoo.models.layers.SpectralNorm` computes it.

    With Keras's matrix W_k = [fan_in, units] (here `w.t()`, w = weight.flatten(1)), a training
    call runs, with u the stored [1, units] buffer:

        u = normalize(u); v = normalize(u W_k^T); u = normalize(v W_k); v = normalize(u W_k^T)

    stores u, and divides the weight by sigma = (v W_k) u^T, differentiable in W only; an
    eval call skips the middle two lines and keeps u. That is one power iteration per call, the
    same as `torch.nn.utils.parametrizations.spectral_norm(n_power_iterations=1)`, but torch's
    keeps a stored v from the previous call where Keras recomputes v from u and the current W;
    mirroring Keras exactly is what lets the tests compare outputs (and the FLOP counters
    compare the same matrix products: five [1, n] x [n, m] products per training call).
    """

    def __init__(self, layer: nn.Module, warm_start_iterations: int = 20):
        super().__init__()
        self.layer = layer
        units = layer.weight.shape[0]
        self.register_buffer("u", torch.randn(1, units))
        # Keras warm-starts u on the initial kernel (SpectralNorm._warm_start_u): same here.
        with torch.no_grad():
            w, u = self._matrix().double(), self.u.double()
            for _ in range(warm_start_iterations):
                v = u @ w
                v = v / (torch.linalg.norm(v) + _EPS)
                u = v @ w.t()
                u = u / (torch.linalg.norm(u) + _EPS)
            self.u.copy_(u.float())

    def _matrix(self):
        return self.layer.weight.flatten(1)  # [units, fan_in] = W_k^T

    def normalized_weight(self):
        w = self._matrix()
        with torch.no_grad():  # u and v are constants for the gradient (Keras: stop_gradient)
            u = _l2_normalize(self.u)
            v = _l2_normalize(u @ w)
            if self.training:
                u = _l2_normalize(v @ w.t())
                v = _l2_normalize(u @ w)
                self.u.copy_(u)
        sigma = torch.clamp_min(((v @ w.t()) @ u.t()).squeeze(), _EPS)
        return self.layer.weight / sigma

    def forward(self, x):
        weight = self.normalized_weight()
        if isinstance(self.layer, nn.Linear):
            return F.linear(x, weight, self.layer.bias)
        return F.conv2d(x, weight, self.layer.bias, padding=self.layer.padding)


def _conv(c_in: int, c_out: int, k: int) -> nn.Conv2d:
    return nn.Conv2d(c_in, c_out, k, padding=k // 2)


class GBlock(nn.Module):
    """BN-ReLU-up-conv3x3-BN-ReLU-conv3x3 + up-conv1x1 shortcut: `resnet._g_block`."""

    def __init__(self, c_in: int, filters: int, name: str):
        super().__init__()
        self.name = name
        self.layers = nn.ModuleDict(
            {
                f"{name}_bn1": nn.BatchNorm2d(c_in, **_BN),
                f"{name}_c1": _conv(c_in, filters, 3),
                f"{name}_bn2": nn.BatchNorm2d(filters, **_BN),
                f"{name}_c2": _conv(filters, filters, 3),
                f"{name}_sc": _conv(c_in, filters, 1),
            }
        )

    def forward(self, x):
        m, n = self.layers, self.name
        h = F.relu(m[f"{n}_bn1"](x))
        h = m[f"{n}_c1"](F.interpolate(h, scale_factor=2, mode="nearest"))
        h = m[f"{n}_c2"](F.relu(m[f"{n}_bn2"](h)))
        s = m[f"{n}_sc"](F.interpolate(x, scale_factor=2, mode="nearest"))
        return h + s


class Generator(nn.Module):
    """z -> Linear (with bias) -> reshape HWC -> up blocks -> BN-ReLU-conv3x3-tanh, NCHW out:
    `resnet.generator` without attention."""

    def __init__(self, latent_dim: int, resolution: int, channels: int, width: int):
        super().__init__()
        resnet.check_resolution(resolution)
        filters = resnet.g_channels(resolution, width)
        self.start, self.c0 = resnet.START_SIDES[resolution], filters[0]
        self.project = nn.Linear(latent_dim, self.start * self.start * filters[0])
        blocks, c_in = [], filters[0]
        for i, f in enumerate(filters):
            blocks.append(GBlock(c_in, f, f"up{i}"))
            c_in = f
        self.blocks = nn.ModuleList(blocks)
        self.out_bn = nn.BatchNorm2d(c_in, **_BN)
        self.out_conv = _conv(c_in, channels, 3)

    def forward(self, z):
        # Keras reshapes the units as (H, W, C): view them so, then go to NCHW.
        x = self.project(z).view(-1, self.start, self.start, self.c0).permute(0, 3, 1, 2)
        for block in self.blocks:
            x = block(x)
        return torch.tanh(self.out_conv(F.relu(self.out_bn(x))))


class DBlock(nn.Module):
    """SNGAN's D block (`resnet._d_block`): `first` is conv-ReLU-conv-pool + pool-conv1x1,
    the others ReLU-conv-ReLU-conv[-pool] + conv1x1[-pool] when the shape changes."""

    def __init__(self, c_in: int, filters: int, downsample: bool, first: bool, name: str):
        super().__init__()
        self.name, self.downsample, self.first = name, downsample, first
        self.shortcut = first or downsample or c_in != filters
        convs = {f"{name}_c1": _conv(c_in, filters, 3), f"{name}_c2": _conv(filters, filters, 3)}
        if self.shortcut:
            convs[f"{name}_sc"] = _conv(c_in, filters, 1)
        self.layers = nn.ModuleDict({k: SpectralNorm(v) for k, v in convs.items()})

    def forward(self, x):
        m, n = self.layers, self.name
        h = x if self.first else F.relu(x)
        h = m[f"{n}_c2"](F.relu(m[f"{n}_c1"](h)))
        if self.downsample:
            h = F.avg_pool2d(h, 2)
        s = x
        if self.first:
            s = m[f"{n}_sc"](F.avg_pool2d(s, 2))
        elif self.shortcut:
            s = m[f"{n}_sc"](s)
            if self.downsample:
                s = F.avg_pool2d(s, 2)
        return h + s


class Discriminator(nn.Module):
    """Blocks -> ReLU -> sum over positions -> spectral-norm Linear(1, no bias):
    `resnet.discriminator(spectral_norm=True)` without attention or minibatch stddev."""

    def __init__(self, resolution: int, channels: int, width: int):
        super().__init__()
        resnet.check_resolution(resolution)
        blocks, c_in = [], channels
        for i, (f, down) in enumerate(resnet.d_channels(resolution, width)):
            name = f"down{i}" if down else f"block{i}"
            blocks.append(DBlock(c_in, f, down, first=i == 0, name=name))
            c_in = f
        self.blocks = nn.ModuleList(blocks)
        self.logits = SpectralNorm(nn.Linear(c_in, 1, bias=False))

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return self.logits(torch.sum(F.relu(x), dim=(2, 3)))


def resnet_nets(config):
    """(generator, discriminator) for a ganzoo resnet config (spectral norm, no attention)."""
    m = config.model
    if not m.get("spectral_norm", True) or m.get("attention_resolutions", ""):
        raise ValueError(
            f"Received: model.spectral_norm={m.get('spectral_norm')}, "
            f"attention_resolutions={m.get('attention_resolutions')!r}. The PyTorch ResNet "
            "reference mirrors SNGAN's networks: spectral_norm=True, no attention."
        )
    return (
        Generator(m.latent_dim, m.resolution, m.channels, m.width),
        Discriminator(m.resolution, m.channels, m.width),
    )


def _torch_modules(module: nn.Module) -> dict[str, nn.Module]:
    """Keras layer name -> torch module (SpectralNorm wrappers under the wrapped name)."""
    out = {}
    for name, sub in module.named_modules():
        leaf = name.rsplit(".", 1)[-1]
        if isinstance(sub, (SpectralNorm, nn.BatchNorm2d)) or (
            isinstance(sub, (nn.Conv2d, nn.Linear)) and not name.endswith(".layer")
        ):
            out[leaf] = sub
    return out


def _set(target: torch.Tensor, value) -> None:
    with torch.no_grad():
        target.copy_(torch.from_numpy(np.ascontiguousarray(np.asarray(value, np.float32))))


def copy_keras_weights(keras_model, module: nn.Module) -> None:
    """Loads a ganzoo ResNet Keras model's weights (and BN statistics, SN u) into its twin."""
    from ganzoo.models.layers import SpectralNorm as KerasSpectralNorm

    targets = _torch_modules(module)
    for layer in keras_model.layers:
        if not layer.weights:
            continue
        name = layer.layer.name if isinstance(layer, KerasSpectralNorm) else layer.name
        if name not in targets:
            raise ValueError(f"Keras layer {layer.name!r} has no torch twin named {name!r}")
        t = targets[name]
        if isinstance(layer, KerasSpectralNorm):
            _set(t.u, layer.u)
            layer, t = layer.layer, t.layer
        if isinstance(t, nn.BatchNorm2d):
            for target, w in zip(
                (t.weight, t.bias, t.running_mean, t.running_var), layer.weights, strict=True
            ):
                _set(target, w)
            continue
        kernel = np.asarray(layer.kernel)
        _set(t.weight, kernel.T if isinstance(t, nn.Linear) else kernel.transpose(3, 2, 0, 1))
        if t.bias is not None:
            _set(t.bias, layer.bias)
