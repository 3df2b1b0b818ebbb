#!/usr/bin/env bash
# One prepared device check for a machine with CUDA: the card, the CUDA tests, the GPU benchmarks.
# Run from the repository root after `bash scripts/test --co -q` has built .venv with CUDA torch
# (or with any Python that has geoae installed): bash bench/gpu_check.sh | tee gpu.txt
set -uo pipefail
PY=${PY:-.venv/bin/python}
"$PY" -c "import torch; print('torch', torch.__version__, '| card', torch.cuda.get_device_name(0))"
"$PY" -m pytest -q -p no:xdist tests/test_train.py tests/test_batched.py -k "cuda" -rs
"$PY" bench/bench_train.py --device cuda --epochs 5
"$PY" bench/bench_sweep.py --device cuda --runs 8 --epochs 5
"$PY" bench/bench_sweep.py --device cuda --runs 20 --epochs 5
