"""Cityscapes video snippets (Cordts et al., 2016) as 30-frame 128x128 videos (manual download)."""

import collections
import io
import re
import zipfile
from typing import ClassVar

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds
from absl import logging
from PIL import Image

ZIP_NAME = "leftImg8bit_sequence_trainvaltest.zip"
FOLDER_NAME = "leftImg8bit_sequence"
NUM_FRAMES = 30
IMAGE_SIZE = 128
# Folders of the archive -> TFDS split names.
SPLIT_FOLDERS = {"train": "train", "validation": "val", "test": "test"}
# e.g. leftImg8bit_sequence/train/aachen/aachen_000000_000019_leftImg8bit.png
_FRAME_PATTERN = re.compile(
    rf"^{FOLDER_NAME}/(?P<split>\w+)/[^/]+/"
    r"(?P<city>[^/]+)_(?P<sequence>\d+)_(?P<frame>\d+)_leftImg8bit\.png$"
)


class Builder(tfds.core.GeneratorBasedBuilder):
    """Cityscapes sequences: 30-frame driving snippets, centre-cropped and resized to 128x128.

    Every frame is cropped to its centre square (1024x1024 for the 2048x1024 Cityscapes frames)
    and resized to 128x128 with a Lanczos filter (the setup of Castrejon's thesis, sec. 4.5.2).
    Example keys are `{city}_{sequence}_{first frame}`. The frames are read straight from the
    zip, which is never extracted; an extracted `leftImg8bit_sequence/` folder in the manual
    directory works too.
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES: ClassVar[dict[str, str]] = {"1.0.0": "Initial release."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    Register at https://www.cityscapes-dataset.com, download `{ZIP_NAME}` (324 GB) from
    https://www.cityscapes-dataset.com/downloads/ and place it, not extracted, in the manual
    directory (by default `~/tensorflow_datasets/downloads/manual/`, or the folder given with
    `tfds build --manual_dir DIR` / `tfds.download.DownloadConfig(manual_dir=DIR)`).
    An extracted `{FOLDER_NAME}/` folder placed there instead works too.
    """

    def _info(self) -> tfds.core.DatasetInfo:
        shape = (NUM_FRAMES, IMAGE_SIZE, IMAGE_SIZE, 3)
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict({"video": tfds.features.Video(shape=shape)}),
            supervised_keys=None,
            homepage="https://www.cityscapes-dataset.com",
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        source = _FrameSource.open(dl_manager.manual_dir)
        snippets = source.snippets()
        return {
            split: self._generate_examples(source, snippets.get(folder, []))
            for split, folder in SPLIT_FOLDERS.items()
        }

    def _generate_examples(self, source: "_FrameSource", snippets: list[list[str]]):
        for paths in snippets:
            match = _FRAME_PATTERN.match(paths[0])
            key = f"{match['city']}_{match['sequence']}_{match['frame']}"
            frames = [crop_and_resize(source.read(path), IMAGE_SIZE) for path in paths]
            yield key, {"video": np.stack(frames)}


def crop_and_resize(png: bytes, size: int) -> np.ndarray:
    """Decodes a PNG, crops its centre square (side = the shorter side) and resizes it.

    Args:
        png: encoded PNG bytes of an RGB frame.
        size: side of the square output.

    Returns:
        A uint8 array of shape `[size, size, 3]`.
    """
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    image = image.crop((left, top, left + side, top + side))
    return np.asarray(image.resize((size, size), Image.Resampling.LANCZOS), dtype=np.uint8)


class _FrameSource:
    """Reads the frame PNGs from the zip, or from an extracted folder."""

    def __init__(self, zip_file: zipfile.ZipFile | None, root):
        self._zip, self._root = zip_file, root

    @classmethod
    def open(cls, manual_dir) -> "_FrameSource":
        zip_path = manual_dir / ZIP_NAME
        if zip_path.exists():
            return cls(zipfile.ZipFile(tf.io.gfile.GFile(str(zip_path), "rb")), None)
        if (manual_dir / FOLDER_NAME).is_dir():
            return cls(None, manual_dir)
        raise FileNotFoundError(
            f"Neither `{ZIP_NAME}` nor an extracted `{FOLDER_NAME}/` folder was found in the "
            f"manual directory {manual_dir}. Download `{ZIP_NAME}` from "
            "https://www.cityscapes-dataset.com/downloads/ (registration needed) and place it "
            f"in {manual_dir}."
        )

    def names(self) -> list[str]:
        if self._zip is not None:
            return self._zip.namelist()
        return [
            str(path.relative_to(self._root))
            for path in (self._root / FOLDER_NAME).glob("*/*/*_leftImg8bit.png")
        ]

    def read(self, name: str) -> bytes:
        if self._zip is not None:
            return self._zip.read(name)
        return (self._root / name).read_bytes()

    def snippets(self) -> dict[str, list[list[str]]]:
        """Groups the frames into runs of `NUM_FRAMES` consecutive frames, per split folder."""
        frames = collections.defaultdict(dict)  # (folder, city, sequence) -> {frame: name}
        for name in self.names():
            match = _FRAME_PATTERN.match(name)
            if match:
                group = (match["split"], match["city"], match["sequence"])
                frames[group][int(match["frame"])] = name
        snippets = collections.defaultdict(list)
        for (folder, city, sequence), names in sorted(frames.items()):
            for run in _consecutive_runs(sorted(names)):
                usable = len(run) - len(run) % NUM_FRAMES
                if usable < len(run):
                    logging.warning(
                        "Skipping %d frames of %s_%s from frame %d: runs of consecutive frames "
                        "must hold a multiple of %d frames.",
                        len(run) - usable,
                        city,
                        sequence,
                        run[usable],
                        NUM_FRAMES,
                    )
                for start in range(0, usable, NUM_FRAMES):
                    snippets[folder].append(
                        [names[frame] for frame in run[start : start + NUM_FRAMES]]
                    )
        return dict(snippets)


def _consecutive_runs(numbers: list[int]) -> list[list[int]]:
    runs = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return runs
