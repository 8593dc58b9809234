"""MirroredStrategy on 2 logical CPU devices: the same update as one device, and resume."""

import os
import signal
import subprocess
import sys

import keras
import pytest

from tests.distribute.conftest import VAE_RUN
from tests.distribute.jobs import ROOT
from tests.distribute.jobs import job_env
from tests.distribute.jobs import load_weights
from tests.distribute.jobs import max_difference
from tests.distribute.jobs import optimizer_steps
from tests.distribute.jobs import run_job

pytestmark = [
    pytest.mark.large,
    pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="tf.distribute"),
]
TWO_CPU_REPLICAS = ["--strategy", "mirrored", "--cpu-replicas", "2", "--per-replica-batch", "2"]


def test_gan_two_replicas_match_one_device(tmp_path):
    gan_run = ["--zero-noise", "--model", "gan", "--steps", "3", "--checkpoint-every", "3"]
    run_job(tmp_path / "one", *gan_run, "--per-replica-batch", "4")
    run_job(tmp_path / "two", *gan_run, *TWO_CPU_REPLICAS)
    single = load_weights(tmp_path / "one")
    moved = max_difference(single, load_weights(tmp_path / "one", "initial_weights.npz"))
    assert moved > 1e-3
    assert max_difference(single, load_weights(tmp_path / "two")) < 1e-5
    # Optimizers built outside the strategy scope counted one step per replica.
    assert optimizer_steps(tmp_path / "two") == 3


def test_two_replicas_killed_and_resumed_end_on_the_single_device_weights(
    tmp_path, single_device_vae
):
    # One run checks both: 2 replicas make the update of 1 device on the same global batch,
    # and a SIGKILLed run resumes at its checkpoint with the same step count and weights.
    killed = run_job(tmp_path, *VAE_RUN, *TWO_CPU_REPLICAS, "--kill-at-step", "6", check=False)
    assert killed.returncode == -signal.SIGKILL
    assert os.path.isfile(tmp_path / "backup" / "training_metadata.json")
    assert not os.path.exists(tmp_path / "weights.npz")
    run_job(tmp_path, *VAE_RUN, *TWO_CPU_REPLICAS)
    assert optimizer_steps(tmp_path) == 8
    single = load_weights(single_device_vae)
    moved = max_difference(single, load_weights(single_device_vae, "initial_weights.npz"))
    # A raw per-replica mean (2x gradients) would differ by about `moved`.
    assert moved > 1e-3
    assert max_difference(single, load_weights(tmp_path)) < 1e-5


REPLICA_NOISE_SCRIPT = """
from keras_dynscene.distribute import ReplicaSeedGenerator, make_distribution
from keras_dynscene.distribute import split_cpu_into_logical_devices
split_cpu_into_logical_devices(2)
import keras, numpy as np, tensorflow as tf
distribution = make_distribution("mirrored")
with distribution.scope():
    generator = ReplicaSeedGenerator(seed=3)
draws = distribution.strategy.run(tf.function(lambda: keras.random.normal((4,), seed=generator)))
replica_0, replica_1 = [v.numpy() for v in distribution.strategy.experimental_local_results(draws)]
plain = keras.random.normal((4,), seed=keras.random.SeedGenerator(seed=3)).numpy()
print(np.abs(replica_0 - replica_1).max(), np.abs(replica_0 - plain).max())
"""


def test_replicas_draw_different_noise_and_replica_0_the_single_device_noise():
    result = subprocess.run(
        [sys.executable, "-c", REPLICA_NOISE_SCRIPT],
        cwd=ROOT,
        env=job_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    between_replicas, replica_0_vs_plain = map(float, result.stdout.split()[-2:])
    assert between_replicas > 0.1
    assert replica_0_vs_plain == 0.0
