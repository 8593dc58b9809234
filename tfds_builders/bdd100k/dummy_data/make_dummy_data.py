"""Writes fake BDD100K videos in the layout of the release's "Video Parts" zips.

    python tfds_builders/bdd100k/dummy_data/make_dummy_data.py

The videos are tiny H.264 `.mov` files (64x32, not 1280x720; 30 fps) named like the real ones
(`<8 hex>-<8 hex>.mov`): the centre square is a solid colour whose green channel is twice the
frame index (red 40, blue 200) and the borders cropped by the builder are pure red, so a test can
check both the centre crop and the temporal subsampling. Layout:

    bdd100k_videos_train_00.zip   bdd100k/videos/train/: 3 good videos, plus a 40-frame video
                                  and a corrupt file (both skipped)
    bdd100k_videos_test_00.zip    bdd100k/videos/test/: one file, ignored (no test split)
    bdd100k/videos/val/           2 good videos, extracted
"""

import pathlib
import zipfile

import imageio.v2 as imageio
import numpy as np

FRAMES = 100  # 48 frames at stride 2 need 95; 24 at stride 4 need 93.
SHORT_FRAMES = 40
SIZE = (64, 32)  # (width, height)
# (folder, video id, frames); None frames: a corrupt file.
VIDEOS = [
    ("train", "fa0e0001-0000a001", FRAMES),
    ("train", "fa0e0001-0000a002", FRAMES),
    ("train", "fa0e0002-0000b001", FRAMES),
    ("train", "fa0e0003-0000e001", SHORT_FRAMES),
    ("train", "fa0e0004-0000e002", None),
    ("val", "fa0e0005-0000c001", FRAMES),
    ("val", "fa0e0005-0000c002", FRAMES),
    ("test", "fa0e0006-0000d001", None),
]


def fake_frames(num_frames: int, width: int, height: int) -> np.ndarray:
    """Red frames with a centre square of colour (40, 2 * frame index, 200)."""
    frames = np.zeros((num_frames, height, width, 3), dtype=np.uint8)
    frames[..., 0] = 255
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    for t in range(num_frames):
        frames[t, top : top + side, left : left + side] = (40, 2 * t, 200)
    return frames


def video_bytes(num_frames: int | None, scratch: pathlib.Path) -> bytes:
    """H.264 in a QuickTime `.mov` (yuv420p, like the real videos), or garbage for None."""
    if num_frames is None:
        return b"This is not a QuickTime file.\n" * 4
    path = scratch / "video.mov"
    writer = imageio.get_writer(
        path,
        format="FFMPEG",
        fps=30,
        codec="libx264",
        pixelformat="yuv420p",
        macro_block_size=8,
        ffmpeg_params=["-crf", "18", "-threads", "1"],
        ffmpeg_log_level="error",
    )
    for frame in fake_frames(num_frames, *SIZE):
        writer.append_data(frame)
    writer.close()
    data = path.read_bytes()
    path.unlink()
    return data


def write_dummy_data(output_dir: str | pathlib.Path) -> pathlib.Path:
    """Writes the fake manual directory into `output_dir` and returns it."""
    root = pathlib.Path(output_dir)
    root.mkdir(parents=True, exist_ok=True)
    for folder in ("train", "test"):
        with zipfile.ZipFile(root / f"bdd100k_videos_{folder}_00.zip", "w") as archive:
            for _, video_id, frames in (video for video in VIDEOS if video[0] == folder):
                # Fixed timestamps: the same videos give the same zip bytes.
                name = f"bdd100k/videos/{folder}/{video_id}.mov"
                info = zipfile.ZipInfo(name, date_time=(2018, 1, 1, 0, 0, 0))
                archive.writestr(info, video_bytes(frames, root))
    for _, video_id, frames in (video for video in VIDEOS if video[0] == "val"):
        path = root / "bdd100k" / "videos" / "val" / f"{video_id}.mov"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(video_bytes(frames, root))
    return root


if __name__ == "__main__":
    print(write_dummy_data(pathlib.Path(__file__).parent))
