"""Writes fake BAIR robot pushing data (random pixels) with the real archive's layout and keys.

One real sequence holds 30 raw 64x64x3 frames (~370 KB), too big to commit, so the tests write
the fake files into a temporary folder with this script:

    python tfds_builders/bair_push/dummy_data/make_dummy_data.py OUTPUT_DIR

It writes `OUTPUT_DIR/softmotion30_44k/{train,test}/traj_*.tfrecords`: 3 train and 2 test
sequences of random frames, actions and end-effector positions (no real data).
"""

import pathlib
import sys

import numpy as np
import tensorflow as tf

NUM_FRAMES = 30
# {split: {file name: number of sequences}}; the names follow the real archive's pattern.
LAYOUT = {
    "train": {"traj_256_to_257.tfrecords": 2, "traj_258_to_258.tfrecords": 1},
    "test": {"traj_0_to_1.tfrecords": 2},
}


def fake_sequence(rng: np.random.Generator) -> bytes:
    """One serialized `tf.train.Example` with the per-frame keys of the real files."""
    feature = {}
    for t in range(NUM_FRAMES):
        for camera in ("image_main", "image_aux1"):
            image = rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8)
            feature[f"{t}/{camera}/encoded"] = tf.train.Feature(
                bytes_list=tf.train.BytesList(value=[image.tobytes()])
            )
        for key, size in (("action", 4), ("endeffector_pos", 3)):
            values = rng.uniform(-1.0, 1.0, size=size).astype(np.float32)
            feature[f"{t}/{key}"] = tf.train.Feature(float_list=tf.train.FloatList(value=values))
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()


def write_dummy_data(output_dir: str | pathlib.Path, seed: int = 0) -> pathlib.Path:
    """Writes the fake archive layout under `output_dir` and returns `output_dir`."""
    output_dir = pathlib.Path(output_dir)
    rng = np.random.default_rng(seed)
    for split, files in LAYOUT.items():
        directory = output_dir / "softmotion30_44k" / split
        directory.mkdir(parents=True, exist_ok=True)
        for name, count in files.items():
            with tf.io.TFRecordWriter(str(directory / name)) as writer:
                for _ in range(count):
                    writer.write(fake_sequence(rng))
    return output_dir


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"Usage: python {sys.argv[0]} OUTPUT_DIR")
    print(write_dummy_data(sys.argv[1]))
