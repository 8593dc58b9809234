import tempfile
from typing import ClassVar

import numpy as np
import pytest
import tensorflow_datasets as tfds
from etils import epath

from tfds_builders.cityscapes_sequences import cityscapes_sequences_dataset_builder as city


class CityscapesSequencesTest(tfds.testing.DatasetBuilderTestCase):
    """Builds from `dummy_data/leftImg8bit_sequence_trainvaltest.zip` (fake 64x32 frames)."""

    DATASET_CLASS = city.Builder
    # The incomplete 10-frame run of the test folder is skipped.
    SPLITS: ClassVar[dict[str, int]] = {"train": 2, "validation": 2, "test": 2}

    def _snippets(self):
        return city._FrameSource.open(self.dummy_data).snippets()

    def test_snippets_are_consecutive_frames(self):
        snippets = self._snippets()
        self.assertEqual(
            {folder: len(s) for folder, s in snippets.items()}, {"train": 2, "val": 2, "test": 2}
        )
        first, second = snippets["train"]
        self.assertTrue(first[0].endswith("aachen_000000_000000_leftImg8bit.png"))
        self.assertTrue(first[-1].endswith("aachen_000000_000029_leftImg8bit.png"))
        self.assertTrue(second[0].endswith("aachen_000000_000050_leftImg8bit.png"))
        for paths in snippets["val"]:
            self.assertLen(paths, city.NUM_FRAMES)

    def test_frames_are_centre_cropped_and_resized(self):
        source = city._FrameSource.open(self.dummy_data)
        examples = list(self.builder._generate_examples(source, self._snippets()["val"]))
        self.assertEqual(
            [key for key, _ in examples], ["frankfurt_000000_000275", "lindau_000001_000000"]
        )
        video = examples[0][1]["video"]
        self.assertEqual(video.shape, (30, 128, 128, 3))
        self.assertEqual(video.dtype, np.uint8)
        # The fake frames are a solid colour with red < 100 inside pure-red (255) margins.
        self.assertLess(int(video[..., 0].max()), 100)
        self.assertLessEqual(int(np.ptp(video[0].reshape(-1, 3), axis=0).max()), 1)

    def test_extracted_folder_works_too(self):
        import zipfile

        with tempfile.TemporaryDirectory() as tmp:
            with zipfile.ZipFile(self.dummy_data / city.ZIP_NAME) as archive:
                archive.extractall(tmp)
            snippets = city._FrameSource.open(epath.Path(tmp)).snippets()
        self.assertEqual(snippets, self._snippets())

    def test_missing_zip_names_the_file_and_the_folder(self):
        with tempfile.TemporaryDirectory() as tmp:
            # An empty or missing manual directory: TFDS prints the download instructions.
            config = tfds.download.DownloadConfig(manual_dir=tmp)
            with pytest.raises(AssertionError, match=city.ZIP_NAME):
                self.builder.download_and_prepare(download_config=config)
            # A manual directory without the zip: the builder says what to put where.
            (epath.Path(tmp) / "notes.txt").write_text("not the zip")
            with pytest.raises(FileNotFoundError, match=f"{city.ZIP_NAME}.*{tmp}"):
                self.builder.download_and_prepare(download_config=config)
