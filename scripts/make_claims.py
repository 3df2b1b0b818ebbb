"""Write docs/claims.md: every claim of the paper, its reproduce id, its tests and the last full pass.

Usage: python scripts/make_claims.py [--results DIR] [--check]
--results DIR records the verdicts of the ids in a `geoae reproduce` folder in docs/last_full_pass.json
(which later runs read; an id DIR lacks keeps its earlier record); --check writes nothing and
exits 1 if docs/claims.md is not current.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from geoae_core.experiments.claims import claims_markdown, last_pass, merge_passes
from geoae_core.files import RunError

DOCS = Path(__file__).resolve().parent.parent / "docs"
CLAIMS = DOCS / "claims.md"
LAST_PASS = DOCS / "last_full_pass.json"


def recorded_pass() -> dict | None:
    return json.loads(LAST_PASS.read_text()) if LAST_PASS.is_file() else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, help="a reproduce folder (DIR/ID.json) to record as the last pass")
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/claims.md is not what this writes")
    args = parser.parse_args()
    try:
        results = merge_passes(recorded_pass(), last_pass(args.results)) if args.results else recorded_pass()
    except (RunError, ValueError) as exc:
        print(f"make_claims: {exc}", file=sys.stderr)
        return 2
    text = claims_markdown(results)
    if args.check:
        current = CLAIMS.read_text() if CLAIMS.is_file() else ""
        print("docs/claims.md is current" if current == text else "docs/claims.md is out of date", file=sys.stderr)
        return 0 if current == text else 1
    if args.results:
        LAST_PASS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    CLAIMS.write_text(text)
    print(CLAIMS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
