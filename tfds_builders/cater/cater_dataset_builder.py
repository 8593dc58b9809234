"""CATER snitch localization (Girdhar & Ramanan, 2020), static camera, for INFERNO (10.B.3)."""

import collections
import dataclasses
import re
import shutil
import tempfile
import zipfile
from typing import BinaryIO
from typing import ClassVar

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds
from absl import logging
from etils import epath
from PIL import Image

from keras_dynscene.data.video_files import UnreadableVideoError

VIDEOS_ZIP, VIDEOS_FOLDER = "videos.zip", "videos"
LISTS_ZIP, LISTS_FOLDER = "lists.zip", "lists"
TASK = "localize"
# TFDS split -> label file of `lists/localize/`. CATER has no test labels: every CATER paper
# (and the thesis, sec. 10.4.4) reports results on `val.txt`.
LIST_FILES = {"train": "train.txt", "test": "val.txt"}
GRID_SIZE = 6
NUM_CLASSES = GRID_SIZE * GRID_SIZE
HOMEPAGE = "https://rohitgirdhar.github.io/CATER/"
# Direct links of the release's `all_actions` (static camera) files, from the CATER repository.
DOWNLOAD_URLS = {
    VIDEOS_ZIP: "https://cmu.box.com/shared/static/97kztikj3zwcgv5zu2by6c1jhlvh1d7x.zip",
    LISTS_ZIP: "https://cmu.box.com/shared/static/jr2cc6zomqb01hmzvjztpuip3h0sz8vz.zip",
}
# e.g. lists/localize/train.txt (not lists/localize_4x4/ or lists/localize_8x8/).
_LIST_PATTERN = re.compile(rf"(?:^|/){TASK}/(?P<file>train|val)\.txt$")
_VIDEO_SUFFIX = ".avi"


@dataclasses.dataclass(eq=False)
class CaterConfig(tfds.core.BuilderConfig):
    """Resolution of the CATER videos.

    Args:
        image_size: side of the square frames (each whole 320x240 frame is resized).
    """

    image_size: int = 64

    def __post_init__(self):
        size = self.image_size
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"`image_size` must be a positive int. Received: image_size={size!r}")


