"""Writes `leftImg8bit_sequence_trainvaltest.zip`: fake Cityscapes snippets of tiny fake PNGs.

    python tfds_builders/cityscapes_sequences/dummy_data/make_dummy_data.py

The frames are 64x32 (not 2048x1024) to keep the zip small: a random solid colour (red channel
< 100) fills the centre 32x32 square and the margins are pure red, so a test can check the
centre crop. Per split, two complete 30-frame snippets, plus files the builder must skip: an
incomplete 10-frame run (test split) and a text file.
"""

import io
import pathlib
import zipfile

import numpy as np
from PIL import Image

ZIP_NAME = "leftImg8bit_sequence_trainvaltest.zip"
# {folder: [(city, sequence, first frame, number of frames)]}, the real archive's naming.
SNIPPETS = {
    "train": [("aachen", 0, 0, 30), ("aachen", 0, 50, 30)],  # Two snippets of one sequence.
    "val": [("frankfurt", 0, 275, 30), ("lindau", 1, 0, 30)],
    "test": [("berlin", 2, 0, 30), ("bielefeld", 3, 10, 30), ("bonn", 4, 0, 10)],
}


def fake_frame(rng: np.random.Generator) -> bytes:
    frame = np.zeros((32, 64, 3), dtype=np.uint8)
    frame[:, :, 0] = 255  # Red margins, cropped away by the builder.
    colour = rng.integers(0, 100, size=3, dtype=np.uint8)
    frame[:, 16:48] = colour
    buffer = io.BytesIO()
    Image.fromarray(frame).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _entry(name: str) -> zipfile.ZipInfo:
    return zipfile.ZipInfo(name, date_time=(2016, 1, 1, 0, 0, 0))


def write_dummy_data(output_dir: str | pathlib.Path, seed: int = 0) -> pathlib.Path:
    """Writes the fake zip into `output_dir` and returns its path."""
    rng = np.random.default_rng(seed)
    path = pathlib.Path(output_dir) / ZIP_NAME
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        # Fixed timestamps: the same seed writes the same bytes.
        archive.writestr(_entry("README"), "Fake Cityscapes sequences for tests.\n")
        for folder, snippets in SNIPPETS.items():
            for city, sequence, first, count in snippets:
                for frame in range(first, first + count):
                    name = (
                        f"leftImg8bit_sequence/{folder}/{city}/"
                        f"{city}_{sequence:06d}_{frame:06d}_leftImg8bit.png"
                    )
                    archive.writestr(_entry(name), fake_frame(rng))
    return path


if __name__ == "__main__":
    print(write_dummy_data(pathlib.Path(__file__).parent))
