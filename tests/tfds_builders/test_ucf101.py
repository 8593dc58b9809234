"""TFDS's own `ucf101` builder, built offline from fake archives in the real layout."""

import io
import os
import pathlib
import shutil
import subprocess
import tempfile
import zipfile
from typing import ClassVar

import imageio.v2 as imageio
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from tensorflow_datasets.video import ucf101

from keras_dynscene.data.ucf101_archives import ensure_ffmpeg_on_path
from keras_dynscene.data.ucf101_archives import stage_ucf101_archives
from keras_dynscene.data.ucf101_archives import ucf101_urls
from keras_dynscene.data.video_dataset import load_video_dataset
from keras_dynscene.data.video_dataset import training_batches

# Split 1 of the fake lists: (class, group, clip), class names of TFDS's ucf101_labels.txt.
TRAIN = [("Archery", 8, 1), ("Nunchucks", 8, 1), ("Nunchucks", 9, 2)]
TEST = [("Archery", 1, 1), ("Nunchucks", 1, 1)]
NUM_FRAMES = 20  # More than the 16 frames of the thesis' UCF101 model.


def _avi(num_frames: int, red: int, scratch: pathlib.Path) -> bytes:
    """A 32x24 MPEG-4 part 2 .avi (UCF101's are 320x240 xvid); frame t has green 10 t."""
    path = scratch / "clip.avi"
    writer = imageio.get_writer(
        path,
        format="FFMPEG",
        fps=25,
        codec="mpeg4",
        macro_block_size=8,
        ffmpeg_params=["-q:v", "2"],
        ffmpeg_log_level="error",
    )
    for t in range(num_frames):
        frame = np.full((24, 32, 3), red, dtype=np.uint8)  # A distinct red per clip.
        frame[..., 1] = 10 * t
        writer.append_data(frame)
    writer.close()
    return path.read_bytes()


def _name(label, group, clip):
    return f"v_{label}_g{group:02d}_c{clip:02d}.avi"


def write_fake_ucf101(root: pathlib.Path, zipped: bool) -> dict[str, pathlib.Path]:
    """The two UCF101 downloads: zips, or (`zipped=False`) folders `videos/`, `splits/` laid out
    as TFDS extracts them (`videos/UCF101/*.avi`, `splits/ucfTrainTestlist/*.txt`)."""
    root.mkdir(parents=True, exist_ok=True)
    # The real lists: "Class/v_Class_gGG_cCC.avi N" (train, with the 1-based class) and
    # "Class/v_Class_gGG_cCC.avi" (test), CRLF line ends.
    classes = {"Archery": 3, "Nunchucks": 56}
    train = "".join(f"{c}/{_name(c, g, k)} {classes[c]}\r\n" for c, g, k in TRAIN)
    test = "".join(f"{c}/{_name(c, g, k)}\r\n" for c, g, k in TEST)
    videos = {
        f"UCF101/{_name(*clip)}": _avi(NUM_FRAMES, 40 * index, root)
        for index, clip in enumerate(TRAIN + TEST)
    }
    lists = {
        "ucfTrainTestlist/classInd.txt": "".join(f"{i} {c}\r\n" for c, i in classes.items()),
        "ucfTrainTestlist/trainlist01.txt": train,
        "ucfTrainTestlist/testlist01.txt": test,
    }
    paths = {}
    for key, files, zip_name in (
        ("videos", videos, "UCF101_videos.zip"),
        ("splits", lists, "UCF101TrainTestSplits-RecognitionTask.zip"),
    ):
        if zipped:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                for name, data in files.items():
                    archive.writestr(name, data)
            paths[key] = root / zip_name
            paths[key].write_bytes(buffer.getvalue())
        else:
            for name, data in files.items():
                path = root / key / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data if isinstance(data, bytes) else data.encode())
            paths[key] = root / key
    (root / "clip.avi").unlink()
    return paths


