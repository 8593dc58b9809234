"""1 vs 2 replicas (MirroredStrategy on 2 logical CPU devices) give the same update."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
pytestmark = [
    pytest.mark.large,
    pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="tf.distribute"),
]


def run_job(out, *args):
    env = {**os.environ, "KERAS_BACKEND": "tensorflow"}
    subprocess.run(
        [sys.executable, "-m", "tests.distribute.distributed_job", str(out), "--zero-noise", *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=600,
        capture_output=True,
    )
    weights = np.load(os.path.join(out, "weights.npz"))
    initial = np.load(os.path.join(out, "initial_weights.npz"))
    return [weights[k] for k in weights], [initial[k] for k in initial]


@pytest.mark.parametrize("model", ["vae", "gan"])
def test_two_replicas_match_one_device_on_the_same_global_batch(tmp_path, model):
    common = ["--model", model, "--steps", "3", "--checkpoint-every", "3"]
    single, start = run_job(tmp_path / "one", *common, "--per-replica-batch", "4")
    mirrored, _ = run_job(
        tmp_path / "two",
        *common,
        "--per-replica-batch",
        "2",
        "--strategy",
        "mirrored",
        "--cpu-replicas",
        "2",
    )
    moved = max(np.abs(w - s).max() for w, s in zip(single, start))
    difference = max(np.abs(a - b).max() for a, b in zip(single, mirrored))
    # A raw per-replica mean (2x gradients) would differ by about `moved`.
    assert moved > 1e-3
    assert difference < 1e-5
