"""Writes `videos.zip` and `lists.zip`: fake CATER videos and label lists in the release layout.

    python tfds_builders/cater/dummy_data/make_dummy_data.py

The videos are tiny MPEG-4 AVIs (32x24, the 4:3 of CATER's 320x240; 24 fps) named like the
real ones (`CATER_new_<6 digits>.avi`). In every frame the 4 leftmost columns are red, the 4
rightmost blue (a centre crop to a square would remove both) and the middle is
(0, 40 + 15 t, 8 n) in frame `t` of video `n`, so a test can check the stretch resize and that
every frame is kept in order. Layout:

    videos.zip: videos/CATER_new_00000{0,1,2,5,6}.avi   good videos (12, 9, 12, 10, 12 frames)
                videos/CATER_new_000004.avi            a corrupt file (skipped)
    lists.zip:  lists/localize/train.txt               videos 0, 1, 2, 3 (not in videos.zip:
                                                       skipped) and 4
                lists/localize/val.txt                 videos 5 and 6
                lists/localize_4x4/train.txt           other labels, which the builder ignores
                lists/actions_present/train.txt        multi-label lines, ignored as well
"""

import io
import pathlib
import tempfile
import zipfile

import imageio.v2 as imageio
import numpy as np

WIDTH, HEIGHT, FPS = 32, 24, 24
# (video number, frames (None: a corrupt file; 0: listed but absent from videos.zip), label,
# list file).
VIDEOS = [
    (0, 12, 0, "train"),
    (1, 9, 35, "train"),
    (2, 12, 17, "train"),
    (3, 0, 4, "train"),
    (4, None, 9, "train"),
    (5, 10, 21, "val"),
    (6, 12, 8, "val"),
]


def video_name(number: int) -> str:
    return f"CATER_new_{number:06d}.avi"


def fake_frames(number: int, num_frames: int) -> np.ndarray:
    frames = np.zeros((num_frames, HEIGHT, WIDTH, 3), dtype=np.uint8)
    frames[:, :, :4] = (255, 0, 0)
    frames[:, :, -4:] = (0, 0, 255)
    for t in range(num_frames):
        frames[t, :, 4:-4] = (0, 40 + 15 * t, 8 * number)
    return frames


def encode_avi(frames: np.ndarray, scratch: pathlib.Path) -> bytes:
    """MPEG-4 part 2 in AVI, near-lossless quantiser, returned as bytes."""
    path = scratch / "video.avi"
    writer = imageio.get_writer(
        path,
        format="FFMPEG",
        fps=FPS,
        codec="mpeg4",
        pixelformat="yuv420p",
        macro_block_size=8,
        ffmpeg_params=["-q:v", "1", "-threads", "1", "-fflags", "+bitexact"],
        ffmpeg_log_level="error",
    )
    for frame in frames:
        writer.append_data(frame)
    writer.close()
    return path.read_bytes()


def _entry(name: str) -> zipfile.ZipInfo:
    return zipfile.ZipInfo(name, date_time=(2019, 1, 1, 0, 0, 0))  # Same bytes every run.


def write_dummy_data(output_dir: str | pathlib.Path) -> pathlib.Path:
    """Writes the fake manual directory into `output_dir` and returns it."""
    root = pathlib.Path(output_dir)
    with tempfile.TemporaryDirectory() as scratch:
        with zipfile.ZipFile(root / "videos.zip", "w", compression=zipfile.ZIP_STORED) as archive:
            for number, frames, _, _ in VIDEOS:
                if frames == 0:
                    continue
                data = (
                    b"RIFF but not an AVI file.\n" * 4
                    if frames is None
                    else encode_avi(fake_frames(number, frames), pathlib.Path(scratch))
                )
                archive.writestr(_entry(f"videos/{video_name(number)}"), data)
    lists = {
        "lists/localize/train.txt": [(n, label) for n, _, label, s in VIDEOS if s == "train"],
        "lists/localize/val.txt": [(n, label) for n, _, label, s in VIDEOS if s == "val"],
        "lists/localize_4x4/train.txt": [(n, label % 16) for n, _, label, s in VIDEOS[:3]],
        "lists/actions_present/train.txt": [(n, "1,4,7") for n, _, _, _ in VIDEOS[:3]],
    }
    with zipfile.ZipFile(root / "lists.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, rows in lists.items():
            text = io.StringIO()
            for number, label in rows:
                text.write(f"{video_name(number)} {label}\n")
            archive.writestr(_entry(name), text.getvalue())
    return root


if __name__ == "__main__":
    print(write_dummy_data(pathlib.Path(__file__).parent))
