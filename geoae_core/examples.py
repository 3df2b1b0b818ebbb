"""The example runs shipped with geoae: trained runs of the paper's key experiments, opened
read-only so that a first launch has something to explore. scripts/make_examples.py makes them
from the presets."""

from __future__ import annotations

import shutil
from pathlib import Path

from .files import CONFIG_FILE, RunError

EXAMPLES_FOLDER = Path(__file__).parent / "example_runs"
# preset -> what it shows (each example is the preset's run, named after it)
EXAMPLES = {
    "disks": "figures 2-3: a code of size 1 for disks of every radius; z follows the area",
    "disks-nobias": "figures 4, 11, 12: no biases, the decoder outputs h(r) f(t)",
    "disks-hole": "figure 6: radii in [11, 18] never seen, the code fails there",
    "disks-hole-psi3": "figures 7-8: the same hole, psi3 on the encoder's weights fills it",
    "position-encoder": "figure 9: the 1-D encoder learns filters proportional to [1, 2, 1]",
    "position-decoder": "figure 10: the 1-D decoder turns a position into its Dirac",
}


def example_runs() -> dict[str, Path]:
    """name -> folder of every example that is installed."""
    return {name: EXAMPLES_FOLDER / name for name in EXAMPLES if (EXAMPLES_FOLDER / name / CONFIG_FILE).is_file()}


def is_examples_folder(folder: Path) -> bool:
    """Whether a folder is, or lies inside, the read-only examples."""
    try:
        Path(folder).resolve().relative_to(EXAMPLES_FOLDER.resolve())
    except ValueError:
        return False
    return True


def copy_examples(target: Path) -> list[Path]:
    """Copy every example into `target` (created), as runs of the user's own; an existing run
    of the same name is left alone. Returns the folders written."""
    target = Path(target)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunError(f"{target}: cannot create the folder ({exc.strerror or exc})") from None
    written = []
    for name, folder in example_runs().items():
        destination = target / name
        if destination.exists():
            continue
        shutil.copytree(folder, destination)
        written.append(destination)
    return written