class Builder(tfds.core.GeneratorBasedBuilder):
    """CATER snitch localization: where the snitch ends, one of 36 cells of a 6x6 grid.

    The static-camera `all_actions` release of CATER (5,500 videos of CLEVR-like objects that
    slide, rotate, fly and contain one another; the task 3 of the CATER paper): INFERNO's visual
    reasoning experiment (Castrejon's thesis, sec. 10.4.4 and appendix 10.B.3) uses these
    videos without camera motion, resized to 64x64 (config `64x64`). Each example holds every
    frame of a video, each whole frame resized with Pillow's antialiased Lanczos filter (not
    cropped, since the grid covers the whole table), the `label` of `lists/localize/` (the
    grid cell that holds the snitch at the end, `6 * (floor(y) + 3) + floor(x) + 3` for its
    final table-plane position `(x, y)` in [-3, 3)^2) and the video `id` (its file name
    without `.avi`). The splits are the release's: `train` from `train.txt`, `test` from
    `val.txt`. Videos listed but absent, or that ffmpeg cannot decode, are logged and skipped.
    The thesis' 40-frame training samples and 10 temporal test crops are taken in the input
    pipeline, from the full videos stored here.
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES: ClassVar[dict[str, str]] = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS: ClassVar[list[CaterConfig]] = [
        CaterConfig(
            name="64x64",
            description="All frames at 64x64, the resolution of the thesis (10.B.3).",
            image_size=64,
        ),
    ]
    DEFAULT_BUILDER_CONFIG_NAME = "64x64"
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    Download the `all_actions` (static camera) files of CATER
    (https://github.com/rohitgirdhar/CATER, `generate/README.md`; Box folder
    https://cmu.box.com/s/w1baekogh29fgu3zg7gr6k446xdalgf2), saving them under these names:

        wget -O DIR/{VIDEOS_ZIP} {DOWNLOAD_URLS[VIDEOS_ZIP]}
        wget -O DIR/{LISTS_ZIP} {DOWNLOAD_URLS[LISTS_ZIP]}

    and use DIR as the manual directory (`tfds build --manual_dir DIR` or
    `tfds.download.DownloadConfig(manual_dir=DIR)`; by default
    `~/tensorflow_datasets/downloads/manual/`). The zips are read without extracting them;
    extracted folders work too. Layout:

        DIR/{VIDEOS_ZIP}   (or DIR/{VIDEOS_FOLDER}/CATER_new_*.avi)
        DIR/{LISTS_ZIP}    (or DIR/{LISTS_FOLDER}/{TASK}/train.txt and val.txt)

    The label files hold one `<video file name> <class>` line per video, the class in
    [0, {NUM_CLASSES}). The `max2action` and camera-motion releases have the same layout: the
    builder reads whichever is placed in DIR, and the thesis uses `all_actions`.
    """

    def _info(self) -> tfds.core.DatasetInfo:
        size = self.builder_config.image_size
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(
                {
                    "video": tfds.features.Video(
                        shape=(None, size, size, 3), doc="Every frame of the video."
                    ),
                    "label": tfds.features.ClassLabel(
                        num_classes=NUM_CLASSES,
                        doc="Final snitch cell of the 6x6 grid on the table plane: "
                        "6 * (floor(y) + 3) + floor(x) + 3.",
                    ),
                    "id": tfds.features.Text(doc="Video file name without `.avi`."),
                }
            ),
            supervised_keys=("video", "label"),
            homepage=HOMEPAGE,
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        manual_dir = dl_manager.manual_dir
        labels = read_label_lists(manual_dir)
        videos = VideoSource.open(manual_dir)
        return {
            split: self._generate_examples(videos, split_labels)
            for split, split_labels in labels.items()
        }

    def _generate_examples(self, videos: "VideoSource", labels: dict[str, int]):
        size = self.builder_config.image_size
        skipped = collections.Counter()
        available = videos.names()
        for name, label in labels.items():
            video_id = name.removesuffix(_VIDEO_SUFFIX)
            if name not in available:
                logging.warning("Skipping %s: listed with a label but not found.", name)
                skipped["missing"] += 1
                continue
            try:
                with videos.open_video(name) as file:
                    video = read_video(file, size)
            except UnreadableVideoError as error:
                logging.warning("Skipping %s: %s", name, error)
                skipped["unreadable"] += 1
                continue
            yield video_id, {"video": video, "label": label, "id": video_id}
        logging.info(
            "CATER: %d of %d listed videos skipped: %s.",
            sum(skipped.values()),
            len(labels),
            dict(skipped) or "none",
        )


def parse_label_list(text: str, source: str) -> dict[str, int]:
    """`{video file name: class}` from a CATER `lists/localize/*.txt` file.

    Each non-empty line is `<video> <class>` (a space or a comma between them); `<video>` may
    be a path, of which the file name is kept.

    Raises:
        ValueError: naming `source` and the line, for a line without exactly one class in
            [0, 36) (e.g. a multi-label `actions_present` list).
    """
    labels = {}
    for number, line in enumerate(text.splitlines(), start=1):
        fields = [field for field in re.split(r"[\s,]+", line.strip()) if field]
        if not fields:
            continue
        if len(fields) != 2 or not fields[1].isdigit() or int(fields[1]) >= NUM_CLASSES:
            raise ValueError(
                f"{source}, line {number}: expected `<video>.avi <class>` with one class in "
                f"[0, {NUM_CLASSES}) (the `{TASK}` task's label files); received {line!r}."
            )
        labels[fields[0].replace("\\", "/").rsplit("/", 1)[-1]] = int(fields[1])
    return labels


