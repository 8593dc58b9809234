import contextlib
import io
import tempfile
import zipfile
from typing import ClassVar
from unittest import mock

import numpy as np
import pytest
import tensorflow_datasets as tfds
from etils import epath

from tfds_builders.cater import cater_dataset_builder as cater


@contextlib.contextmanager
def captured_warnings():
    """The formatted absl warnings the builder logs inside the block."""
    messages = []
    with mock.patch.object(cater.logging, "warning") as log:
        yield messages
    messages.extend(call.args[0] % call.args[1:] for call in log.call_args_list)


class CaterTest(tfds.testing.DatasetBuilderTestCase):
    """Builds from fake `videos.zip` (tiny 32x24 AVIs) and `lists.zip` (the release layout)."""

    DATASET_CLASS = cater.Builder
    # Train lists 5 videos: one is absent from videos.zip and one is corrupt, both skipped.
    SPLITS: ClassVar[dict[str, int]] = {"train": 3, "test": 2}

    def _examples(self, manual_dir=None, split="train"):
        manual_dir = epath.Path(manual_dir or self.dummy_data)
        labels = cater.read_label_lists(manual_dir)[split]
        videos = cater.VideoSource.open(manual_dir)
        builder = cater.Builder(data_dir=self.tmp_dir)
        return dict(builder._generate_examples(videos, labels))

    def test_features_of_the_thesis(self):
        info = self.builder.info
        self.assertEqual(info.features["video"].shape, (None, 64, 64, 3))
        self.assertEqual(info.features["label"].num_classes, 36)
        self.assertEqual(info.supervised_keys, ("video", "label"))

    def test_label_lists_are_the_localize_task(self):
        labels = cater.read_label_lists(epath.Path(self.dummy_data))
        self.assertEqual(sorted(labels), ["test", "train"])
        # lists/localize/, not lists/localize_4x4/ (labels mod 16) or lists/actions_present/.
        self.assertEqual(
            labels["train"],
            {f"CATER_new_{n:06d}.avi": label for n, label in enumerate([0, 35, 17, 4, 9])},
        )
        self.assertEqual(labels["test"], {"CATER_new_000005.avi": 21, "CATER_new_000006.avi": 8})

    def test_label_parsing(self):
        text = (
            "CATER_new_000001.avi 0\n"
            "\n"
            "/scratch/all_actions/videos/CATER_new_000002.avi 35\n"  # A full path.
            "CATER_new_000003.avi, 7\n"  # `video_id, class` as the CATER README writes it.
        )
        self.assertEqual(
            cater.parse_label_list(text, "train.txt"),
            {"CATER_new_000001.avi": 0, "CATER_new_000002.avi": 35, "CATER_new_000003.avi": 7},
        )
        for line in ("CATER_new_000001.avi 36", "CATER_new_000001.avi 1,4,7", "CATER_new_1.avi"):
            with pytest.raises(ValueError, match=r"val.txt, line 2: expected .* \[0, 36\)"):
                cater.parse_label_list(f"CATER_new_000000.avi 3\n{line}\n", "val.txt")

    def test_skips_missing_and_corrupt_videos(self):
        with captured_warnings() as logs:
            examples = self._examples()
        self.assertEqual(sorted(examples), [f"CATER_new_{n:06d}" for n in range(3)])
        text = "\n".join(logs)
        self.assertIn("Skipping CATER_new_000003.avi: listed with a label but not found", text)
        self.assertIn("Skipping CATER_new_000004.avi: ffmpeg cannot read", text)
        self.assertEqual(examples["CATER_new_000001"]["label"], 35)
        self.assertEqual(examples["CATER_new_000001"]["id"], "CATER_new_000001")

    def test_every_frame_is_kept_and_stretched_to_64x64(self):
        examples = self._examples()
        for video_id, num_frames in (("CATER_new_000000", 12), ("CATER_new_000001", 9)):
            video = examples[video_id]["video"]
            self.assertEqual((video.shape, video.dtype), ((num_frames, 64, 64, 3), np.uint8))
            # The source's 4 red and 4 blue edge columns of 32 become 8 of 64: not cropped.
            left, right = video[:, 8:56, 2].astype(int), video[:, 8:56, -3].astype(int)
            self.assertGreater(left[..., 0].min(), 150)
            self.assertLess(left[..., 1:].max(), 90)
            self.assertGreater(right[..., 2].min(), 150)
            self.assertLess(right[..., :2].max(), 90)
            # Frame t has green 40 + 15 t: all frames, in order.
            green = video[:, 32, 32, 1].astype(int)
            np.testing.assert_allclose(green, 40 + 15 * np.arange(num_frames), atol=6)

    def test_extracted_folders_give_the_same_examples(self):
        with tempfile.TemporaryDirectory() as tmp:
            for name in (cater.VIDEOS_ZIP, cater.LISTS_ZIP):
                with zipfile.ZipFile(epath.Path(self.dummy_data) / name) as archive:
                    archive.extractall(tmp)
            extracted = self._examples(tmp, split="test")
        expected = self._examples(split="test")
        self.assertEqual(sorted(extracted), ["CATER_new_000005", "CATER_new_000006"])
        for key, example in expected.items():
            np.testing.assert_array_equal(extracted[key]["video"], example["video"])
            self.assertEqual(extracted[key]["label"], example["label"])

    def test_missing_files_name_what_is_expected(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = epath.Path(tmp)
            config = tfds.download.DownloadConfig(manual_dir=tmp)
            # An empty manual directory: TFDS prints the download instructions.
            with pytest.raises(AssertionError, match=cater.VIDEOS_ZIP):
                self.builder.download_and_prepare(download_config=config)
            (root / "scenes.zip").write_text("not the lists")
            with pytest.raises(FileNotFoundError, match=rf"expected {tmp}/lists.zip holding"):
                self.builder.download_and_prepare(download_config=config)
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                archive.writestr("lists/localize/val.txt", "CATER_new_000005.avi 21\n")
            (root / cater.LISTS_ZIP).write_bytes(buffer.getvalue())
            expected = rf"`videos.zip` nor .* expected {tmp}/videos.zip or {tmp}/videos/"
            with pytest.raises(FileNotFoundError, match=expected):
                self.builder.download_and_prepare(download_config=config)
            # Only val.txt: only the test split.
            self.assertEqual(list(cater.read_label_lists(root)), ["test"])
