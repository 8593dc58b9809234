"""CLEVR6: CLEVR (with masks) scenes of at most 6 objects, for object discovery (thesis 10.B.2)."""

import dataclasses
from typing import ClassVar

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds
from absl import logging
from etils import epath
from PIL import Image

TFRECORDS_NAME = "clevr_with_masks_train.tfrecords"
DOWNLOAD_URL = (
    "https://storage.googleapis.com/multi-object-datasets/clevr_with_masks/" + TFRECORDS_NAME
)
COMPRESSION_TYPE = "GZIP"
SOURCE_HEIGHT, SOURCE_WIDTH = 240, 320
# Masks and per-entity factors per record: entity 0 is the background, 1 to 10 the objects.
MAX_NUM_ENTITIES = 11
# Thesis 10.B.2: rows [29, 221) and columns [64, 256) of the 240x320 image (a 192x192 square),
# the first 70% of the records for training, and only scenes with at most 6 objects.
CROP_ROWS = (29, 221)
CROP_COLS = (64, 256)
TRAIN_FRACTION = (7, 10)
MAX_OBJECTS = 6


@dataclasses.dataclass(eq=False)
class Clevr6Config(tfds.core.BuilderConfig):
    """Resolution of the CLEVR6 images.

    Args:
        image_size: side of the square images and segmentations, resized from the 192x192 crop.
    """

    image_size: int = 64

    def __post_init__(self):
        size = self.image_size
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"`image_size` must be a positive int. Received: image_size={size!r}")


