"""What a reproduction writes beside its figures: DIR/ID.json per id and DIR/index.html."""

from __future__ import annotations

import html
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..files import atomic_write_text
from .base import short

STYLE = """body{font-family:sans-serif;margin:2em} td{border-top:1px solid #ccc;padding:6px;vertical-align:top}
.pass .v{color:#1a7f37;font-weight:bold} .fail .v{color:#c62828;font-weight:bold} .error .v{color:#e65100}"""


def jsonable(value: Any) -> Any:
    """Numbers as JSON holds them: arrays as lists, numpy scalars as Python's, NaN and inf as null."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def write_record(out: Path, record: dict[str, Any]) -> None:
    atomic_write_text(out / f"{record['id']}.json", json.dumps(jsonable(record), indent=2) + "\n")


def write_index(out: Path, claims: dict[str, str]) -> None:
    """DIR/index.html: one row per id (in `claims`' order) that has a record in DIR."""
    rows = [_row(out, name, claim) for name, claim in claims.items() if (out / f"{name}.json").exists()]
    page = f"""<!doctype html><meta charset="utf-8"><title>geoae reproduction report</title>
<style>{STYLE}</style>
<h1>Processing Simple Geometric Attributes with Autoencoders: reproduction</h1>
<p>Made by geoae {__version__} on {time.strftime("%Y-%m-%d %H:%M")}. Each row: the claim, the verdict, the numbers
that prove it beside the paper's expectation, and the figure. Trained models are under <code>runs/</code>.</p>
<table><tr><th>id</th><th>claim</th><th>verdict</th><th>numbers</th><th>figure</th></tr>
{"".join(rows)}</table>"""
    atomic_write_text(out / "index.html", page)


def _row(out: Path, name: str, claim: str) -> str:
    record = json.loads((out / f"{name}.json").read_text())
    verdict = record.get("verdict", "?")
    shown = f"{verdict}<br>{_held(record)}" if verdict in ("pass", "fail") else verdict
    numbers = "<br>".join(_check_line(c) for c in record.get("checks", [])) or html.escape(record.get("error", ""))
    image = f'<a href="{name}.png"><img src="{name}.png" width="420"></a>' if (out / f"{name}.png").exists() else ""
    return (
        f'<tr class="{verdict}"><td><a href="{name}.json">{name}</a></td><td>{html.escape(claim)}</td>'
        f"<td class=v>{shown}</td><td>{numbers}</td><td>{image}</td></tr>"
    )


def _held(record: dict[str, Any]) -> str:
    """How many of the judged checks hold: a claim that holds in part reads as partial."""
    judged = [c["passed"] for c in record.get("checks", []) if c["passed"] is not None]
    return f"{sum(judged)} of {len(judged)} checks hold"


def _check_line(check: dict[str, Any]) -> str:
    mark = "" if check["passed"] is None else (" ✔" if check["passed"] else " ✘")
    value = html.escape(short(check["value"]))
    return f"{html.escape(check['name'])}: <b>{value}</b> — {html.escape(check['expectation'])}{mark}"