def read_label_lists(manual_dir: epath.Path) -> dict[str, dict[str, int]]:
    """`{TFDS split: {video file name: class}}` from `lists.zip` or an extracted `lists/`.

    Raises:
        FileNotFoundError: naming the zip and the files expected, if no label file is found.
    """
    texts = {}
    zip_path = manual_dir / LISTS_ZIP
    if zip_path.is_file():
        with zipfile.ZipFile(tf.io.gfile.GFile(str(zip_path), "rb")) as archive:
            for member in sorted(archive.namelist()):
                match = _LIST_PATTERN.search(member)
                if match and match["file"] + ".txt" not in texts:
                    texts[match["file"] + ".txt"] = (
                        archive.read(member).decode(),
                        f"{zip_path}:{member}",
                    )
    else:
        for file in LIST_FILES.values():
            path = manual_dir / LISTS_FOLDER / TASK / file
            if path.is_file():
                texts[file] = (path.read_text(), str(path))
    if not texts:
        raise FileNotFoundError(
            f"No CATER label file found: expected {zip_path} holding `{LISTS_FOLDER}/{TASK}/"
            f"train.txt` and `val.txt`, or the extracted files "
            f"{manual_dir / LISTS_FOLDER / TASK}/{{train,val}}.txt. Download {LISTS_ZIP} from "
            f"{DOWNLOAD_URLS[LISTS_ZIP]} (`wget -O {zip_path} URL`)."
        )
    return {
        split: parse_label_list(*texts[file]) for split, file in LIST_FILES.items() if file in texts
    }


class VideoSource:
    """The CATER `.avi` files, read from `videos.zip` or from an extracted `videos/` folder."""

    def __init__(self, zip_file: zipfile.ZipFile | None, files: dict[str, str | epath.Path]):
        self._zip, self._files = zip_file, files  # {file name: zip member or path}

    @classmethod
    def open(cls, manual_dir: epath.Path) -> "VideoSource":
        """The videos of `manual_dir`: `videos.zip`, else a `videos/` folder.

        Raises:
            FileNotFoundError: naming the zip and the folder expected, if neither is there.
        """
        zip_path = manual_dir / VIDEOS_ZIP
        if zip_path.is_file():
            archive = zipfile.ZipFile(tf.io.gfile.GFile(str(zip_path), "rb"))
            members = [name for name in archive.namelist() if name.endswith(_VIDEO_SUFFIX)]
            return cls(archive, {name.rsplit("/", 1)[-1]: name for name in members})
        folder = manual_dir / VIDEOS_FOLDER
        if folder.is_dir():
            return cls(None, {path.name: path for path in folder.glob(f"*{_VIDEO_SUFFIX}")})
        raise FileNotFoundError(
            f"Neither `{VIDEOS_ZIP}` nor an extracted `{VIDEOS_FOLDER}/` folder was found: "
            f"expected {zip_path} or {folder}/CATER_new_*.avi. Download {VIDEOS_ZIP} from "
            f"{DOWNLOAD_URLS[VIDEOS_ZIP]} (`wget -O {zip_path} URL`)."
        )

    def names(self) -> set[str]:
        return set(self._files)

    def open_video(self, name: str) -> BinaryIO:
        """The binary file of video `name` (a file name of `names()`)."""
        if self._zip is not None:
            return self._zip.open(self._files[name])
        return self._files[name].open("rb")


def read_video(file: BinaryIO, size: int) -> np.ndarray:
    """Decodes every frame of a video file and resizes each whole frame to `size` x `size`.

    ffmpeg (bundled with `imageio-ffmpeg`, as for the library's other video builders) reads a
    temporary copy of the file; each frame is resized with Pillow's antialiased Lanczos filter,
    stretched rather than cropped (CATER's 320x240 frames become square).

    Returns:
        A uint8 array `[frames, size, size, 3]`.

    Raises:
        UnreadableVideoError: if ffmpeg cannot decode the file or finds no frame.
    """
    import imageio.v2 as imageio

    with tempfile.NamedTemporaryFile(suffix=_VIDEO_SUFFIX) as copy:
        shutil.copyfileobj(file, copy)
        copy.flush()
        frames = []
        try:
            reader = imageio.get_reader(copy.name, format="FFMPEG")
        except Exception as error:  # imageio raises OSError, RuntimeError, ... on broken files.
            raise UnreadableVideoError(
                f"ffmpeg cannot read the video: {_first_line(error)}"
            ) from error
        try:
            for frame in reader:
                image = Image.fromarray(np.asarray(frame[..., :3], dtype=np.uint8))
                frames.append(image.resize((size, size), Image.Resampling.LANCZOS))
        except Exception as error:
            raise UnreadableVideoError(
                f"ffmpeg failed after {len(frames)} frames: {_first_line(error)}"
            ) from error
        finally:
            reader.close()
    if not frames:
        raise UnreadableVideoError("ffmpeg found no frame in the video.")
    return np.stack([np.asarray(frame, dtype=np.uint8) for frame in frames])


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
