"""Sweeps on a Dask cluster (geoae_core/cluster.py): bitwise the runs of a local sweep, on a
LocalCluster and on a real scheduler with two workers on 127.0.0.1, one of them SIGKILLed."""

import concurrent.futures
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from same_weights import assert_same_weights

from geoae_core import cluster, load_run, train
from geoae_core.cli import main
from geoae_core.config import Config

pytest.importorskip("distributed")

TINY = {"size": 16, "n_train": 64, "batch_size": 32, "device": "cpu"}
CLI_TINY = ["--set", "size=16", "--set", "n_train=64", "--set", "batch_size=32", "--device", "cpu"]


@contextlib.contextmanager
def one_thread():
    """A local run as a cluster task trains it: on one torch thread."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def test_cluster_address_is_checked_and_the_extra_named(tmp_path, monkeypatch, capsys):
    assert cluster.parse_address("local:3") == cluster.Address(local_workers=3)
    assert cluster.parse_address("tcp://10.0.0.2:8786").scheduler == "tcp://10.0.0.2:8786"
    for bad in ("local:0", "local:x", "10.0.0.2:8786", "tcp://"):
        with pytest.raises(cluster.ConfigError):
            cluster.parse_address(bad)
    out = tmp_path / "unused"
    args = ["sweep", "--out", str(out), "--epochs", "1", *CLI_TINY]
    assert main([*args, "--cluster", "nowhere"]) == 2
    assert main([*args, "--cluster", "local:2", "--workers", "2"]) == 2
    real_find_spec = cluster.importlib.util.find_spec
    monkeypatch.setattr(
        cluster.importlib.util, "find_spec", lambda name: None if name == "distributed" else real_find_spec(name)
    )
    capsys.readouterr()
    assert main([*args, "--cluster", "local:2"]) == 2
    assert main(["reproduce", "fig2", "--out", str(out), "--cluster", "local:2"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all('pip install "geoae[cluster]"' in line for line in err)
    assert not out.exists()


def test_sweep_on_a_local_cluster_is_bitwise_the_local_sweep(tmp_path, capsys):
    common = ["sweep", "--seeds", "4", "--epochs", "3", *CLI_TINY]
    assert main([*common, "--out", str(tmp_path / "cluster"), "--cluster", "local:2"]) == 0
    err = capsys.readouterr().err
    assert "[4/4]" in err and "training on cluster local:2 (2 workers)" in err and "epoch 12/12" in err
    with one_thread():
        assert main([*common, "--out", str(tmp_path / "here"), "--workers", "1"]) == 0
    for seed in range(4):
        on_cluster, here = load_run(tmp_path / "cluster" / f"seed{seed}"), load_run(tmp_path / "here" / f"seed{seed}")
        assert on_cluster.status == "finished"
        assert [row["loss"] for row in on_cluster.history] == [row["loss"] for row in here.history]
        assert_same_weights(on_cluster, here)


def test_local_workers_allocate_as_a_plain_process_does():
    """Dask's nanny would start them with MALLOC_TRIM_THRESHOLD_=65536 (slower epochs)."""

    def worker_environ():
        return os.environ.get("MALLOC_TRIM_THRESHOLD_"), os.environ.get("OMP_NUM_THREADS")

    with cluster.connect("local:1") as client:
        assert list(client.run(worker_environ).values()) == [(None, "1")]


class ThreadClient:
    """Just enough of a distributed Client for the client's side of train_on_cluster: tasks run in
    one thread here, no progress events."""

    def __init__(self):
        self.pool = concurrent.futures.ThreadPoolExecutor(1)

    def submit(self, function, *args, key=None, pure=True):
        return self.pool.submit(function, *args)

    def subscribe_topic(self, topic, handler):
        pass

    def unsubscribe_topic(self, topic):
        pass

    def nthreads(self):
        return {"here": 1}


def test_a_lost_client_leaves_finished_runs_and_resumable_ones(tmp_path, monkeypatch):
    client = ThreadClient()
    monkeypatch.setattr(cluster, "connect", lambda address: contextlib.nullcontext(client))
    configs = [Config(**TINY, epochs=2, seed=s) for s in range(3)]
    folders = [tmp_path / f"seed{s}" for s in range(3)]

    def interrupt(index, status):
        raise KeyboardInterrupt  # Ctrl-C once the first run is written

    with one_thread(), pytest.raises(KeyboardInterrupt):
        cluster.train_on_cluster(configs, folders, "local:1", on_done=interrupt)
    client.pool.shutdown(wait=True)
    assert load_run(folders[0]).status == "finished"
    for config, folder in zip(configs[1:], folders[1:]):
        assert json.loads((folder / "run.json").read_text())["status"] == "running"
        with one_thread():
            resumed, alone = train(None, out=folder, resume=True), train(config)
        assert_same_weights(resumed, alone)


def start(command, cwd):
    return subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture
def processes():
    """Processes a test starts, each ended (by its pid) when the test ends, pass or fail."""
    started = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} after {seconds} s")
        time.sleep(0.1)


@pytest.mark.timeout(120)
def test_a_sigkilled_worker_s_run_is_retried_and_ends_bitwise_equal(tmp_path, processes):
    from distributed import Client

    dask = str(Path(sys.executable).parent / "dask")
    scheduler_file = str(tmp_path / "scheduler.json")
    scheduler = [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--scheduler-file", scheduler_file]
    processes.append(start([*scheduler, "--no-dashboard"], tmp_path))
    worker = [dask, "worker", "--scheduler-file", scheduler_file, "--host", "127.0.0.1", "--nthreads", "1"]
    for _ in range(2):  # no nanny: a killed worker stays dead, its run must go to the other
        processes.append(start([*worker, "--no-nanny", "--no-dashboard", "--death-timeout", "60"], tmp_path))
    wait_for(Path(scheduler_file).exists, 30, "scheduler")
    address = json.loads(Path(scheduler_file).read_text())["address"]
    assert address.startswith("tcp://127.0.0.1:")
    observer = Client(address, timeout=30)
    try:
        observer.wait_for_workers(2, timeout=30)
        pids = observer.run(os.getpid)
        configs = [Config(**TINY, epochs=30, seed=s) for s in range(4)]
        raises = not torch.cuda.is_available()  # a CUDA run on a worker without CUDA raises there
        if raises:
            configs.append(Config(**TINY, epochs=30, seed=9).replace(device="cuda"))
        killed = []

        def kill_one_mid_run(report):
            if report.event == "epoch" and not killed:
                busy = [worker for worker, keys in observer.processing().items() if keys]
                killed.append(pids[busy[0]])
                os.kill(killed[0], signal.SIGKILL)

        folders = [tmp_path / "runs" / f"run{i}" for i in range(len(configs))]
        statuses = cluster.train_on_cluster(configs, folders, address, callbacks=[kill_one_mid_run])
        assert killed and killed[0] not in observer.run(os.getpid).values()
    finally:
        observer.close()
    assert statuses[:4] == ["finished"] * 4
    with one_thread():
        for config, folder in zip(configs[:4], folders):
            assert_same_weights(load_run(folder), train(config))
    if raises:
        assert statuses[4] == "failed"
        status = json.loads((folders[4] / "run.json").read_text())
        assert status["status"] == "failed" and "cuda" in status["error"].lower()
