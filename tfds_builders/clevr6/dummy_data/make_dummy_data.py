"""Writes `clevr_with_masks_train.tfrecords`: 10 fake CLEVR (with masks) scenes.

    python tfds_builders/clevr6/dummy_data/make_dummy_data.py

The records have the real layout (GZIP TFRecords of `tf.train.Example`s; `image` [240, 320, 3]
and `mask` [11, 240, 320, 1] as one single-byte string per value, `visibility`, `x`, `y`, `z`,
`pixel_coords`, `rotation` as floats, `size`, `material`, `shape`, `color` as single bytes),
but the scenes are flat drawings: a random gray background (no two scenes alike), pure red
outside the builder's crop (rows [29, 221), columns [64, 256)), and object `i` a 24x24 square of
colour (0, 20 i, 250 - 20 i) in a 4x3 grid inside the crop, with mask `i` 255 on it and mask 0
on the rest. Object counts per record are `NUM_OBJECTS`: the first 7 records (the train split)
keep 5 scenes of at most 6 objects, the last 3 (test) keep 2.
"""

import gzip
import pathlib
import tempfile

import numpy as np
import tensorflow as tf

TFRECORDS_NAME = "clevr_with_masks_train.tfrecords"
HEIGHT, WIDTH, ENTITIES = 240, 320, 11
CROP_TOP, CROP_LEFT, CROP_SIDE = 29, 64, 192
SQUARE = 24
NUM_OBJECTS = [3, 7, 6, 2, 10, 4, 5, 6, 8, 1]


def object_box(i: int) -> tuple[int, int]:
    """Top-left corner (row, column) of object `i` (1 to 10) in the source image."""
    row, col = divmod(i - 1, 4)
    return CROP_TOP + 24 + 48 * row, CROP_LEFT + 12 + 48 * col


def object_colour(i: int) -> tuple[int, int, int]:
    return 0, 20 * i, 250 - 20 * i


def fake_scene(num_objects: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    image = np.zeros((HEIGHT, WIDTH, 3), dtype=np.uint8)
    image[:] = (255, 0, 0)  # Outside the crop: cut away by the builder.
    gray = rng.integers(80, 130)
    image[CROP_TOP : CROP_TOP + CROP_SIDE, CROP_LEFT : CROP_LEFT + CROP_SIDE] = gray
    mask = np.zeros((ENTITIES, HEIGHT, WIDTH, 1), dtype=np.uint8)
    mask[0] = 255
    for i in range(1, num_objects + 1):
        top, left = object_box(i)
        image[top : top + SQUARE, left : left + SQUARE] = object_colour(i)
        mask[:, top : top + SQUARE, left : left + SQUARE] = 0
        mask[i, top : top + SQUARE, left : left + SQUARE] = 255
    present = np.arange(ENTITIES) <= num_objects  # The background is entity 0.

    def codes(high: int) -> np.ndarray:  # Integer-coded factors, 0 for absent entities.
        return np.where(present, rng.integers(1, high, ENTITIES), 0).astype(np.uint8)

    return {
        "image": image,
        "mask": mask,
        "visibility": present.astype(np.float32),
        "x": np.where(present, rng.uniform(-3, 3, ENTITIES), 0).astype(np.float32),
        "y": np.where(present, rng.uniform(-3, 3, ENTITIES), 0).astype(np.float32),
        "z": np.where(present, rng.uniform(0.35, 0.7, ENTITIES), 0).astype(np.float32),
        "pixel_coords": np.where(present[:, None], rng.uniform(0, 320, (ENTITIES, 3)), 0).astype(
            np.float32
        ),
        "rotation": np.where(present, rng.uniform(0, 360, ENTITIES), 0).astype(np.float32),
        "size": codes(3),
        "material": codes(3),
        "shape": codes(4),
        "color": codes(9),
    }


def to_example(scene: dict[str, np.ndarray]) -> tf.train.Example:
    feature = {}
    for name, value in scene.items():
        if value.dtype == np.uint8:
            # One single-byte string per value, as in the multi-object-datasets files.
            data = value.tobytes()
            values = [data[k : k + 1] for k in range(len(data))]
            feature[name] = tf.train.Feature(bytes_list=tf.train.BytesList(value=values))
        else:
            feature[name] = tf.train.Feature(float_list=tf.train.FloatList(value=value.ravel()))
    return tf.train.Example(features=tf.train.Features(feature=feature))


def write_dummy_data(output_dir: str | pathlib.Path, seed: int = 0) -> pathlib.Path:
    """Writes the fake TFRecords file into `output_dir` and returns its path."""
    rng = np.random.default_rng(seed)
    path = pathlib.Path(output_dir) / TFRECORDS_NAME
    with tempfile.TemporaryDirectory() as scratch:
        plain = pathlib.Path(scratch) / "records"
        with tf.io.TFRecordWriter(str(plain)) as writer:
            for num_objects in NUM_OBJECTS:
                example = to_example(fake_scene(num_objects, rng))
                writer.write(example.SerializeToString(deterministic=True))
        # GZIP as the real file; compressed here with a fixed header: same bytes every run.
        path.write_bytes(gzip.compress(plain.read_bytes(), compresslevel=9, mtime=0))
    return path


if __name__ == "__main__":
    print(write_dummy_data(pathlib.Path(__file__).parent))
