"""BDD100K driving videos (Yu et al., 2020) as fixed-length square clips (manual download)."""

import collections
import dataclasses
import re
import zipfile
from typing import ClassVar

import tensorflow_datasets as tfds
from absl import logging
from etils import epath

from keras_dynscene.data.video_files import UnreadableVideoError
from keras_dynscene.data.video_files import check_clip_sizes
from keras_dynscene.data.video_files import read_video_clip

# TFDS split -> folder of the release (`bdd100k/videos/<folder>/<video id>.mov`). The 20K test
# videos (`videos/test/`) are left out: the thesis trains on the 70K train videos.
SPLIT_FOLDERS = {"train": "train", "validation": "val"}
# The "Video Parts" (bdd100k_videos_train_00.zip ... _69, bdd100k_videos_val_00.zip ... _09,
# 1,000 videos each) and the single bdd100k_videos.zip (1.8 TB).
ZIP_GLOB = "bdd100k_videos*.zip"
# Extracted videos: `unzip` into the manual directory, or into one folder per part.
EXTRACTED_GLOBS = ("bdd100k/videos/{folder}", "videos/{folder}", "*/bdd100k/videos/{folder}")
_MEMBER_PATTERN = re.compile(r"(?:^|/)videos/(?P<folder>\w+)/(?P<id>[^/]+)\.mov$")


@dataclasses.dataclass(eq=False)
class Bdd100kConfig(tfds.core.BuilderConfig):
    """Size of the BDD100K clips.

    Args:
        image_size: side of the square frames (centre crop of the 1280x720 frames to 720x720,
            then resize).
        num_frames: frames per clip.
        frame_stride: temporal subsampling: one frame in `frame_stride` of the 30 fps video is
            kept, from its first frame.
    """

    image_size: int = 256
    num_frames: int = 48
    frame_stride: int = 2

    def __post_init__(self):
        check_clip_sizes(
            image_size=self.image_size, num_frames=self.num_frames, frame_stride=self.frame_stride
        )


