"""The DCGAN baseline of Appendix D (Figure 14): a generator with a scalar code, trained adversarially.

The generator (Radford et al.) maps z of size d = 1 to a 1-channel m x m image through
transposed convolutions, BatchNorm and ReLU, with a sigmoid output; the discriminator mirrors
it with strided convolutions, BatchNorm and leaky ReLU (0.2) down to one logit. Training uses
the non-saturating loss with Adam and z ~ N(0, 1). A GAN has no encoder: an image is
"autoencoded" by projecting it onto the generator, optimising z so that G(z) matches it in
squared error (`project`).

The model is a `models.Autoencoder` with no encoder, the generator as its decoder and the
discriminator as an extra submodule, so a run folder saves and loads both.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .config import Config, ConfigError
from .data import training_set
from .models import Autoencoder
from .runs import Run, save_failure, save_run
from .train import Callback, CancelToken, Progress, init_model, resolve_device, run_info

TOP_WIDTH = 128  # channels of the generator's first layer; each up-sampling halves them (DCGAN uses 512)
MIN_WIDTH = 8
FIRST_SIZE = 4  # the generator's first layer turns z into a 4 x 4 map, as in DCGAN
LEAKY_SLOPE = 0.2
INIT_STD = 0.02  # DCGAN initialisation: weights N(0, 0.02), BatchNorm scales N(1, 0.02)

Z_RANGE = 3.0  # projection starts on a grid of z over [-3, 3], where N(0, 1) puts 99.7 % of its mass
GRID_POINTS_PER_START = 128  # grid points scanned per starting point
PROJECTION_STEPS = 30
PROJECTION_RESTARTS = 4
PROJECTION_LR = 0.02


# ------------------------------------------------------------------------------------ networks
def layer_widths(size: int, top_width: int = TOP_WIDTH) -> list[int]:
    """Hidden widths of the generator, widest first: 128, 64, 32 for size 32; 128, ..., 16 for 64.

    Small enough to train on two CPU cores in minutes; the discriminator uses them reversed.
    """
    n_hidden = round(math.log2(size // FIRST_SIZE))
    return [max(top_width >> k, MIN_WIDTH) for k in range(n_hidden)]


class Generator(nn.Module):
    """z (N, d) -> image (N, 1, m, m): a 4x4 projection, then stride-2 transposed convolutions."""

    def __init__(self, code_size: int, widths: list[int]):
        super().__init__()
        # hidden layers carry no bias: the BatchNorm after each has its own
        first = nn.ConvTranspose2d(code_size, widths[0], FIRST_SIZE, stride=1, padding=0, bias=False)
        hidden = [nn.ConvTranspose2d(a, b, 4, stride=2, padding=1, bias=False) for a, b in itertools.pairwise(widths)]
        output = nn.ConvTranspose2d(widths[-1], 1, 4, stride=2, padding=1)
        self.layers = nn.ModuleList([first, *hidden, output])
        self.norms = nn.ModuleList(nn.BatchNorm2d(w) for w in widths)

    def activations(self, z: torch.Tensor) -> list[torch.Tensor]:
        x = z.reshape(z.shape[0], z.shape[1], 1, 1)
        outs = []
        for layer, norm in zip(self.layers, self.norms):
            x = F.relu(norm(layer(x)))
            outs.append(x)
        outs.append(torch.sigmoid(self.layers[-1](x)))
        return outs

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.activations(z)[-1]


class Discriminator(nn.Module):
    """image (N, 1, m, m) -> logit (N,): stride-2 convolutions down to 4x4, then one 4x4 convolution."""

    def __init__(self, widths: list[int]):
        super().__init__()
        channels = [1, *reversed(widths)]
        downsamplers = [nn.Conv2d(a, b, 4, stride=2, padding=1, bias=False) for a, b in itertools.pairwise(channels)]
        last = nn.Conv2d(channels[-1], 1, FIRST_SIZE, stride=1, padding=0)
        self.layers = nn.ModuleList([*downsamplers, last])
        # DCGAN leaves the discriminator's input layer unnormalised
        self.norms = nn.ModuleList([nn.Identity(), *(nn.BatchNorm2d(w) for w in channels[2:])])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer, norm in zip(self.layers, self.norms):
            x = F.leaky_relu(norm(layer(x)), LEAKY_SLOPE)
        return self.layers[-1](x).flatten()


def _dcgan_init(module: nn.Module) -> None:
    if isinstance(module, nn.Conv2d | nn.ConvTranspose2d):
        nn.init.normal_(module.weight, 0.0, INIT_STD)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, INIT_STD)
        nn.init.zeros_(module.bias)


def build_gan(config: Config) -> Autoencoder:
    """Generator as the decoder (no encoder), discriminator attached, DCGAN-initialised."""
    if config.size < 2 * FIRST_SIZE:
        raise ConfigError(f"size: {config.size} is too small for the DCGAN (at least {2 * FIRST_SIZE})")
    widths = layer_widths(config.size)
    model = Autoencoder(encoder=None, decoder=Generator(config.code_size, widths))
    model.discriminator = Discriminator(widths)
    model.apply(_dcgan_init)
    return model


# ------------------------------------------------------------------------------------ training
def training_images(config: Config, device: torch.device) -> torch.Tensor:
    """The disk images of the run (holes respected), (N, 1, m, m) on the device."""
    images, _, _ = training_set(config)
    return torch.as_tensor(images, device=device).unsqueeze(1)


def discriminator_loss(model: Autoencoder, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """-log D(x) - log(1 - D(G(z))), averaged; softplus of logits is the stable form."""
    return F.softplus(-model.discriminator(real)).mean() + F.softplus(model.discriminator(fake)).mean()


def generator_loss(model: Autoencoder, fake: torch.Tensor) -> torch.Tensor:
    """The non-saturating generator loss: -log D(G(z)), averaged."""
    return F.softplus(-model.discriminator(fake)).mean()


def adversarial_step(
    model: Autoencoder,
    real: torch.Tensor,
    z: torch.Tensor,
    optimizers: tuple[torch.optim.Optimizer, torch.optim.Optimizer],
) -> tuple[torch.Tensor, torch.Tensor]:
    """One discriminator update then one generator update; returns both losses, detached."""
    opt_g, opt_d = optimizers
    fake = model.decoder(z)
    loss_d = discriminator_loss(model, real, fake.detach())
    opt_d.zero_grad(set_to_none=True)
    loss_d.backward()
    opt_d.step()
    loss_g = generator_loss(model, fake)
    opt_g.zero_grad(set_to_none=True)
    loss_g.backward()
    opt_g.step()
    return loss_g.detach(), loss_d.detach()


def make_optimizers(config: Config, model: Autoencoder) -> tuple[torch.optim.Adam, torch.optim.Adam]:
    """(generator's, discriminator's) Adam, both with the run's lr and betas."""
    betas = (config.beta1, config.beta2)
    return (
        torch.optim.Adam(model.decoder.parameters(), lr=config.lr, betas=betas),
        torch.optim.Adam(model.discriminator.parameters(), lr=config.lr, betas=betas),
    )


