"""Kinetics-600 (Carreira et al., 2018) as fixed-length square clips with their action class."""

import collections
import csv
import dataclasses
import io
import re
import tarfile
import zlib
from typing import ClassVar

import tensorflow_datasets as tfds
from absl import logging
from etils import epath

from keras_dynscene.data.video_files import UnreadableVideoError
from keras_dynscene.data.video_files import check_clip_sizes
from keras_dynscene.data.video_files import read_video_clip

LABELS_FILE = epath.Path(__file__).parent / "labels.txt"
NUM_CLASSES = 600
# TFDS split -> annotation file names (DeepMind's `kinetics600.tar.gz` and CVDF's downloader).
ANNOTATION_FILES = {
    "train": ("train.csv", "train.txt"),
    "validation": ("validate.csv", "val.csv", "validation.csv", "val.txt"),
    "test": ("test.csv", "test.txt"),
}
# TFDS split -> folders of clips (`.mp4`, any depth) and/or archives of clips (`.tar.gz`).
VIDEO_FOLDERS = {
    "train": ("train",),
    "validation": ("val", "validate", "validation"),
    "test": ("test",),
}
# Searched for the folders and files above: the manual directory itself and the folders the CVDF
# scripts write (`k600_downloader.sh`: k600_targz/<split>/*.tar.gz and k600/annotations/;
# `k600_extractor.sh`: k600/<split>/).
SEARCH_ROOTS = ("", "k600", "k600_targz")
ANNOTATION_COLUMNS = ("label", "youtube_id", "time_start", "time_end")
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")
# CVDF clip names: `<11-character YouTube id>_<start second>_<end second>.mp4`.
_CLIP_PATTERN = re.compile(r"^(?P<youtube_id>[\w-]{11})_(?P<start>\d+)_(?P<end>\d+)\.mp4$")


@dataclasses.dataclass(eq=False)
class Kinetics600Config(tfds.core.BuilderConfig):
    """Size of the Kinetics-600 clips.

    Args:
        image_size: side of the square frames (centre crop of the shorter side, then resize).
        num_frames: frames per clip.
        frame_stride: temporal subsampling: one frame in `frame_stride` of the source video is
            kept, from its first frame. Clips shorter than `(num_frames - 1) * frame_stride + 1`
            frames are skipped.
    """

    image_size: int = 128
    num_frames: int = 48
    frame_stride: int = 2

    def __post_init__(self):
        check_clip_sizes(
            image_size=self.image_size, num_frames=self.num_frames, frame_stride=self.frame_stride
        )