class Ucf101Test(tfds.testing.DatasetBuilderTestCase):
    """TFDS's builder on fake extracted downloads (the download itself is mocked here; the
    offline staging test below runs the real download manager)."""

    DATASET_CLASS = ucf101.Ucf101
    BUILDER_CONFIG_NAMES_TO_TEST: ClassVar[list[str]] = ["ucf101_1_256"]
    SPLITS: ClassVar[dict[str, int]] = {"train": 3, "test": 2}
    DL_EXTRACT_RESULT: ClassVar[dict[str, str]] = {"videos": "videos", "splits": "splits"}
    # Written per run (the folder must exist when the class is defined: TFDS memoizes it).
    EXAMPLE_DIR = tempfile.mkdtemp(prefix="ucf101_dummy_data_")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        write_fake_ucf101(pathlib.Path(cls.EXAMPLE_DIR), zipped=False)
        cls._path = os.environ["PATH"]
        ensure_ffmpeg_on_path()

    @classmethod
    def tearDownClass(cls):
        os.environ["PATH"] = cls._path
        shutil.rmtree(cls.EXAMPLE_DIR, ignore_errors=True)
        super().tearDownClass()


@pytest.fixture
def ffmpeg_path(monkeypatch):
    monkeypatch.setenv("PATH", os.environ["PATH"])  # Restored after the test.
    return ensure_ffmpeg_on_path()


def test_ucf101_builds_offline_from_staged_archives(tmp_path, ffmpeg_path):
    archives = write_fake_ucf101(tmp_path / "copied_over", zipped=True)
    data_dir = tmp_path / "tensorflow_datasets"
    staged = stage_ucf101_archives(
        archives["videos"],
        archives["splits"],
        download_dir=data_dir / "downloads",
        verify_checksums=False,  # Fake archives; real ones are checked against TFDS' checksums.
    )
    assert all(
        path.is_symlink() and path.with_suffix(path.suffix + ".INFO").is_file()
        for path in staged.values()
    )
    # The real DownloadManager: a download attempt would fail here (no network).
    dataset = load_video_dataset("ucf101/ucf101_1_256", "train", str(data_dir))
    assert dataset.element_spec["video"].shape.as_list() == [None, 256, 256, 3]
    examples = list(dataset.as_numpy_iterator())
    assert len(examples) == 3
    assert examples[0]["video"].shape == (NUM_FRAMES, 256, 256, 3)
    names = tfds.builder("ucf101/ucf101_1_256", data_dir=str(data_dir)).info.features["label"]
    assert sorted(names.int2str(e["label"]) for e in examples) == ["Archery", "Nunchucks"] + [
        "Nunchucks"
    ]
    # The CVG input: 16-frame 128x128 windows with their label (thesis 6.5.3).
    batch = next(
        iter(training_batches(dataset, 16, 2, seed=0, keep_keys=("label",), frame_size=128))
    )
    assert batch["video"].shape == (2, 16, 128, 128, 3)
    assert batch["video"].dtype == tf.uint8
    assert batch["label"].shape == (2,)
    # Consecutive frames: green rises by 10 per frame (JPEG / MPEG-4 noise aside).
    steps = np.diff(batch["video"].numpy()[0, :, 64, 64, 1].astype(int))
    np.testing.assert_allclose(steps, 10, atol=4)


def test_staging_checks_the_registered_size_and_checksum(tmp_path):
    archives = write_fake_ucf101(tmp_path / "copied_over", zipped=True)
    expected = r"UCF101_videos.zip has [\d,]+ bytes; .* has 6,960,400,115"
    with pytest.raises(ValueError, match=expected):
        stage_ucf101_archives(archives["videos"], archives["splits"], tmp_path / "downloads")
    with pytest.raises(FileNotFoundError, match="Download .*UCF101TrainTestSplits"):
        stage_ucf101_archives(
            archives["videos"],
            tmp_path / "missing.zip",
            tmp_path / "downloads",
            verify_checksums=False,
        )


def test_urls_are_the_ones_tfds_downloads():
    urls = ucf101_urls()
    assert urls["videos"].endswith("/UCF101_videos.zip")
    assert set(tfds.builder_cls("ucf101").url_infos) == set(urls.values())


def test_ensure_ffmpeg_on_path_links_the_bundled_binary(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # No ffmpeg anywhere on PATH.
    path = ensure_ffmpeg_on_path()
    assert shutil.which("ffmpeg") == path
    version = subprocess.run([path, "-version"], capture_output=True, check=True).stdout
    assert version.startswith(b"ffmpeg version")