def gan_checkpoint(
    optimizers: tuple[torch.optim.Optimizer, ...], generator: torch.Generator, epoch: int
) -> dict[str, torch.Tensor]:
    """Optimiser states (prefixed generator./discriminator.), the random state and the epoch."""
    tensors: dict[str, torch.Tensor] = {"rng.shuffle": generator.get_state(), "epoch": torch.tensor(epoch)}
    for side, optimizer in zip(("generator", "discriminator"), optimizers):
        for index, state in optimizer.state_dict()["state"].items():
            for name, value in state.items():
                tensors[f"optim.{side}.{index}.{name}"] = torch.as_tensor(value).detach().clone()
    return tensors


def _all_finite(loss_sums: torch.Tensor, model: nn.Module) -> bool:
    params = torch.stack([p.detach().pow(2).sum() for p in model.parameters()]).sum()
    return bool(torch.isfinite(torch.cat([loss_sums, params.reshape(1)])).all())


def _snapshot(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def train_gan(
    config: Config,
    out: str | Path | None = None,
    callbacks: Iterable[Callback] = (),
    cancel: CancelToken | None = None,
    resume: bool = False,
) -> Run:
    """Train the DCGAN on the run's disks; write it to `out` (if given); return the Run.

    History rows hold the epoch's mean generator loss. A non-finite loss or weight ends the
    run as "diverged" with the last finite weights; a cancel between steps as "cancelled".
    """
    if resume:
        raise ConfigError("resume: not supported for GAN runs")
    config = config.validate()
    out = Path(out) if out is not None else None
    callbacks = list(callbacks)
    device = resolve_device(config.device)
    model = init_model(config).to(device)
    optimizers = make_optimizers(config, model)
    generator = torch.Generator(device=device)
    generator.manual_seed(config.seed)
    images = training_images(config, device)
    n = images.shape[0]
    batch = min(config.batch_size, n)
    steps = math.ceil(n / batch)
    started = time.time()
    status = "running"
    epoch = 0
    history: list[dict[str, float]] = []
    good_state = _snapshot(model)
    good_checkpoint = gan_checkpoint(optimizers, generator, epoch)

    def emit(event: str, step: int = 0, loss: float | None = None, seconds: float = 0.0) -> None:
        report = Progress(event, epoch, config.epochs, step, steps, loss, seconds, status, str(device))
        for callback in callbacks:
            callback(report)

    def save() -> None:
        if out is not None:
            info = run_info(config, device, status, len(history), started)
            try:
                save_run(out, config, good_state, history, info, good_checkpoint)
            except OSError as exc:  # a full disk or a vanished folder: say which, as train does
                raise save_failure(out, exc) from exc

    emit("start")
    model.train()
    while epoch < config.epochs and status == "running":
        tick = time.perf_counter()
        order = torch.randperm(n, generator=generator, device=device)
        loss_sums = torch.zeros(2, device=device)  # generator, discriminator
        for step in range(steps):
            if cancel is not None and cancel.is_set():
                status = "cancelled"
                break
            real = images[order[step * batch : (step + 1) * batch]]
            z = torch.randn(real.shape[0], config.code_size, generator=generator, device=device)
            loss_sums += torch.stack(adversarial_step(model, real, z, optimizers))
            emit("step", step + 1)
        if status == "cancelled":
            break
        epoch += 1
        seconds = time.perf_counter() - tick
        loss = float(loss_sums[0]) / steps
        if not _all_finite(loss_sums, model):
            status = "diverged"
            emit("epoch", steps, loss, seconds)
            break
        history.append({"epoch": epoch, "loss": loss, "seconds": seconds})
        good_state = _snapshot(model)
        good_checkpoint = gan_checkpoint(optimizers, generator, epoch)
        if epoch % config.checkpoint_every == 0 and epoch < config.epochs:
            save()
        emit("epoch", steps, loss, seconds)

    if status == "running":
        status = "finished"
    model.load_state_dict(good_state)
    model.eval()  # BatchNorm's running statistics from here on
    save()
    emit("end", loss=history[-1]["loss"] if history else None, seconds=time.time() - started)
    info = run_info(config, device, status, len(history), started)
    return Run(config=config, model=model, path=out, status=status, history=history, info=info)


# ---------------------------------------------------------------------------------- projection
def _squared_errors(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Per row: the sum over pixels of the squared difference."""
    return (outputs.flatten(1) - targets.flatten(1)).pow(2).sum(1)


@torch.no_grad()
def grid_starts(generator: nn.Module, targets: torch.Tensor, restarts: int, code_size: int = 1) -> torch.Tensor:
    """(N, restarts) starting codes: the best z of each of `restarts` equal slices of the grid.

    The grid spans [-Z_RANGE, Z_RANGE]; every code coordinate takes the same grid value
    (the paper's GAN has d = 1, where this is the whole line).
    """
    n_grid = restarts * GRID_POINTS_PER_START
    grid = torch.linspace(-Z_RANGE, Z_RANGE, n_grid, device=targets.device)
    outputs = generator(grid[:, None].expand(n_grid, code_size)).flatten(1)
    flat = targets.flatten(1)
    # |x - g|^2 for every (image, grid point) pair without an (N, K, pixels) tensor
    errors = flat.pow(2).sum(1, keepdim=True) - 2 * flat @ outputs.T + outputs.pow(2).sum(1)
    slices = errors.reshape(len(flat), restarts, GRID_POINTS_PER_START)
    best = slices.argmin(2) + torch.arange(restarts, device=targets.device) * GRID_POINTS_PER_START
    return grid[best]


def refine_codes(
    generator: nn.Module, targets: torch.Tensor, z: torch.Tensor, steps: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Adam on z alone (the generator gets no gradient), cosine-decayed step; the best z per row."""
    z = z.detach().clone().requires_grad_(True)
    optimizer = torch.optim.Adam([z], lr=PROJECTION_LR)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(steps, 1))
    best_z = z.detach().clone()
    best_error = torch.full((len(z),), math.inf, device=z.device)
    for step in range(steps + 1):
        errors = _squared_errors(generator(z), targets)
        better = errors.detach() < best_error
        best_error = torch.where(better, errors.detach(), best_error)
        best_z[better] = z.detach()[better]
        if step == steps:
            break
        (z.grad,) = torch.autograd.grad(errors.sum(), z)
        optimizer.step()
        schedule.step()
    return best_z, best_error


def project(
    run: Run, images: np.ndarray, steps: int = PROJECTION_STEPS, restarts: int = PROJECTION_RESTARTS
) -> np.ndarray:
    """Codes z (N, d) whose generated images best match `images` (N, m, m) in squared error.

    All images are handled in one batch: each starts from the best grid point in each of
    `restarts` slices of [-3, 3], is refined by Adam on z with the generator frozen (in eval
    mode), and keeps its best code. Deterministic for a given run and input.
    """
    generator = run.model.decoder
    d = run.config.code_size
    targets = torch.as_tensor(np.asarray(images, np.float32), device=run.device).flatten(1)
    was_training = generator.training
    generator.eval()
    try:
        starts = grid_starts(generator, targets, restarts, d)  # (N, restarts)
        repeated = targets.repeat_interleave(restarts, dim=0)
        z, errors = refine_codes(generator, repeated, starts.reshape(-1, 1).expand(-1, d), steps)
    finally:
        generator.train(was_training)
    best = errors.reshape(-1, restarts).argmin(1)
    z = z.reshape(-1, restarts, d)[torch.arange(len(targets)), best]
    return z.cpu().numpy()
