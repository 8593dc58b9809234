"""Two MultiWorkerMirroredStrategy workers on 127.0.0.1: a lost worker, then resume."""

import os
import signal
import time

import keras
import pytest

from tests.distribute.conftest import VAE_RUN
from tests.distribute.jobs import free_ports
from tests.distribute.jobs import load_weights
from tests.distribute.jobs import max_difference
from tests.distribute.jobs import optimizer_steps
from tests.distribute.jobs import start_worker

pytestmark = [
    pytest.mark.large,
    pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="tf.distribute"),
]
TIMEOUT_S = 300


def wait_for(condition, processes, what):
    deadline = time.time() + TIMEOUT_S
    while not condition():
        for process in processes:
            if process.poll() is not None:
                raise AssertionError(
                    f"worker exited ({process.returncode}) before {what}:\n"
                    + open(process.log_path).read()[-3000:]
                )
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def stop(processes):
    for process in processes:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


def test_a_killed_worker_stops_the_chief_and_a_restart_resumes(tmp_path, single_device_vae):
    # Both workers share the run folder, as on a shared filesystem: the chief writes the
    # checkpoints and every worker restores from them.
    run = [*VAE_RUN, "--per-replica-batch", "2", "--communication-timeout", "15"]
    ports = free_ports(2)
    workers = [
        start_worker(tmp_path, i, ports, *run, "--pause-after-checkpoint", "120", log_dir=tmp_path)
        for i in range(2)
    ]
    try:
        wait_for(
            lambda: os.path.exists(tmp_path / "backup" / "state.json"),
            workers,
            "the first checkpoint",
        )
        os.kill(workers[1].pid, signal.SIGKILL)
        killed_at = time.time()
        (tmp_path / "continue").touch()
        chief_code = workers[0].wait(timeout=TIMEOUT_S)
        stopped_after = time.time() - killed_at
    finally:
        stop(workers)
    chief_log = open(workers[0].log_path).read()
    assert chief_code != 0
    assert "WorkerLostError" in chief_log and "restart every worker" in chief_log, chief_log[-3000:]
    assert stopped_after < 120
    assert not os.path.exists(tmp_path / "weights.npz")

    ports = free_ports(2)
    workers = [start_worker(tmp_path, i, ports, *run, log_dir=tmp_path) for i in range(2)]
    try:
        codes = [worker.wait(timeout=TIMEOUT_S) for worker in workers]
    finally:
        stop(workers)
    assert codes == [0, 0], open(workers[0].log_path).read()[-3000:]
    assert optimizer_steps(tmp_path) == 8
    # The resumed two-worker run ends where one uninterrupted device does.
    single = load_weights(single_device_vae)
    assert max_difference(single, load_weights(single_device_vae, "initial_weights.npz")) > 1e-3
    assert max_difference(single, load_weights(tmp_path)) < 1e-5
