"""Training speed: geoae's loop against the textbook loop, same model, batch, optimiser and data.

The textbook loop: a DataLoader over a TensorDataset, the same nn.Conv2d/nn.ConvTranspose2d
model, Adam, and loss.item() every step. Both start from the same weights and see the same
data; the script prints seconds per epoch, their ratio, and the final losses. Each loop runs in
a fresh process of its own (twice, interleaved), so neither inherits the other's heap or
allocator settings (`train` keeps freed memory in the heap; a textbook script would not).
Usage: python bench/bench_train.py [--epochs 5] [--preset disks] [--device cpu|cuda]
"""

import argparse
import json
import os
import subprocess
import sys
import time

import torch
from torch.utils.data import DataLoader, TensorDataset

from geoae_core import preset, train
from geoae_core.kinds import init_model, training_set


def textbook(config, epochs: int) -> tuple[float, float]:
    images, _, _ = training_set(config)
    data = torch.as_tensor(images).unsqueeze(1)
    device = torch.device(config.device)
    model = init_model(config).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    loader = DataLoader(
        TensorDataset(data),
        batch_size=config.batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(config.seed),
    )
    seconds, loss_value = [], 0.0
    for _ in range(epochs):
        tick = time.perf_counter()
        total = 0.0
        for (x,) in loader:
            x = x.to(device)
            loss = (model(x) - x).pow(2).sum((1, 2, 3)).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds.append(time.perf_counter() - tick)
        loss_value = total / len(loader)
    return sorted(seconds)[len(seconds) // 2], loss_value


def ours(config, epochs: int) -> tuple[float, float]:
    run = train(config, epochs=epochs)
    seconds = sorted(row["seconds"] for row in run.history)
    return seconds[len(seconds) // 2], run.history[-1]["loss"]


def in_fresh_process(loop: str, args: argparse.Namespace) -> tuple[float, float]:
    command = [sys.executable, __file__, "--epochs", str(args.epochs), "--preset", args.preset, "--only", loop]
    command += ["--device", args.device]
    # the textbook loop gets torch's own layers throughout, not geoae's faster last layer
    env = {**os.environ, "GEOAE_FAST_LAYERS": "0"} if loop == "textbook" else None
    return tuple(json.loads(subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--preset", default="disks")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--only", choices=["textbook", "geoae"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    config = preset(args.preset).replace(device=args.device)
    if args.only:
        loop = textbook if args.only == "textbook" else ours
        print(json.dumps(loop(config, args.epochs)))
        return
    print(
        f"{args.preset}: {config.n_train} images {config.size}x{config.size}, batch {config.batch_size}, "
        f"{torch.get_num_threads()} threads, median epoch over {args.epochs}, best of 2 fresh processes each"
    )
    results = {"textbook": [], "geoae": []}
    for _ in range(2):
        for loop in results:
            results[loop].append(in_fresh_process(loop, args))
    (plain_s, plain_loss), (fast_s, fast_loss) = (min(results[loop]) for loop in results)
    print(f"textbook loop: {plain_s:.3f} s/epoch, loss after {args.epochs} epochs {plain_loss:.2f}")
    print(f"geoae train:   {fast_s:.3f} s/epoch, loss after {args.epochs} epochs {fast_loss:.2f}")
    print(f"speed-up:      {plain_s / fast_s:.2f}x")


if __name__ == "__main__":
    main()
