import contextlib
import gzip
import shutil
import tempfile
from typing import ClassVar
from unittest import mock

import numpy as np
import pytest
import tensorflow_datasets as tfds
from etils import epath

from tfds_builders.kinetics600 import kinetics600_dataset_builder as kinetics


@contextlib.contextmanager
def captured_logs(level="warning"):
    """The formatted absl messages of `level` the builder logs inside the block."""
    messages = []
    with mock.patch.object(kinetics.logging, level) as log:
        yield messages
    messages.extend(call.args[0] % call.args[1:] for call in log.call_args_list)


# The good clips of `dummy_data/` (see its make_dummy_data.py).
TRAIN_IDS = ["fake-clip03_000095_000105", "fakeclip001_000010_000020", "fakeclip002_000000_000010"]


class Kinetics600Test(tfds.testing.DatasetBuilderTestCase):
    """Builds both configs from fake CVDF-layout clips: tar.gz archives (train, test), extracted
    class folders (validation) and the annotation CSVs."""

    DATASET_CLASS = kinetics.Builder
    # Train: the 40-frame clip, the corrupt file and the clip missing from train.csv are skipped.
    SPLITS: ClassVar[dict[str, int]] = {"train": 3, "validation": 2, "test": 2}

    def _train_examples(self, config="64x64"):
        builder = kinetics.Builder(data_dir=self.tmp_dir, config=config)
        files = kinetics.find_kinetics_files(epath.Path(self.dummy_data))
        return dict(builder._generate_examples(files.annotations["train"], files.videos["train"]))

    def test_features_match_the_cvg_kinetics_preset(self):
        from keras_dynscene.models.cvg.cvg_presets import CVG_PRESETS

        preset = CVG_PRESETS["cvg_kinetics_128"]
        info = kinetics.Builder(data_dir=self.tmp_dir, config="128x128").info
        shape = (preset["num_frames"], preset["image_size"], preset["image_size"], 3)
        self.assertEqual(info.features["video"].shape, shape)
        self.assertEqual(info.features["label"].num_classes, preset["num_classes"])
        small = kinetics.Builder(data_dir=self.tmp_dir, config="64x64").info
        self.assertEqual(small.features["video"].shape, (48, 64, 64, 3))
        self.assertEqual(info.supervised_keys, ("video", "label"))

    def test_labels_file_holds_the_600_classes(self):
        names = kinetics.LABELS_FILE.read_text().splitlines()
        self.assertLen(set(names), 600)
        self.assertEqual(names, sorted(names))
        # The classes of the thesis' per-category analysis (table 6.5).
        for name in ("bungee jumping", "capoeira", "doing nails", "cooking egg", "yawning"):
            self.assertIn(name, names)

    def test_skips_short_corrupt_and_unlisted_clips(self):
        with captured_logs() as logs:
            examples = self._train_examples()
        self.assertEqual(sorted(examples), TRAIN_IDS)
        text = "\n".join(logs)
        self.assertRegex(text, r"fakeshort01\S*: .* has 40 frames; .* needs 95")
        self.assertRegex(text, r"fakecorrupt\S*: ffmpeg cannot read")
        self.assertRegex(text, r"fakeunlist1\S*: not listed in .*train.csv")
        self.assertEqual(examples[TRAIN_IDS[0]]["label"], "passing American football (in game)")

    def test_frames_are_centre_cropped_and_subsampled(self):
        for config, size in (("64x64", 64), ("128x128", 128)):
            examples = self._train_examples(config)
            # fakeclip001 is landscape (red left/right borders), fakeclip002 portrait
            # (red top/bottom borders): the centre crop removes both.
            for clip_id in ("fakeclip001_000010_000020", "fakeclip002_000000_000010"):
                video = examples[clip_id]["video"]
                self.assertEqual(video.shape, (48, size, size, 3))
                self.assertEqual(video.dtype, np.uint8)
                # Centre (40, 2t, 200) within H.264 chroma smear; a border row left in the
                # crop would show red > 200.
                self.assertLess(int(video[..., 0].max()), 90)
                self.assertGreater(int(video[..., 2].min()), 150)
                # Source frame t has green 2t; frame i of the clip is source frame 2i.
                green = video[:, size // 2, size // 2, 1].astype(int)
                np.testing.assert_allclose(green, 4 * np.arange(48), atol=4)

    def test_damaged_archive_keeps_the_clips_before_the_damage(self):
        archive = epath.Path(self.dummy_data) / "k600_targz" / "train" / "part_0.tar.gz"
        data = gzip.decompress(archive.read_bytes())
        with tempfile.TemporaryDirectory() as tmp:
            damaged = epath.Path(tmp) / "part_0.tar.gz"
            damaged.write_bytes(gzip.compress(data[: len(data) // 2]))
            with captured_logs("error") as logs:
                names = [name for name, clip in kinetics.iter_clips([damaged])]
        self.assertNotEmpty(names)
        self.assertLess(len(names), 6)
        self.assertIn("damaged archive", logs[0])

    def test_extracted_archives_give_the_same_examples(self):
        import tarfile

        with tempfile.TemporaryDirectory() as tmp:
            root = epath.Path(tmp)
            dummy = epath.Path(self.dummy_data)
            shutil.copytree(dummy / "k600" / "annotations", root / "annotations")
            with tarfile.open(dummy / "k600_targz" / "train" / "part_0.tar.gz") as tar:
                tar.extractall(root, filter="data")  # A flat layout: root/train/*.mp4.
            files = kinetics.find_kinetics_files(root)
            self.assertEqual(list(files.annotations), ["train"])
            builder = kinetics.Builder(data_dir=self.tmp_dir, config="64x64")
            examples = dict(
                builder._generate_examples(files.annotations["train"], files.videos["train"])
            )
        self.assertEqual(sorted(examples), TRAIN_IDS)

    def test_missing_files_name_what_is_expected(self):
        with tempfile.TemporaryDirectory() as tmp:
            config = tfds.download.DownloadConfig(manual_dir=tmp)
            # An empty manual directory: TFDS prints the download instructions.
            with pytest.raises(AssertionError, match="k600_downloader.sh"):
                self.builder.download_and_prepare(download_config=config)
            (epath.Path(tmp) / "kinetics600.tar.gz").write_text("not the clips")
            expected = r"holds \['kinetics600.tar.gz'\].*train.csv"
            with pytest.raises(FileNotFoundError, match=expected):
                self.builder.download_and_prepare(download_config=config)

    def test_bad_annotation_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = epath.Path(tmp) / "train.csv"
            path.write_text("youtube_id,start,end\nfakeclip001,10,20\n")
            with pytest.raises(ValueError, match=r"lacks the columns \['label', 'time_start'"):
                kinetics.read_annotations(path)
            path.write_text("label,youtube_id,time_start,time_end,split\nflossing,abc,1,11,train\n")
            with pytest.raises(ValueError, match=r"not Kinetics-600 classes: \['flossing'\]"):
                kinetics.read_annotations(path)

    def test_unlabelled_test_csv_leaves_the_split_out(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = epath.Path(tmp)
            shutil.copytree(epath.Path(self.dummy_data), root, dirs_exist_ok=True)
            (root / "k600/annotations/test.csv").write_text(
                "youtube_id,time_start,time_end,split\nfaketest001,0,10,test\n"
            )
            with captured_logs() as logs:
                files = kinetics.find_kinetics_files(root)
        self.assertEqual(sorted(files.annotations), ["train", "validation"])
        self.assertIn("has no `label` column", logs[0])
