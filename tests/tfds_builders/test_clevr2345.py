import io
import tempfile
import zipfile
from typing import ClassVar

import numpy as np
import pytest
import tensorflow_datasets as tfds
from etils import epath
from PIL import Image

from tfds_builders.clevr2345 import clevr2345_dataset_builder as clevr2345
from tfds_builders.clevr2345.dummy_data import make_dummy_data as dummy


def _png(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


class Clevr2345Test(tfds.testing.DatasetBuilderTestCase):
    """Builds both configs from `dummy_data/clevr2345.zip` (fake 64x64 RGBA images)."""

    DATASET_CLASS = clevr2345.Builder
    SPLITS: ClassVar[dict[str, int]] = {"train": 3, "test": 2}

    def _source(self):
        return clevr2345.ImageSource.open(epath.Path(self.dummy_data))

    def test_splits_are_the_split_folders(self):
        splits = self._source().split_images()
        self.assertEqual(sorted(splits), ["test", "train"])
        self.assertEqual(
            splits["test"],
            [f"clevr2345/images/test/CLEVR_new_{k:06d}.png" for k in range(2)],
        )
        # GIRAFFE's FID statistics and priors are not images of a split.
        self.assertFalse(
            any("fid_files" in name or "prior" in name for s in splits.values() for name in s)
        )

    def test_examples_are_the_whole_images_resized(self):
        source = self._source()
        for config, size in (("128x128", 128), ("64x64", 64)):
            builder = clevr2345.Builder(data_dir=self.tmp_dir, config=config)
            examples = dict(builder._generate_examples(source, source.split_images()["train"]))
            self.assertEqual(sorted(examples), [f"train/CLEVR_new_{k:06d}" for k in range(3)])
            example = examples["train/CLEVR_new_000002"]
            self.assertEqual(example["id"], "train/CLEVR_new_000002")
            image = example["image"]
            self.assertEqual((image.shape, image.dtype), ((size, size, 3), np.uint8))
            quarter = size // 4
            # The alpha channel is dropped and every quadrant of the source is kept.
            np.testing.assert_array_equal(image[quarter, quarter], (0, 20, 200))
            np.testing.assert_array_equal(image[quarter, -quarter], dummy.QUADRANTS["top_right"])
            np.testing.assert_array_equal(image[-quarter, quarter], dummy.QUADRANTS["bottom_left"])
            np.testing.assert_array_equal(
                image[-quarter, -quarter], dummy.QUADRANTS["bottom_right"]
            )

    def test_resize_stretches_non_square_images(self):
        # A 256x128 (width x height) image: left half red, right half blue.
        image = np.zeros((128, 256, 3), dtype=np.uint8)
        image[:, :128] = (255, 0, 0)
        image[:, 128:] = (0, 0, 255)
        out = clevr2345.decode_and_resize(_png(image), 128)
        self.assertEqual(out.shape, (128, 128, 3))
        # No crop: both halves survive, each 64 columns wide.
        np.testing.assert_array_equal(out[:, :60], np.broadcast_to((255, 0, 0), (128, 60, 3)))
        np.testing.assert_array_equal(out[:, 68:], np.broadcast_to((0, 0, 255), (128, 60, 3)))
        # Downscaling 2x maps the 2x2 blocks of a checkerboard of 2x2 tiles to one grey.
        board = (np.indices((256, 256)).sum(axis=0) // 2 % 2 * 255).astype(np.uint8)
        out = clevr2345.decode_and_resize(_png(np.stack([board] * 3, axis=-1)), 64)
        self.assertLess(int(np.ptp(out[8:-8, 8:-8])), 8)  # Antialiased: no moire.

    def test_extracted_folder_gives_the_same_images(self):
        with tempfile.TemporaryDirectory() as tmp:
            with zipfile.ZipFile(epath.Path(self.dummy_data) / clevr2345.ZIP_NAME) as archive:
                archive.extractall(tmp)
            source = clevr2345.ImageSource.open(epath.Path(tmp))
            splits = source.split_images()
            self.assertEqual(splits, self._source().split_images())
            self.assertEqual(
                source.read(splits["train"][0]), self._source().read(splits["train"][0])
            )

    def test_validation_folder_and_unknown_folders(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = epath.Path(tmp) / clevr2345.FOLDER_NAME / "images"
            for folder in ("2", "3"):
                (root / folder).mkdir(parents=True)
                (root / folder / "CLEVR_new_000000.png").write_bytes(b"")
            source = clevr2345.ImageSource.open(epath.Path(tmp))
            # One folder per object count instead of per split: say what was found.
            with pytest.raises(ValueError, match=r"found images in the folders \{'2': 1, '3': 1\}"):
                source.split_images()
            (root / "val").mkdir()
            (root / "val" / "CLEVR_new_000001.jpg").write_bytes(b"")
            self.assertEqual(
                source.split_images(), {"validation": ["clevr2345/images/val/CLEVR_new_000001.jpg"]}
            )

    def test_missing_zip_names_the_file_and_the_folder(self):
        with tempfile.TemporaryDirectory() as tmp:
            config = tfds.download.DownloadConfig(manual_dir=tmp)
            # An empty manual directory: TFDS prints the download instructions.
            with pytest.raises(AssertionError, match=clevr2345.ZIP_NAME):
                self.builder.download_and_prepare(download_config=config)
            (epath.Path(tmp) / "clevr2.zip").write_text("the other GIRAFFE dataset")
            expected = rf"`{clevr2345.ZIP_NAME}` nor .* expected {tmp}/{clevr2345.ZIP_NAME} or"
            with pytest.raises(FileNotFoundError, match=expected):
                self.builder.download_and_prepare(download_config=config)