class Builder(tfds.core.GeneratorBasedBuilder):
    """Kinetics-600: 10-second YouTube clips of 600 human actions, as square fixed-length clips.

    Each example holds the first `num_frames` frames of a clip at temporal subsampling
    `frame_stride` (48 frames, one in two, as the CVG experiments of Castrejon's thesis, sec.
    6.5.2: the 48/128x128 data from which the cascade's 24/32x32 first level is derived), every
    frame centre-cropped to a square and resized with an antialiased Lanczos filter. Also its
    `label` (the 600 class names of `labels.txt`, in the release's alphabetical order) and `id`
    (`<youtube_id>_<start>_<end>`, the clip's file name). Clips that ffmpeg cannot decode or that
    are too short are logged and skipped; so are clips missing from a split's annotation file.
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES: ClassVar[dict[str, str]] = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS: ClassVar[list[Kinetics600Config]] = [
        Kinetics600Config(
            name="128x128",
            description="48 frames at 128x128, one in two source frames (thesis 6.5.2).",
            image_size=128,
        ),
        Kinetics600Config(
            name="64x64",
            description=(
                "48 frames at 64x64, one in two source frames: the same clips at a quarter of "
                "the pixels, for smaller models."
            ),
            image_size=64,
        ),
    ]
    DEFAULT_BUILDER_CONFIG_NAME = "128x128"
    MANUAL_DOWNLOAD_INSTRUCTIONS = """\
    Download the Kinetics-600 clips and annotations released by the CVDF
    (https://github.com/cvdfoundation/kinetics-dataset): its `k600_downloader.sh` writes
    `k600_targz/{train,val,test}/*.tar.gz` (archives of `<youtube_id>_<start>_<end>.mp4` clips)
    and `k600/annotations/` (the annotation CSVs). Use the folder holding `k600_targz/` and
    `k600/` as the manual directory (`tfds build --manual_dir DIR` or
    `tfds.download.DownloadConfig(manual_dir=DIR)`; by default
    `~/tensorflow_datasets/downloads/manual/`). The archives are read without extracting them;
    clips extracted by `k600_extractor.sh` into `k600/{train,val,test}/` (class subfolders are
    fine) work too. Layout:

        DIR/k600_targz/train/*.tar.gz       DIR/k600/annotations/train.csv (or train.txt)
        DIR/k600_targz/val/*.tar.gz         DIR/k600/annotations/validate.csv (or val.csv,
        DIR/k600_targz/test/*.tar.gz            val.txt)
        DIR/k600/{train,val,test}/**.mp4    DIR/k600/annotations/test.csv

    A flat layout works as well: `DIR/{train,val,test}/` with the CSVs in `DIR/` or
    `DIR/annotations/`. The annotation files are CSVs with the header
    `label,youtube_id,time_start,time_end,split` (DeepMind's `kinetics600.tar.gz` holds the same
    `train.csv`, `validate.csv`, `test.csv`). A split is built when both its CSV (with labels)
    and its clips are found.
    """

    def _info(self) -> tfds.core.DatasetInfo:
        config = self.builder_config
        shape = (config.num_frames, config.image_size, config.image_size, 3)
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(
                {
                    "video": tfds.features.Video(shape=shape),
                    "label": tfds.features.ClassLabel(names_file=LABELS_FILE),
                    "id": tfds.features.Text(),
                }
            ),
            supervised_keys=("video", "label"),
            homepage="https://github.com/cvdfoundation/kinetics-dataset",
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        files = find_kinetics_files(dl_manager.manual_dir)
        return {
            split: self._generate_examples(annotations, files.videos[split])
            for split, annotations in files.annotations.items()
        }

    def _generate_examples(self, annotations: epath.Path, sources: list[epath.Path]):
        config = self.builder_config
        labels = read_annotations(annotations)
        counts = collections.Counter()
        seen = set()
        for name, clip in iter_clips(sources):
            match = _CLIP_PATTERN.match(name.rsplit("/", 1)[-1])
            if not match:
                logging.warning(
                    "Skipping %s: not a `<youtube_id>_<start>_<end>.mp4` clip name.", name
                )
                counts["badly named"] += 1
                continue
            clip_id = _clip_id(match["youtube_id"], match["start"], match["end"])
            if clip_id in seen:
                counts["duplicates"] += 1
                continue
            if clip_id not in labels:
                logging.warning("Skipping %s: not listed in %s.", name, annotations)
                counts["not in the annotations"] += 1
                continue
            try:
                video = read_video_clip(
                    clip, config.num_frames, config.frame_stride, config.image_size
                )
            except UnreadableVideoError as error:
                logging.warning("Skipping %s: %s", name, error)
                counts["unreadable or too short"] += 1
                continue
            seen.add(clip_id)
            yield clip_id, {"video": video, "label": labels[clip_id], "id": clip_id}
        logging.info(
            "Kinetics-600 %s: %d clips written, %d of %d annotated clips not found; skipped: %s.",
            annotations.name,
            len(seen),
            len(labels) - len(seen),
            len(labels),
            dict(counts) or "none",
        )


@dataclasses.dataclass
class KineticsFiles:
    """The annotation file and the clip sources (folders' `.mp4` files, archives) per split."""

    annotations: dict[str, epath.Path]
    videos: dict[str, list[epath.Path]]


def find_kinetics_files(manual_dir: epath.Path) -> KineticsFiles:
    """Finds each split's annotation CSV and clips in the manual directory (see the layout in
    `Builder.MANUAL_DOWNLOAD_INSTRUCTIONS`).

    Raises:
        FileNotFoundError: if no split has both an annotation file and clips.
    """
    roots = [manual_dir / root if root else manual_dir for root in SEARCH_ROOTS]
    annotations, videos = {}, {}
    for split in ANNOTATION_FILES:
        found = [
            folder / name
            for root in roots
            for folder in (root, root / "annotations")
            for name in ANNOTATION_FILES[split]
            if (folder / name).is_file()
        ]
        sources = sorted(
            path
            for root in roots
            for folder in VIDEO_FOLDERS[split]
            if (root / folder).is_dir()
            for path in _files_below(root / folder)
            if path.name.endswith((".mp4", *ARCHIVE_SUFFIXES))
        )
        if found and sources:
            if "label" not in _header(found[0]):
                logging.warning(
                    "Leaving out the %s split: %s has no `label` column.", split, found[0]
                )
                continue
            annotations[split], videos[split] = found[0], sources
        elif found or sources:
            logging.warning(
                "Leaving out the %s split: found %s but no %s.",
                split,
                found[0] if found else f"{len(sources)} clip files/archives",
                "clips" if found else f"annotation file ({', '.join(ANNOTATION_FILES[split])})",
            )
    if not annotations:
        entries = sorted(path.name for path in manual_dir.iterdir()) if manual_dir.is_dir() else []
        raise FileNotFoundError(
            f"No Kinetics-600 split found in the manual directory {manual_dir} (it holds "
            f"{entries[:20]}). Each split needs an annotation CSV ({ANNOTATION_FILES}) and a "
            f"folder of `.mp4` clips or `.tar.gz` archives ({VIDEO_FOLDERS}), in the manual "
            f"directory itself or in its `k600/`, `k600_targz/` subfolders (and "
            f"`annotations/` below them for the CSVs). Instructions:\n"
            f"{Builder.MANUAL_DOWNLOAD_INSTRUCTIONS}"
        )
    return KineticsFiles(annotations, videos)


def read_annotations(path: epath.Path) -> dict[str, str]:
    """`{clip id: label}` from an annotation CSV (`label,youtube_id,time_start,time_end,...`).

    Raises:
        ValueError: if columns are missing or a label is not a Kinetics-600 class.
    """
    with path.open() as file:
        reader = csv.DictReader(file)
        header = reader.fieldnames or []
        missing = [column for column in ANNOTATION_COLUMNS if column not in header]
        if missing:
            raise ValueError(
                f"{path} lacks the columns {missing}: expected a CSV with the header "
                f"{','.join(ANNOTATION_COLUMNS)},split (the Kinetics-600 release's annotation "
                f"files); received the header {reader.fieldnames}."
            )
        labels = {
            _clip_id(row["youtube_id"], row["time_start"], row["time_end"]): row["label"]
            for row in reader
        }
    unknown = sorted(set(labels.values()) - set(LABELS_FILE.read_text().splitlines()))
    if unknown:
        raise ValueError(
            f"{path} has labels that are not Kinetics-600 classes: {unknown[:10]} "
            f"({len(unknown)} in all). Expected the {NUM_CLASSES} class names of {LABELS_FILE}; "
            "is this a Kinetics-400 or -700 annotation file?"
        )
    return labels


def iter_clips(sources: list[epath.Path]):
    """Yields `(name, path or file object)` for every `.mp4` clip of folders and archives.

    Archives are streamed member by member (gzip cannot seek); a damaged archive is logged and
    the clips read before the damage are kept.
    """
    for source in sources:
        if not source.name.endswith(ARCHIVE_SUFFIXES):
            yield str(source), source
            continue
        try:
            with source.open("rb") as file, tarfile.open(fileobj=file, mode="r|*") as archive:
                for member in archive:
                    if member.isfile() and member.name.endswith(".mp4"):
                        yield f"{source}/{member.name}", archive.extractfile(member)
        except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
            logging.error("Skipping the rest of the damaged archive %s: %s", source, error)


def _files_below(folder: epath.Path):
    # `epath` paths have no `rglob` (it could mean thousands of GCS requests): walk instead.
    for path in folder.iterdir():
        if path.is_dir():
            yield from _files_below(path)
        else:
            yield path


def _header(path: epath.Path) -> list[str]:
    with path.open() as file:
        return next(csv.reader(io.StringIO(file.readline())), [])


def _clip_id(youtube_id: str, start, end) -> str:
    return f"{youtube_id}_{int(float(start)):06d}_{int(float(end)):06d}"
