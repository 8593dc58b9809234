import csv
import json
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from keras_dynscene.models import HierarchicalVRNN
from keras_dynscene.training import train_model
from tests.models.hierarchical_vrnn.tiny_config import TINY_CONFIG

REPO = Path(__file__).resolve().parents[2]

TRAIN_SCRIPT = """
import sys, time
import keras, numpy as np, tensorflow as tf
from keras_dynscene.models import HierarchicalVRNN
from keras_dynscene.training import train_model
from tests.models.hierarchical_vrnn.tiny_config import TINY_CONFIG

class Heartbeat(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        print("step", flush=True)
        time.sleep(float(sys.argv[2]))

videos = np.random.default_rng(0).integers(0, 256, (16, 5, 16, 16, 1)).astype("uint8")
data = tf.data.Dataset.from_tensor_slices({"video": videos}).repeat().batch(4)
model = HierarchicalVRNN(**TINY_CONFIG)
train_model(model, data, total_steps=6, checkpoint_every=2, output_dir=sys.argv[1],
            extra_callbacks=[Heartbeat()], verbose=0)
print("done", flush=True)
"""


def run_training(out_dir, pause=0.0, kill_after_steps=None):
    process = subprocess.Popen(
        [sys.executable, "-c", TRAIN_SCRIPT, str(out_dir), str(pause)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    steps = 0
    for line in process.stdout:
        steps += line.strip() == "step"
        if kill_after_steps is not None and steps >= kill_after_steps:
            process.send_signal(signal.SIGKILL)  # a hard kill mid-epoch: no cleanup runs
            break
    process.wait(timeout=600)
    return process, steps


def summary(out_dir):
    return json.loads((Path(out_dir) / "train_summary.json").read_text())


@pytest.mark.large
def test_resume_after_kill_matches_uninterrupted_step_count(tmp_path):
    # An uninterrupted run makes total_steps = 6 steps (test_writes_samples_logs_and_model
    # checks the count of one); tests/distribute also compare resumed weights with
    # uninterrupted ones. Killed during the second "epoch" (steps 3-4), after the first
    # checkpoint (step 2).
    killed, seen = run_training(tmp_path / "run", pause=0.5, kill_after_steps=3)
    assert killed.returncode == -signal.SIGKILL and seen == 3
    metadata = json.loads((tmp_path / "run" / "backup" / "training_metadata.json").read_text())
    assert metadata["epoch"] == 1
    assert not (tmp_path / "run" / "train_summary.json").exists()

    resumed, steps_after_resume = run_training(tmp_path / "run")
    assert resumed.returncode == 0, resumed.stderr.read()[-3000:]
    # The resumed run redoes only the unfinished epoch: 2 epochs of 2 steps.
    assert steps_after_resume == 4
    assert summary(tmp_path / "run")["optimizer_steps"] == 6
    with open(tmp_path / "run" / "history.csv") as file:
        epochs = [int(row["epoch"]) for row in csv.DictReader(file)]
    assert epochs == [0, 1, 2]
    assert (tmp_path / "run" / "model.keras").is_file()


def test_rejects_step_counts_that_cannot_resume_exactly(tmp_path):
    model = HierarchicalVRNN(**TINY_CONFIG)
    with pytest.raises(ValueError, match="multiple of `checkpoint_every`"):
        train_model(model, None, total_steps=5, checkpoint_every=2, output_dir=str(tmp_path))
    with pytest.raises(ValueError, match="must be positive"):
        train_model(model, None, total_steps=0, checkpoint_every=2, output_dir=str(tmp_path))


def test_writes_samples_logs_and_model(tmp_path):
    import tensorflow as tf

    videos = np.random.default_rng(0).integers(0, 256, (8, 5, 16, 16, 1)).astype("uint8")
    data = tf.data.Dataset.from_tensor_slices({"video": videos}).repeat().batch(4)
    model = HierarchicalVRNN(**TINY_CONFIG)
    train_model(
        model,
        data,
        total_steps=2,
        checkpoint_every=2,
        output_dir=str(tmp_path),
        sample_video=videos[:2],
        verbose=0,
    )
    assert (tmp_path / "samples" / "epoch_0001.png").is_file()
    assert (tmp_path / "samples" / "epoch_0001.gif").is_file()
    assert any((tmp_path / "logs").rglob("events.out.tfevents*"))
    assert summary(tmp_path)["optimizer_steps"] == 2


def test_resumes_from_the_previous_checkpoint_when_the_last_is_unreadable(tmp_path):
    import tensorflow as tf

    videos = np.random.default_rng(0).integers(0, 256, (8, 5, 16, 16, 1)).astype("uint8")
    data = tf.data.Dataset.from_tensor_slices({"video": videos}).repeat().batch(4)
    kwargs = dict(train_data=data, checkpoint_every=2, output_dir=str(tmp_path), verbose=0)
    train_model(HierarchicalVRNN(**TINY_CONFIG), total_steps=4, **kwargs)
    # A write cut short (a kill mid-save, or a reader holding the HDF5 lock) leaves this.
    (tmp_path / "backup" / "latest.weights.h5").write_bytes(b"")
    train_model(HierarchicalVRNN(**TINY_CONFIG), total_steps=6, **kwargs)
    # Resumed from the step-2 checkpoint: epochs 1 and 2 redone, 6 optimizer steps in all.
    assert summary(tmp_path)["optimizer_steps"] == 6
    with open(tmp_path / "history.csv") as file:
        epochs = [int(row["epoch"]) for row in csv.DictReader(file)]
    assert epochs == [0, 1, 1, 2]