class Builder(tfds.core.GeneratorBasedBuilder):
    """CLEVR6: CLEVR scenes with at most 6 objects and their instance segmentation.

    Reads DeepMind's CLEVR (with masks) TFRecords (multi-object-datasets; 240x320 images with
    one mask per entity). As in INFERNO's object discovery experiments (Castrejon's thesis,
    10.B.2), the first 70% of the records form the train split and the rest the test split,
    each image is cropped to rows [29, 221) and columns [64, 256) and resized to 64x64
    (config `64x64`; `128x128` for larger models), and only the scenes with at most 6 objects
    are kept. The split is made on the record index before the object-count filter, so the
    two splits never share a scene. Examples hold the image, the segmentation (0 on the
    background, `i` on the pixels of entity `i` of the record, cropped like the image and
    resized with nearest-neighbour sampling), the number of objects and the record's
    visibility vector; the key is the record index in the file.
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES: ClassVar[dict[str, str]] = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS: ClassVar[list[Clevr6Config]] = [
        Clevr6Config(
            name="64x64",
            description="64x64 crops of the scenes with at most 6 objects (thesis 10.B.2).",
            image_size=64,
        ),
        Clevr6Config(
            name="128x128",
            description="The same scenes and crop at 128x128, for higher-resolution models.",
            image_size=128,
        ),
    ]
    DEFAULT_BUILDER_CONFIG_NAME = "64x64"
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    Download `{TFRECORDS_NAME}` (CLEVR with masks, DeepMind's multi-object-datasets,
    https://github.com/deepmind/multi_object_datasets) from Google Cloud Storage, e.g.
    `gsutil cp gs://multi-object-datasets/clevr_with_masks/{TFRECORDS_NAME} DIR/` or
    `wget {DOWNLOAD_URL}`, and place it, under exactly that name and still GZIP-compressed, in
    the manual directory (`tfds build --manual_dir DIR` or
    `tfds.download.DownloadConfig(manual_dir=DIR)`; by default
    `~/tensorflow_datasets/downloads/manual/`):

        DIR/{TFRECORDS_NAME}
    """

    def _info(self) -> tfds.core.DatasetInfo:
        size = self.builder_config.image_size
        features = tfds.features.FeaturesDict(
            {
                "image": tfds.features.Image(shape=(size, size, 3), doc="RGB image."),
                "segmentation": tfds.features.Tensor(
                    shape=(size, size),
                    dtype=np.uint8,
                    doc="0 on the background, i on the pixels of entity i of the record.",
                    encoding=tfds.features.Encoding.ZLIB,
                ),
                "num_objects": tfds.features.Scalar(
                    dtype=np.int32, doc="Visible objects in the scene (at most 6)."
                ),
                "visibility": tfds.features.Tensor(
                    shape=(MAX_NUM_ENTITIES,),
                    dtype=np.float32,
                    doc="1 for the entities present in the record (0: background), else 0.",
                ),
            }
        )
        return self.dataset_info_from_configs(
            features=features,
            supervised_keys=None,
            homepage="https://github.com/deepmind/multi_object_datasets",
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        path = find_tfrecords(dl_manager.manual_dir)
        total = count_records(path)
        logging.info("%s holds %d records.", path, total)
        return {
            split: self._generate_examples(path, indices)
            for split, indices in split_ranges(total).items()
        }

    def _generate_examples(self, path: epath.Path, indices: range):
        size = self.builder_config.image_size
        skipped = 0
        for index, record in zip(indices, read_records(path, indices)):
            num_objects = count_objects(record["visibility"])
            if num_objects > MAX_OBJECTS:
                skipped += 1
                continue
            image, segmentation = crop_and_resize(
                record["image"], segmentation_from_masks(record["mask"]), size
            )
            yield (
                f"{index:06d}",
                {
                    "image": image,
                    "segmentation": segmentation,
                    "num_objects": num_objects,
                    "visibility": record["visibility"],
                },
            )
        logging.info(
            "CLEVR6 records [%d, %d): %d scenes with more than %d objects skipped.",
            indices.start,
            indices.stop,
            skipped,
            MAX_OBJECTS,
        )


def find_tfrecords(manual_dir: epath.Path) -> epath.Path:
    """The path of the CLEVR (with masks) TFRecords in the manual directory.

    Raises:
        FileNotFoundError: naming the file and the expected path, if it is absent.
    """
    path = manual_dir / TFRECORDS_NAME
    if not path.is_file():
        entries = sorted(p.name for p in manual_dir.iterdir()) if manual_dir.is_dir() else []
        raise FileNotFoundError(
            f"`{TFRECORDS_NAME}` was not found: expected it at {path} (the manual directory "
            f"holds {entries[:20]}). Download it from {DOWNLOAD_URL} and place it there under "
            "that name, without decompressing it."
        )
    return path


def split_ranges(total: int) -> dict[str, range]:
    """Record indices of each split: the first 70% for `train`, the rest for `test`."""
    numerator, denominator = TRAIN_FRACTION
    num_train = total * numerator // denominator
    return {"train": range(0, num_train), "test": range(num_train, total)}


def count_records(path: epath.Path) -> int:
    """Number of records in the GZIP TFRecords file (one pass, nothing is parsed)."""
    dataset = tf.data.TFRecordDataset(str(path), compression_type=COMPRESSION_TYPE)
    return int(dataset.reduce(np.int64(0), lambda count, _: count + 1))


def read_records(path: epath.Path, indices: range):
    """Yields the decoded records `indices.start` to `indices.stop - 1` of the file.

    Each record is a dict of numpy arrays: `image` uint8 [240, 320, 3], `mask` uint8
    [11, 240, 320] (255 on the pixels of each entity) and `visibility` float32 [11].
    """
    dataset = tf.data.TFRecordDataset(str(path), compression_type=COMPRESSION_TYPE)
    dataset = dataset.skip(indices.start).take(len(indices))
    dataset = dataset.map(decode_record, num_parallel_calls=tf.data.AUTOTUNE)
    yield from dataset.as_numpy_iterator()


def decode_record(serialized: tf.Tensor) -> dict[str, tf.Tensor]:
    """Parses one serialized `tf.train.Example` of the multi-object-datasets CLEVR layout.

    The image and masks are stored as one single-byte string per value (that release's
    format), hence the `decode_raw` of every element.
    """
    features = tf.io.parse_single_example(
        serialized,
        {
            "image": tf.io.FixedLenFeature([SOURCE_HEIGHT, SOURCE_WIDTH, 3], tf.string),
            "mask": tf.io.FixedLenFeature(
                [MAX_NUM_ENTITIES, SOURCE_HEIGHT, SOURCE_WIDTH, 1], tf.string
            ),
            "visibility": tf.io.FixedLenFeature([MAX_NUM_ENTITIES], tf.float32),
        },
    )
    return {
        "image": tf.reshape(
            tf.io.decode_raw(features["image"], tf.uint8), [SOURCE_HEIGHT, SOURCE_WIDTH, 3]
        ),
        "mask": tf.reshape(
            tf.io.decode_raw(features["mask"], tf.uint8),
            [MAX_NUM_ENTITIES, SOURCE_HEIGHT, SOURCE_WIDTH],
        ),
        "visibility": features["visibility"],
    }


def count_objects(visibility: np.ndarray) -> int:
    """Objects in a scene: the visible entities other than the background (entity 0)."""
    return int(np.count_nonzero(np.asarray(visibility)[1:] > 0))


def segmentation_from_masks(masks: np.ndarray) -> np.ndarray:
    """Instance map `[H, W]` from the one-mask-per-entity array `[entities, H, W]`.

    Each pixel takes the index of its entity (the mask with the largest value there); pixels
    that no mask covers take 0, the background.
    """
    return np.argmax(np.asarray(masks), axis=0).astype(np.uint8)


def crop_and_resize(
    image: np.ndarray, segmentation: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Crops an image and its segmentation to `CROP_ROWS` x `CROP_COLS` and resizes both.

    The image is resized with Pillow's antialiased Lanczos filter (the resampling of the
    library's other builders); the segmentation with nearest-neighbour sampling, so that its
    values stay entity indices (192 -> 64 keeps source pixel `3 i + 1` of every 3x3 block).

    Args:
        image: uint8 `[240, 320, 3]`.
        segmentation: uint8 `[240, 320]`.
        size: side of the square outputs.

    Returns:
        The uint8 image `[size, size, 3]` and segmentation `[size, size]`.
    """
    (top, bottom), (left, right) = CROP_ROWS, CROP_COLS
    image = Image.fromarray(np.asarray(image, dtype=np.uint8)[top:bottom, left:right])
    segmentation = Image.fromarray(np.asarray(segmentation, dtype=np.uint8)[top:bottom, left:right])
    return (
        np.asarray(image.resize((size, size), Image.Resampling.LANCZOS), dtype=np.uint8),
        np.asarray(segmentation.resize((size, size), Image.Resampling.NEAREST), dtype=np.uint8),
    )
