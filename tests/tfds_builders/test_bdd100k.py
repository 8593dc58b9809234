import contextlib
import tempfile
import zipfile
from typing import ClassVar
from unittest import mock

import numpy as np
import pytest
import tensorflow_datasets as tfds
from etils import epath

from tfds_builders.bdd100k import bdd100k_dataset_builder as bdd

TRAIN_IDS = ["fa0e0001-0000a001", "fa0e0001-0000a002", "fa0e0002-0000b001"]
TRAIN_ZIP = "bdd100k_videos_train_00.zip"


@contextlib.contextmanager
def captured_logs(level="warning"):
    """The formatted absl messages of `level` the builder logs inside the block."""
    messages = []
    with mock.patch.object(bdd.logging, level) as log:
        yield messages
    messages.extend(call.args[0] % call.args[1:] for call in log.call_args_list)


class Bdd100kTest(tfds.testing.DatasetBuilderTestCase):
    """Builds both configs from fake "Video Parts": a train zip, an ignored test zip and
    extracted validation videos (see `dummy_data/make_dummy_data.py`)."""

    DATASET_CLASS = bdd.Builder
    # Train: the 40-frame video and the corrupt file are skipped.
    SPLITS: ClassVar[dict[str, int]] = {"train": 3, "validation": 2}

    def _examples(self, split="train", config="128x128", manual_dir=None):
        builder = bdd.Builder(data_dir=self.tmp_dir, config=config)
        sources = bdd.find_bdd100k_videos(epath.Path(manual_dir or self.dummy_data))
        return dict(builder._generate_examples(sources[split]))

    def test_configs_are_the_thesis_cascade_outputs(self):
        shapes = {
            name: bdd.Builder(data_dir=self.tmp_dir, config=name).info.features["video"].shape
            for name in ("256x256", "128x128")
        }
        self.assertEqual(shapes, {"256x256": (48, 256, 256, 3), "128x128": (24, 128, 128, 3)})
        configs = {config.name: config for config in bdd.Builder.BUILDER_CONFIGS}
        # Both span 96 frames of the 30 fps video (3.2 s).
        self.assertEqual(configs["256x256"].frame_stride, 2)
        self.assertEqual(configs["128x128"].frame_stride, 4)

    def test_skips_short_and_corrupt_videos(self):
        with captured_logs() as logs:
            examples = self._examples()
        self.assertEqual(sorted(examples), TRAIN_IDS)
        self.assertEqual(examples[TRAIN_IDS[0]]["id"], TRAIN_IDS[0])
        text = "\n".join(logs)
        self.assertRegex(text, r"fa0e0003-0000e001.mov: .* has 40 frames; .* needs 93")
        self.assertRegex(text, r"fa0e0004-0000e002.mov: ffmpeg cannot read")

    def test_frames_are_centre_cropped_and_subsampled(self):
        for config, size, frames, stride in (("128x128", 128, 24, 4), ("256x256", 256, 48, 2)):
            video = self._examples("validation", config)["fa0e0005-0000c001"]["video"]
            self.assertEqual(video.shape, (frames, size, size, 3))
            self.assertEqual(video.dtype, np.uint8)
            # The centre is (40, 2t, 200) within H.264 chroma smear; the pure red side borders
            # are cropped away (a border column left in the crop would show red > 200).
            self.assertLess(int(video[..., 0].max()), 90)
            self.assertGreater(int(video[..., 2].min()), 150)
            # Source frame t has green 2t; frame i of the clip is source frame stride * i.
            green = video[:, size // 2, size // 2, 1].astype(int)
            np.testing.assert_allclose(green, 2 * stride * np.arange(frames), atol=4)

    def test_extracted_parts_and_the_single_zip_work_too(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = epath.Path(tmp)
            # One folder per extracted part, as `unzip -d bdd100k_videos_train_00` writes it.
            with zipfile.ZipFile(epath.Path(self.dummy_data) / TRAIN_ZIP) as archive:
                archive.extractall(root / "bdd100k_videos_train_00")
            self.assertEqual(sorted(self._examples(manual_dir=root)), TRAIN_IDS)
        with tempfile.TemporaryDirectory() as tmp:
            root = epath.Path(tmp)
            # The single bdd100k_videos.zip holds every split.
            with zipfile.ZipFile(root / "bdd100k_videos.zip", "w") as single:
                with zipfile.ZipFile(epath.Path(self.dummy_data) / TRAIN_ZIP) as archive:
                    for name in archive.namelist():
                        single.writestr(name, archive.read(name))
                for path in (epath.Path(self.dummy_data) / "bdd100k/videos/val").iterdir():
                    single.writestr(f"bdd100k/videos/val/{path.name}", path.read_bytes())
            sources = bdd.find_bdd100k_videos(root)
            self.assertEqual(sorted(sources), ["train", "validation"])
            self.assertEqual(sorted(self._examples(manual_dir=root)), TRAIN_IDS)

    def test_damaged_zip_is_skipped_with_an_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = epath.Path(tmp)
            (root / TRAIN_ZIP).write_bytes((epath.Path(self.dummy_data) / TRAIN_ZIP).read_bytes())
            (root / "bdd100k_videos_train_01.zip").write_bytes(b"truncated download")
            with captured_logs("error") as logs:
                sources = bdd.find_bdd100k_videos(root)
        self.assertEqual([source.path.name for source in sources["train"]], [TRAIN_ZIP])
        self.assertIn("bdd100k_videos_train_01.zip: not a readable zip", logs[0])

    def test_missing_videos_name_what_is_expected(self):
        with tempfile.TemporaryDirectory() as tmp:
            config = tfds.download.DownloadConfig(manual_dir=tmp)
            # An empty manual directory: TFDS prints the download instructions.
            with pytest.raises(AssertionError, match="bdd100k_videos_train_00.zip"):
                self.builder.download_and_prepare(download_config=config)
            (epath.Path(tmp) / "bdd100k_images_100k.zip").write_text("not the videos")
            with pytest.raises(
                FileNotFoundError, match=r"holds \['bdd100k_images_100k.zip'\].*bdd100k_videos"
            ):
                self.builder.download_and_prepare(download_config=config)
