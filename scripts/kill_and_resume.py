"""Kill `geoae train` at chosen moments, resume each with `geoae train --resume DIR`, and check
that every resumed run ends bitwise equal to an uninterrupted one.

    python scripts/kill_and_resume.py --epochs 60 --kill-at 2 9 15

Prints, for each kill, what was on disk, how long the resume took to start training again, and
whether the weights match. Run it on an otherwise idle machine: two trainings at once slow each
other many times over on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from geoae_core import load_run


def geoae(*args: str) -> list[str]:
    return [sys.executable, "-m", "geoae_core.cli", *args]


def train_command(out: Path, preset: str, epochs: int) -> list[str]:
    return geoae("train", "--preset", preset, "--out", str(out), "--epochs", str(epochs), "--device", "cpu")


def resume(out: Path) -> tuple[float, float]:
    """(seconds until training went on, seconds in all) of `geoae train --resume out`."""
    started = time.perf_counter()
    process = subprocess.Popen(geoae("train", "--resume", str(out)), stderr=subprocess.PIPE, text=True)
    first_line = process.stderr.readline()  # "training on cpu": the model and its state are back
    going = time.perf_counter() - started
    rest = process.stderr.read()
    if process.wait() != 0 or not first_line.startswith("training on"):
        raise SystemExit(f"resume of {out} failed: {first_line}{rest}")
    return going, time.perf_counter() - started


def on_disk(out: Path) -> str:
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) if out.is_dir() else []
    status = json.loads((out / "run.json").read_text()) if (out / "run.json").is_file() else {}
    return f"epochs_done={status.get('epochs_done', '-')} files={','.join(names) or 'none'}"


def same_weights(a: Path, b: Path) -> bool:
    wa, wb = load_run(a).model.state_dict(), load_run(b).model.state_dict()
    return wa.keys() == wb.keys() and all(torch.equal(wa[k], wb[k]) for k in wa)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="disks")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--kill-at", type=float, nargs="+", default=[2.0, 9.0, 15.0], metavar="SECONDS")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="geoae-kill-"))
    reference = folder / "reference"
    tick = time.perf_counter()
    subprocess.run(train_command(reference, args.preset, args.epochs), check=True, stderr=subprocess.DEVNULL)
    print(f"uninterrupted: {time.perf_counter() - tick:.1f} s for {args.epochs} epochs of {args.preset}")
    ok = True
    for seconds in args.kill_at:
        out = folder / f"killed-at-{seconds:g}s"
        process = subprocess.Popen(train_command(out, args.preset, args.epochs), stderr=subprocess.DEVNULL)
        time.sleep(seconds)
        process.send_signal(signal.SIGKILL)
        process.wait()
        left = on_disk(out)
        going, total = resume(out)
        equal = same_weights(reference, out)
        ok &= equal
        print(
            f"killed at {seconds:g} s: {left}; resumed and training again {going:.1f} s after the command, "
            f"done in {total:.1f} s; bitwise equal: {equal}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
