"""Where a training runs, and what the CPU runs it under: freed memory kept, denormals flushed."""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import platform
from collections.abc import Iterator

import torch

from .config import SETTINGS_BY_NAME, ConfigError


def resolve_device(name: str) -> torch.device:
    """The device a `device` setting names: auto is CUDA when there is one; cuda without one is refused."""
    choices = SETTINGS_BY_NAME["device"].choices
    if name not in choices:
        raise ConfigError(f"device: {name!r} is not one of {', '.join(choices)}")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device: 'cuda' asked for, but this machine has no CUDA device (use auto or cpu)")
    return torch.device(name)


@functools.cache
def keep_freed_memory() -> bool:
    """Ask glibc to keep freed blocks of up to 32 MiB in the heap instead of returning them.

    A step allocates and frees activations of a few MiB each. By default glibc hands such blocks
    back to the kernel at once, and the next step pays a page fault on every 4 KiB of them:
    about 10% of a CPU epoch of `disks` (bench/bench_train.py). The cost is that the process
    keeps its peak heap. GEOAE_KEEP_FREED_MEMORY=0 turns it off; elsewhere than glibc it is a no-op.
    """
    if os.environ.get("GEOAE_KEEP_FREED_MEMORY", "1") == "0" or platform.system() != "Linux":
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # musl and others: no mallopt to call
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    return bool(libc.mallopt(m_mmap_threshold, 32 << 20)) and bool(libc.mallopt(m_trim_threshold, 256 << 20))


def _denormals_flushed_here() -> bool:
    return torch.tensor(1e-40, dtype=torch.float32).mul(1.5).item() == 0.0  # a float32 denormal


@contextlib.contextmanager
def denormals_flushed() -> Iterator[None]:
    """Treat numbers below 1.2e-38 as zero on this thread while the block runs.

    A run that collapses under strong weight decay (figure 8's large lambdas) drives weights and
    gradients into the denormal range, where each multiply costs tens of cycles: such an epoch
    took 1.00 s instead of 0.34 s (bench/bench_denormals.py). TensorFlow and XLA flush by
    default for the same reason. Values that small are zero for every figure here.
    The thread's setting is restored on exit, so code after a training (Python floats, numpy)
    sees none of it; torch's worker threads copy the setting when they are created, and those
    started during a training keep it. GEOAE_FLUSH_DENORMALS=0 leaves the setting alone.
    """
    if os.environ.get("GEOAE_FLUSH_DENORMALS", "1") == "0" or _denormals_flushed_here():
        yield
        return
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_flush_denormal(False)


@contextlib.contextmanager
def tuned_for(device: torch.device) -> Iterator[None]:
    """What every training runs under on the CPU: freed memory kept, denormals flushed."""
    if device.type != "cpu":
        yield
        return
    keep_freed_memory()
    with denormals_flushed():
        yield
