"""BAIR robot pushing (Ebert et al., 2017) as 30-frame videos with actions and arm positions."""

from typing import ClassVar

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

DATA_URL = "http://rail.eecs.berkeley.edu/datasets/bair_robot_pushing_dataset_v0.tar"
NUM_FRAMES = 30
IMAGE_SHAPE = (64, 64, 3)
ACTION_SIZE = 4
ENDEFFECTOR_SIZE = 3
# Per-frame keys of the original TF1 `tf.train.Example`s (`{t}` is the frame index).
# `image_aux1` is the camera used by SVG and SAVP (`image_main` is also in the files).
IMAGE_KEY = "{t}/image_aux1/encoded"
ACTION_KEY = "{t}/action"
ENDEFFECTOR_KEY = "{t}/endeffector_pos"


class Builder(tfds.core.GeneratorBasedBuilder):
    """BAIR robot pushing, small (64x64) version, as the video prediction literature uses it.

    Train: the 43,264 sequences of `softmotion30_44k/train`; test: the 256 sequences of
    `softmotion30_44k/test`, the test set of SVG (Denton & Fergus, 2018) and SAVP (Lee et al.,
    2018). Each example holds the 30 frames of the `image_aux1` camera, the 4-d actions and
    the 3-d end-effector positions.
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES: ClassVar[dict[str, str]] = {"1.0.0": "Initial release."}

    def _info(self) -> tfds.core.DatasetInfo:
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(
                {
                    "video": tfds.features.Video(shape=(NUM_FRAMES, *IMAGE_SHAPE)),
                    "action": tfds.features.Tensor(
                        shape=(NUM_FRAMES, ACTION_SIZE), dtype=np.float32
                    ),
                    "endeffector_pos": tfds.features.Tensor(
                        shape=(NUM_FRAMES, ENDEFFECTOR_SIZE), dtype=np.float32
                    ),
                }
            ),
            supervised_keys=None,
            homepage="https://sites.google.com/view/sna-visual-mpc/",
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        root = dl_manager.download_and_extract(DATA_URL) / "softmotion30_44k"
        return {
            "train": self._generate_examples(root / "train"),
            "test": self._generate_examples(root / "test"),
        }

    def _generate_examples(self, directory):
        paths = sorted(directory.glob("*.tfrecords"))
        if not paths:
            raise FileNotFoundError(
                f"No `*.tfrecords` files in {directory}. Expected the extracted "
                f"`softmotion30_44k/{{train,test}}/traj_*.tfrecords` of {DATA_URL}; delete the "
                "partial download in the TFDS `downloads/` folder and build again."
            )
        for path in paths:
            for index, record in enumerate(tf.data.TFRecordDataset(str(path)).as_numpy_iterator()):
                yield f"{path.name}_{index}", _parse_sequence(record, f"{path.name}[{index}]")


def _parse_sequence(record: bytes, name: str) -> dict[str, np.ndarray]:
    """Decodes one serialized `tf.train.Example` of 30 frames into the builder's features."""
    feature = tf.train.Example.FromString(record).features.feature
    frames, actions, positions = [], [], []
    for t in range(NUM_FRAMES):
        keys = [key.format(t=t) for key in (IMAGE_KEY, ACTION_KEY, ENDEFFECTOR_KEY)]
        missing = [key for key in keys if key not in feature]
        if missing:
            raise ValueError(
                f"Sequence {name} lacks the keys {missing}: expected {NUM_FRAMES} frames with "
                f"keys {IMAGE_KEY!r}, {ACTION_KEY!r} and {ENDEFFECTOR_KEY!r}. Is this the BAIR "
                f"robot pushing data of {DATA_URL}?"
            )
        image_bytes = feature[keys[0]].bytes_list.value[0]
        if len(image_bytes) != np.prod(IMAGE_SHAPE):
            raise ValueError(
                f"Frame {t} of sequence {name} has {len(image_bytes)} bytes, expected "
                f"{np.prod(IMAGE_SHAPE)} (raw uint8 {IMAGE_SHAPE})."
            )
        frames.append(np.frombuffer(image_bytes, dtype=np.uint8).reshape(IMAGE_SHAPE))
        actions.append(_floats(feature[keys[1]], ACTION_SIZE, keys[1], name))
        positions.append(_floats(feature[keys[2]], ENDEFFECTOR_SIZE, keys[2], name))
    return {
        "video": np.stack(frames),
        "action": np.stack(actions),
        "endeffector_pos": np.stack(positions),
    }


def _floats(feature: tf.train.Feature, size: int, key: str, name: str) -> np.ndarray:
    values = np.asarray(feature.float_list.value, dtype=np.float32)
    if values.shape != (size,):
        raise ValueError(f"`{key}` of sequence {name} has {values.size} values, expected {size}.")
    return values
