"""CLEVR2345 (Niemeyer & Geiger, 2021): CLEVR scenes of 2 to 5 objects, for INFERNO (10.B.1)."""

import collections
import dataclasses
import io
import re
import zipfile
from typing import ClassVar

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds
from etils import epath
from PIL import Image

ZIP_NAME = "clevr2345.zip"
FOLDER_NAME = "clevr2345"
DOWNLOAD_URL = "https://s3.eu-central-1.amazonaws.com/avg-projects/giraffe/data/clevr2345.zip"
# Folders of `clevr2345/images/` -> TFDS split names.
SPLIT_FOLDERS = {"train": "train", "val": "validation", "validation": "validation", "test": "test"}
# e.g. clevr2345/images/train/CLEVR_new_000000.png (GIRAFFE reads `images/*/*.png`).
_IMAGE_PATTERN = re.compile(
    r"^(?:.*/)?images/(?P<folder>[^/]+)/(?P<stem>[^/]+)\.(?:png|jpg|jpeg)$", re.IGNORECASE
)


@dataclasses.dataclass(eq=False)
class Clevr2345Config(tfds.core.BuilderConfig):
    """Resolution of the CLEVR2345 images.

    Args:
        image_size: side of the square images (the whole image is resized, as GIRAFFE does).
    """

    image_size: int = 128

    def __post_init__(self):
        size = self.image_size
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"`image_size` must be a positive int. Received: image_size={size!r}")


class Builder(tfds.core.GeneratorBasedBuilder):
    """CLEVR2345: the CLEVR renders of 2 to 5 objects released with GIRAFFE, resized.

    INFERNO's scene manipulation experiments (Castrejon's thesis, 10.B.1) use the dataset's
    original train and test splits with images resized to 128x128 (config `128x128`, the
    default; `64x64` for INFERNO's default resolution). The builder reads the images straight
    from GIRAFFE's `clevr2345.zip`, or from its extracted `clevr2345/` folder, and makes one
    split per split folder of `images/` (`train`, `test`, and `val` or `validation` if
    present). Each whole image is resized to a square with Pillow's antialiased Lanczos filter
    (no crop: GIRAFFE resizes the whole image too). Examples hold the `image` and its `id`,
    `<folder>/<file name without extension>`, also the example key.
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES: ClassVar[dict[str, str]] = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS: ClassVar[list[Clevr2345Config]] = [
        Clevr2345Config(
            name="128x128",
            description="128x128 images, INFERNO's scene manipulation resolution (10.B.1).",
            image_size=128,
        ),
        Clevr2345Config(
            name="64x64",
            description="The same images at 64x64, INFERNO's default resolution.",
            image_size=64,
        ),
    ]
    DEFAULT_BUILDER_CONFIG_NAME = "128x128"
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    Download GIRAFFE's CLEVR2345 data (https://github.com/autonomousvision/giraffe, option 8 of
    its `scripts/download_dataset.sh`), i.e. `{DOWNLOAD_URL}`, and place `{ZIP_NAME}`, not
    extracted, in the manual directory (`tfds build --manual_dir DIR` or
    `tfds.download.DownloadConfig(manual_dir=DIR)`; by default
    `~/tensorflow_datasets/downloads/manual/`). The extracted `{FOLDER_NAME}/` folder works
    too. The builder expects the images in one folder per split below `images/` (GIRAFFE's
    config reads `data/clevr2345/images/*/*.png`):

        DIR/{ZIP_NAME}                                   (or the extracted folder:)
        DIR/{FOLDER_NAME}/images/train/*.png
        DIR/{FOLDER_NAME}/images/test/*.png
        DIR/{FOLDER_NAME}/images/val/*.png              (optional: a `validation` split)

    `.jpg` images work as well; GIRAFFE's `fid_files/` and `prior/` are ignored. If the
    folders below `images/` are not split names, move the images into `train/` and `test/`
    folders following the split you use.
    """

    def _info(self) -> tfds.core.DatasetInfo:
        size = self.builder_config.image_size
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(
                {
                    "image": tfds.features.Image(shape=(size, size, 3), doc="RGB image."),
                    "id": tfds.features.Text(doc="`<split folder>/<file name stem>`."),
                }
            ),
            supervised_keys=None,
            homepage="https://github.com/autonomousvision/giraffe",
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        source = ImageSource.open(dl_manager.manual_dir)
        return {
            split: self._generate_examples(source, names)
            for split, names in source.split_images().items()
        }

    def _generate_examples(self, source: "ImageSource", names: list[str]):
        size = self.builder_config.image_size
        for name in names:
            match = _IMAGE_PATTERN.match(name)
            image_id = f"{match['folder']}/{match['stem']}"
            yield image_id, {"image": decode_and_resize(source.read(name), size), "id": image_id}


