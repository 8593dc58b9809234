"""Writes `clevr2345.zip`: fake CLEVR2345 images in the layout of GIRAFFE's download.

    python tfds_builders/clevr2345/dummy_data/make_dummy_data.py

Layout of the zip (the real one also holds GIRAFFE's FID statistics and object priors, which
the builder ignores; here two tiny fake `.npz` files):

    clevr2345/images/train/CLEVR_new_00000{0,1,2}.png   3 images
    clevr2345/images/test/CLEVR_new_00000{0,1}.png      2 images
    clevr2345/fid_files/clevr2345_256.npz
    clevr2345/prior/clevr2345_256.npz

The images are 64x64 RGBA PNGs (CLEVR renders RGBA) of four flat quadrants: top left
(0, 10 k, 200) for train image k and (100, 10 k, 200) for test image k, top right green, bottom
left gray, bottom right white, so a test can check that the whole image is resized, not cropped.
"""

import io
import pathlib
import zipfile

import numpy as np
from PIL import Image

ZIP_NAME = "clevr2345.zip"
IMAGES = {"train": 3, "test": 2}
SIZE = 64
QUADRANTS = {"top_right": (0, 200, 0), "bottom_left": (128, 128, 128), "bottom_right": (255,) * 3}


def fake_image(k: int, split: str) -> np.ndarray:
    """The RGB content of fake image `k` of `split` (train and test images differ)."""
    image = np.zeros((SIZE, SIZE, 3), dtype=np.uint8)
    half = SIZE // 2
    image[:half, :half] = (0 if split == "train" else 100, 10 * k, 200)
    image[:half, half:] = QUADRANTS["top_right"]
    image[half:, :half] = QUADRANTS["bottom_left"]
    image[half:, half:] = QUADRANTS["bottom_right"]
    return image


def _png(image: np.ndarray) -> bytes:
    rgba = np.concatenate([image, np.full((*image.shape[:2], 1), 255, np.uint8)], axis=-1)
    buffer = io.BytesIO()
    Image.fromarray(rgba, mode="RGBA").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _entry(name: str) -> zipfile.ZipInfo:
    return zipfile.ZipInfo(name, date_time=(2021, 1, 1, 0, 0, 0))  # Same bytes every run.


def write_dummy_data(output_dir: str | pathlib.Path) -> pathlib.Path:
    """Writes the fake zip into `output_dir` and returns its path."""
    path = pathlib.Path(output_dir) / ZIP_NAME
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for split, count in IMAGES.items():
            for k in range(count):
                name = f"clevr2345/images/{split}/CLEVR_new_{k:06d}.png"
                archive.writestr(_entry(name), _png(fake_image(k, split)))
        archive.writestr(
            _entry("clevr2345/fid_files/clevr2345_256.npz"),
            _npz(m=np.zeros(4, np.float32), s=np.eye(4, dtype=np.float32)),
        )
        archive.writestr(
            _entry("clevr2345/prior/clevr2345_256.npz"), _npz(bboxes=np.zeros((2, 5, 3)))
        )
    return path


if __name__ == "__main__":
    print(write_dummy_data(pathlib.Path(__file__).parent))
