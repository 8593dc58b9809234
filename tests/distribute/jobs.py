"""Runs `tests/distribute/distributed_job.py` in fresh processes (own devices, own TF_CONFIG)."""

import json
import os
import socket
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def job_command(out, *args):
    return [sys.executable, "-m", "tests.distribute.distributed_job", str(out), *args]


def job_env(backend="tensorflow", **extra):
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.pop("TF_CONFIG", None)
    env.update(extra)
    return env


def run_job(out, *args, backend="tensorflow", check=True):
    """Runs one job to its end and returns the CompletedProcess."""
    result = subprocess.run(
        job_command(out, *args),
        cwd=ROOT,
        env=job_env(backend),
        timeout=600,
        capture_output=True,
        text=True,
    )
    if check and result.returncode:
        raise AssertionError(f"job {args} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result


def start_worker(out, index, ports, *args, log_dir):
    """Starts worker `index` of a loopback MultiWorkerMirroredStrategy cluster."""
    tf_config = {
        "cluster": {"worker": [f"127.0.0.1:{port}" for port in ports]},
        "task": {"type": "worker", "index": index},
    }
    log = open(os.path.join(log_dir, f"worker_{index}.log"), "w")
    process = subprocess.Popen(
        job_command(out, "--strategy", "multi_worker", *args),
        cwd=ROOT,
        env=job_env(TF_CONFIG=json.dumps(tf_config)),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    process.log_path = log.name
    return process


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def load_weights(out, name="weights.npz"):
    arrays = np.load(os.path.join(out, name))
    return [arrays[key] for key in arrays]


def max_difference(weights_a, weights_b):
    return max(float(np.abs(a - b).max()) for a, b in zip(weights_a, weights_b))


def optimizer_steps(out):
    with open(os.path.join(out, "train_summary.json")) as file:
        return json.load(file)["optimizer_steps"]
