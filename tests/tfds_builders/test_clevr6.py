import tempfile
from typing import ClassVar

import numpy as np
import pytest
import tensorflow_datasets as tfds
from etils import epath

from tfds_builders.clevr6 import clevr6_dataset_builder as clevr6
from tfds_builders.clevr6.dummy_data import make_dummy_data as dummy


class Clevr6Test(tfds.testing.DatasetBuilderTestCase):
    """Builds both configs from `dummy_data/clevr_with_masks_train.tfrecords` (10 fake scenes)."""

    DATASET_CLASS = clevr6.Builder
    # Records 0-6 (train) hold 3, 7, 6, 2, 10, 4, 5 objects; records 7-9 (test) 6, 8, 1.
    SPLITS: ClassVar[dict[str, int]] = {"train": 5, "test": 2}

    def _examples(self, split="train", config="64x64"):
        builder = clevr6.Builder(data_dir=self.tmp_dir, config=config)
        path = clevr6.find_tfrecords(epath.Path(self.dummy_data))
        ranges = clevr6.split_ranges(clevr6.count_records(path))
        return dict(builder._generate_examples(path, ranges[split]))

    def test_first_70_percent_of_records_train_the_rest_test(self):
        self.assertEqual(clevr6.split_ranges(10), {"train": range(0, 7), "test": range(7, 10)})
        # E.g. a file of 100,000 scenes.
        ranges = clevr6.split_ranges(100_000)
        self.assertEqual((len(ranges["train"]), len(ranges["test"])), (70_000, 30_000))
        self.assertEqual(ranges["train"].stop, ranges["test"].start)

    def test_scenes_with_more_than_6_objects_are_dropped(self):
        train, test = self._examples("train"), self._examples("test")
        # Records 1 (7 objects), 4 (10) and 8 (8) are dropped; the keys are record indices.
        self.assertEqual(sorted(train), ["000000", "000002", "000003", "000005", "000006"])
        self.assertEqual(sorted(test), ["000007", "000009"])
        counts = {key: int(example["num_objects"]) for key, example in {**train, **test}.items()}
        expected = {f"{i:06d}": n for i, n in enumerate(dummy.NUM_OBJECTS) if n <= 6}
        self.assertEqual(counts, expected)
        self.assertEqual(clevr6.count_objects(np.array([1.0] * 7 + [0.0] * 4)), 6)
        # Entity 0 is the background: it never counts as an object.
        self.assertEqual(clevr6.count_objects(np.array([1.0] + [0.0] * 10)), 0)

    def test_segmentation_and_image_of_the_dummy_scenes(self):
        for config, size in (("64x64", 64), ("128x128", 128)):
            example = self._examples("train", config)["000002"]  # 6 objects.
            image, segmentation = example["image"], example["segmentation"]
            self.assertEqual(image.shape, (size, size, 3))
            self.assertEqual(segmentation.shape, (size, size))
            self.assertEqual(sorted(np.unique(segmentation)), list(range(7)))
            scale = size / 192
            for i in range(1, 7):
                top, left = dummy.object_box(i)
                # The square's centre in the output, relative to the crop.
                row = int((top - clevr6.CROP_ROWS[0] + dummy.SQUARE / 2) * scale)
                col = int((left - clevr6.CROP_COLS[0] + dummy.SQUARE / 2) * scale)
                self.assertEqual(segmentation[row, col], i)
                np.testing.assert_allclose(image[row, col], dummy.object_colour(i), atol=2)
            # The red margins lie outside the crop; Lanczos ringing stays small.
            self.assertLess(int(image[..., 0].max()), 140)
            np.testing.assert_array_equal(example["visibility"], [1.0] * 7 + [0.0] * 4)

    def test_crop_rows_29_to_221_and_columns_64_to_256(self):
        image = np.zeros((240, 320, 3), dtype=np.uint8)
        image[...] = (255, 255, 255)  # Everything outside the crop is white.
        segmentation = np.full((240, 320), 9, dtype=np.uint8)
        # Inside the crop: four 96x96 quadrants of colours and instance ids.
        colours = {(0, 0): (0, 0, 200), (0, 1): (0, 200, 0), (1, 0): (0, 100, 100)}
        colours[(1, 1)] = (0, 50, 250)
        for (qr, qc), colour in colours.items():
            rows = slice(29 + 96 * qr, 29 + 96 * (qr + 1))
            cols = slice(64 + 96 * qc, 64 + 96 * (qc + 1))
            image[rows, cols] = colour
            segmentation[rows, cols] = 1 + 2 * qr + qc
        for size in (64, 128):
            out_image, out_segmentation = clevr6.crop_and_resize(image, segmentation, size)
            self.assertEqual(out_image.shape, (size, size, 3))
            half = size // 2
            expected = np.zeros((size, size), dtype=np.uint8)
            expected[:half, :half], expected[:half, half:] = 1, 2
            expected[half:, :half], expected[half:, half:] = 3, 4
            # Nearest sampling keeps the quadrants exactly and nothing of the outside (9).
            np.testing.assert_array_equal(out_segmentation, expected)
            for (qr, qc), colour in colours.items():
                centre = out_image[half // 2 + qr * half, half // 2 + qc * half]
                np.testing.assert_array_equal(centre, colour)
            # No white from outside the crop: the red channel is 0 everywhere inside.
            self.assertEqual(int(out_image[..., 0].max()), 0)

    def test_nearest_resize_keeps_the_centre_of_each_3x3_block(self):
        segmentation = np.zeros((240, 320), dtype=np.uint8)
        rows, cols = np.meshgrid(np.arange(240), np.arange(320), indexing="ij")
        segmentation[:] = ((rows - 29) % 3) * 3 + (cols - 64) % 3  # 0-8 within each block.
        image = np.zeros((240, 320, 3), dtype=np.uint8)
        _, out = clevr6.crop_and_resize(image, segmentation, 64)
        np.testing.assert_array_equal(out, np.full((64, 64), 4))  # Block position (1, 1).

    def test_segmentation_from_masks(self):
        masks = np.zeros((11, 2, 3), dtype=np.uint8)
        masks[0, 0, :] = 255
        masks[3, 1, 0] = 255
        masks[10, 1, 2] = 255
        np.testing.assert_array_equal(
            clevr6.segmentation_from_masks(masks), [[0, 0, 0], [3, 0, 10]]
        )

    def test_missing_tfrecords_name_the_file_and_the_path(self):
        with tempfile.TemporaryDirectory() as tmp:
            config = tfds.download.DownloadConfig(manual_dir=tmp)
            # An empty manual directory: TFDS prints the download instructions.
            with pytest.raises(AssertionError, match=clevr6.TFRECORDS_NAME):
                self.builder.download_and_prepare(download_config=config)
            (epath.Path(tmp) / "clevr_with_masks.zip").write_text("not the records")
            expected = f"{clevr6.TFRECORDS_NAME}` was not found: expected it at {tmp}/"
            with pytest.raises(FileNotFoundError, match=expected):
                self.builder.download_and_prepare(download_config=config)
