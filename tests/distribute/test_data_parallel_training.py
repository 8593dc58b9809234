"""keras.distribution.DataParallel on 2 host-platform JAX devices: the same update as one."""

import json

import keras
import pytest

from tests.distribute.jobs import load_weights
from tests.distribute.jobs import max_difference
from tests.distribute.jobs import run_job

pytestmark = [
    pytest.mark.backends,
    pytest.mark.large,
    pytest.mark.skipif(keras.backend.backend() != "jax", reason="keras.distribution on JAX"),
]


def test_data_parallel_on_two_cpu_devices_matches_one_device(tmp_path):
    run = ["--zero-noise", "--model", "vae", "--steps", "3", "--checkpoint-every", "3"]
    run_job(tmp_path / "one", *run, "--per-replica-batch", "4", backend="jax")
    # --cpu-replicas sets XLA_FLAGS=--xla_force_host_platform_device_count=2 before JAX starts.
    two_devices = ["--strategy", "data_parallel", "--cpu-replicas", "2", "--per-replica-batch", "2"]
    run_job(tmp_path / "two", *run, *two_devices, backend="jax")
    summary = json.loads((tmp_path / "two" / "train_summary.json").read_text())
    assert summary["strategy"] == "data_parallel" and summary["num_replicas"] == 2
    single = load_weights(tmp_path / "one")
    assert max_difference(single, load_weights(tmp_path / "one", "initial_weights.npz")) > 1e-3
    assert max_difference(single, load_weights(tmp_path / "two")) < 1e-5
