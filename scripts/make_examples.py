"""Train the example runs shipped with geoae (geoae_core/example_runs/), from the presets.

    python scripts/make_examples.py            # every example, at the presets' own settings
    python scripts/make_examples.py disks      # one

Each example is a run folder without its checkpoint (examples are opened, not resumed). The
seed is the presets' (0), so anyone who reruns this gets the same weights on the same machine.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from geoae_core.examples import EXAMPLES, EXAMPLES_FOLDER
from geoae_core.files import CHECKPOINT_FILE, LOCK_FILE
from geoae_core.training import train


def make(name: str) -> Path:
    target = EXAMPLES_FOLDER / name
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / name
        started = time.perf_counter()
        run = train(name, out=out, device="cpu")
        for leftover in (CHECKPOINT_FILE, LOCK_FILE):
            (out / leftover).unlink(missing_ok=True)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(out, target)
    print(f"{name}\t{run.status}\t{len(run.history)} epochs\t{time.perf_counter() - started:.0f} s", flush=True)
    return target


def main(names: list[str]) -> int:
    for name in names or EXAMPLES:
        if name not in EXAMPLES:
            print(f"make_examples: {name!r} is not an example (known: {', '.join(EXAMPLES)})", file=sys.stderr)
            return 2
        make(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