def decode_and_resize(data: bytes, size: int) -> np.ndarray:
    """Decodes an image file (RGBA PNGs lose their alpha) and resizes it to `size` x `size`.

    The whole image is resized with Pillow's antialiased Lanczos filter; a non-square image is
    stretched, not cropped.

    Returns:
        A uint8 array `[size, size, 3]`.
    """
    image = Image.open(io.BytesIO(data)).convert("RGB")
    return np.asarray(image.resize((size, size), Image.Resampling.LANCZOS), dtype=np.uint8)


class ImageSource:
    """Reads the CLEVR2345 images from GIRAFFE's zip, or from its extracted folder."""

    def __init__(self, zip_file: zipfile.ZipFile | None, root: epath.Path | None):
        self._zip, self._root = zip_file, root

    @classmethod
    def open(cls, manual_dir: epath.Path) -> "ImageSource":
        """The images of `manual_dir`: `clevr2345.zip`, else an extracted `clevr2345/` folder.

        Raises:
            FileNotFoundError: naming the zip and the folder expected, if neither is there.
        """
        zip_path = manual_dir / ZIP_NAME
        if zip_path.is_file():
            return cls(zipfile.ZipFile(tf.io.gfile.GFile(str(zip_path), "rb")), None)
        if (manual_dir / FOLDER_NAME).is_dir():
            return cls(None, manual_dir)
        entries = sorted(p.name for p in manual_dir.iterdir()) if manual_dir.is_dir() else []
        raise FileNotFoundError(
            f"Neither `{ZIP_NAME}` nor an extracted `{FOLDER_NAME}/` folder was found: expected "
            f"{zip_path} or {manual_dir / FOLDER_NAME}/images/<split>/*.png (the manual "
            f"directory holds {entries[:20]}). Download {DOWNLOAD_URL} and place it there."
        )

    def names(self) -> list[str]:
        if self._zip is not None:
            return self._zip.namelist()
        # Relative to the manual directory, like the zip's member names.
        paths = self._root.glob(f"{FOLDER_NAME}/images/*/*")
        return [str(path.relative_to(self._root)) for path in paths]

    def read(self, name: str) -> bytes:
        if self._zip is not None:
            return self._zip.read(name)
        return (self._root / name).read_bytes()

    def split_images(self) -> dict[str, list[str]]:
        """`{TFDS split: sorted image names}`, one split per split folder of `images/`.

        Raises:
            ValueError: if no image lies in a split folder, naming the folders found instead.
        """
        splits, other_folders = collections.defaultdict(list), collections.Counter()
        for name in self.names():
            match = _IMAGE_PATTERN.match(name)
            if not match:
                continue
            split = SPLIT_FOLDERS.get(match["folder"])
            if split is None:
                other_folders[match["folder"]] += 1
            else:
                splits[split].append(name)
        if not splits:
            raise ValueError(
                "No CLEVR2345 image lies in a split folder: expected images/<split>/*.png with "
                f"<split> one of {sorted(SPLIT_FOLDERS)}; found images in the folders "
                f"{dict(sorted(other_folders.items()))} of images/. Move the images into "
                "images/train/ and images/test/ following the split you use."
            )
        return {split: sorted(names) for split, names in sorted(splits.items())}
