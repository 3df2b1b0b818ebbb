"""How often `geoae train` crosses into each engine module: the walk a reader follows from the
command line through a training (issue 23's "persistence bounces" figure).

A crossing is a call into a geoae_core function from a function of another geoae_core module (or
from outside the engine); calls within one module are not counted, and each (calling function,
called function) pair counts once, however often a loop repeats it: the edges a reader follows.
Run from the repository root:

    python scripts/trace_walk.py            # a 2-epoch disks run on 16 x 16 images, in a scratch folder
    python scripts/trace_walk.py -v         # and each crossing, calling -> called
"""

from __future__ import annotations

import collections
import sys
import tempfile
from pathlib import Path

ENGINE = "geoae_core"


def module_of(frame) -> str | None:
    name = frame.f_globals.get("__name__", "")
    return name if name == ENGINE or name.startswith(ENGINE + ".") else None


def main(verbose: bool = "-v" in sys.argv) -> None:
    from geoae_core import cli

    crossings: collections.Counter[str] = collections.Counter()
    seen: set[tuple[object, object]] = set()  # (calling code, called code): each edge of the walk once

    def profile(frame, event, arg):
        if event != "call":
            return
        callee = module_of(frame)
        code = frame.f_code
        if callee is None or code.co_name.startswith("<") or code.co_name == "__create_fn__":
            return  # module bodies (imports), comprehensions and dataclasses being made are not the walk
        caller = frame.f_back
        caller_module = module_of(caller) if caller is not None else None
        if caller_module == callee:
            return
        # a call from outside the engine (contextlib entering, then leaving, a `with`) is one edge
        key = (caller.f_code if caller_module is not None else None, code)
        if key in seen:
            return
        seen.add(key)
        crossings[callee.removeprefix(ENGINE + ".")] += 1
        if verbose:
            source = f"{caller_module}.{caller.f_code.co_name}" if caller_module else "<outside>"
            print(f"  {source} -> {callee}.{code.co_name}")

    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "run"
        args = ["train", "--preset", "disks", "--set", "size=16", "--set", "n_train=60", "--set", "epochs=2"]
        args += ["--set", "device=cpu", "--out", str(out)]
        sys.setprofile(profile)
        try:
            code = cli.main(args)
        finally:
            sys.setprofile(None)
    print(f"exit {code}; crossings into each module (distinct calling -> called function pairs):")
    for module, count in crossings.most_common():
        print(f"  {module:24s} {count}")


if __name__ == "__main__":
    main()