class Builder(tfds.core.GeneratorBasedBuilder):
    """BDD100K: 40-second dash-cam videos (1280x720, 30 fps), one square clip per video.

    Each example holds the first `num_frames` frames of a video at temporal subsampling
    `frame_stride`, centre-cropped to a square and resized with an antialiased Lanczos filter,
    and the video's `id` (its file name without `.mov`). The configs are the final resolutions
    of the thesis' BDD100K cascades (sec. 6.5.4, 6.A.2): `256x256` is the 48/256x256 output of
    the three-level model (temporal subsampling 2, from which its 12/64x64 first level at
    subsampling 8 and 24/128x128 second level at 4 are derived); `128x128` is the 24/128x128
    output of the two-level model (subsampling 4). Videos that ffmpeg cannot decode or that are
    too short are logged and skipped.
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES: ClassVar[dict[str, str]] = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS: ClassVar[list[Bdd100kConfig]] = [
        Bdd100kConfig(
            name="256x256",
            description="48 frames at 256x256, one in two source frames (three-level CVG).",
            image_size=256,
            num_frames=48,
            frame_stride=2,
        ),
        Bdd100kConfig(
            name="128x128",
            description="24 frames at 128x128, one in four source frames (two-level CVG).",
            image_size=128,
            num_frames=24,
            frame_stride=4,
        ),
    ]
    DEFAULT_BUILDER_CONFIG_NAME = "256x256"
    MANUAL_DOWNLOAD_INSTRUCTIONS = """\
    Register at https://bdd-data.berkeley.edu (or use the mirror https://dl.cv.ethz.ch/bdd100k/),
    accept the BDD100K license and download the videos: either the "Video Parts"
    `bdd100k_videos_train_00.zip` ... `bdd100k_videos_train_69.zip` and
    `bdd100k_videos_val_00.zip` ... `bdd100k_videos_val_09.zip` (1,000 videos each), or the single
    `bdd100k_videos.zip` (1.8 TB). Place the zips, not extracted, in the manual directory
    (`tfds build --manual_dir DIR` or `tfds.download.DownloadConfig(manual_dir=DIR)`; by default
    `~/tensorflow_datasets/downloads/manual/`). The test parts are not needed. Extracted videos
    work too: `DIR/bdd100k/videos/{train,val}/*.mov` (`unzip` in DIR), or one folder per part,
    `DIR/bdd100k_videos_train_00/bdd100k/videos/train/*.mov`.
    """

    def _info(self) -> tfds.core.DatasetInfo:
        config = self.builder_config
        shape = (config.num_frames, config.image_size, config.image_size, 3)
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(
                {"video": tfds.features.Video(shape=shape), "id": tfds.features.Text()}
            ),
            supervised_keys=None,
            homepage="https://www.vis.xyz/bdd100k/",
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        sources = find_bdd100k_videos(dl_manager.manual_dir)
        return {split: self._generate_examples(videos) for split, videos in sources.items()}

    def _generate_examples(self, sources: list["VideoSource"]):
        config = self.builder_config
        counts = collections.Counter()
        seen = set()
        for name, video_id, video in iter_videos(sources):
            if video_id in seen:
                counts["duplicates"] += 1
                continue
            try:
                clip = read_video_clip(
                    video, config.num_frames, config.frame_stride, config.image_size, ".mov"
                )
            except UnreadableVideoError as error:
                logging.warning("Skipping %s: %s", name, error)
                counts["unreadable or too short"] += 1
                continue
            seen.add(video_id)
            yield video_id, {"video": clip, "id": video_id}
        logging.info("BDD100K: %d videos written; skipped: %s.", len(seen), dict(counts) or "none")


@dataclasses.dataclass
class VideoSource:
    """A zip and its `.mov` members of one split, or (`members=None`) an extracted `.mov`."""

    path: epath.Path
    members: list[str] | None = None


def find_bdd100k_videos(manual_dir: epath.Path) -> dict[str, list[VideoSource]]:
    """The zips (with their members) and extracted videos of each split.

    Raises:
        FileNotFoundError: if no train or validation video is found.
    """
    sources = collections.defaultdict(list)
    folders = {folder: split for split, folder in SPLIT_FOLDERS.items()}
    for path in sorted(manual_dir.glob(ZIP_GLOB)):
        try:
            with path.open("rb") as file, zipfile.ZipFile(file) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile as error:
            logging.error("Skipping %s: not a readable zip (%s).", path, error)
            continue
        members = collections.defaultdict(list)
        for name in sorted(names):
            match = _MEMBER_PATTERN.search(name)
            if match and match["folder"] in folders:
                members[folders[match["folder"]]].append(name)
        for split, split_members in members.items():
            sources[split].append(VideoSource(path, split_members))
    for folder, split in folders.items():
        for pattern in EXTRACTED_GLOBS:
            for directory in sorted(manual_dir.glob(pattern.format(folder=folder))):
                sources[split].extend(VideoSource(path) for path in sorted(directory.glob("*.mov")))
    if not sources:
        entries = sorted(path.name for path in manual_dir.iterdir()) if manual_dir.is_dir() else []
        raise FileNotFoundError(
            f"No BDD100K train or validation videos found in the manual directory {manual_dir} "
            f"(it holds {entries[:20]}). Expected `{ZIP_GLOB}` zips holding "
            "`bdd100k/videos/{train,val}/*.mov`, or extracted videos in "
            f"{[pattern.format(folder='{train,val}') for pattern in EXTRACTED_GLOBS]}. "
            f"Instructions:\n{Builder.MANUAL_DOWNLOAD_INSTRUCTIONS}"
        )
    for split in SPLIT_FOLDERS:
        if split not in sources:
            logging.warning("No BDD100K %s videos found in %s: split left out.", split, manual_dir)
    return dict(sources)


def iter_videos(sources: list[VideoSource]):
    """Yields `(name, video id, path or binary file)` for every video; each zip is opened once."""
    for source in sources:
        if source.members is None:
            yield str(source.path), source.path.stem, source.path
            continue
        with source.path.open("rb") as file, zipfile.ZipFile(file) as archive:
            for member in source.members:
                video_id = _MEMBER_PATTERN.search(member)["id"]
                with archive.open(member) as video:
                    yield f"{source.path}/{member}", video_id, video
