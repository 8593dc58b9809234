"""Writes fake Kinetics-600 clips and annotations in the layout of the CVDF download scripts.

    python tfds_builders/kinetics600/dummy_data/make_dummy_data.py

The clips are tiny H.264 mp4s (64x32 landscape, one 32x64 portrait; 25 fps) named like the real
ones (`<11-character id>_<start>_<end>.mp4`): the centre square is a solid colour whose green
channel is twice the frame index (red 40, blue 200) and the borders cropped by the builder are
pure red, so a test can check both the centre crop and the temporal subsampling. Layout:

    k600/annotations/{train,validate,test}.csv
    k600_targz/train/part_0.tar.gz   3 good clips, plus a 40-frame clip, a corrupt file and a
                                     clip missing from train.csv (all three skipped)
    k600/val/<class>/*.mp4           2 good clips, extracted into class folders
    k600_targz/test/part_0.tar.gz    2 good clips
"""

import csv
import gzip
import io
import pathlib
import tarfile

import imageio.v2 as imageio
import numpy as np

FRAMES = 100  # A 48-frame clip at stride 2 needs 95.
SHORT_FRAMES = 40
# (split, youtube id, start second, label, frames, (width, height)); None frames: corrupt file.
CLIPS = [
    ("train", "fakeclip001", 10, "abseiling", FRAMES, (64, 32)),
    ("train", "fakeclip002", 0, "bungee jumping", FRAMES, (32, 64)),
    ("train", "fake-clip03", 95, "passing American football (in game)", FRAMES, (64, 32)),
    ("train", "fakeshort01", 0, "yawning", SHORT_FRAMES, (64, 32)),
    ("train", "fakecorrupt", 0, "yawning", None, None),
    ("validation", "fakeval0001", 3, "abseiling", FRAMES, (64, 32)),
    ("validation", "fakeval0002", 7, "skydiving", FRAMES, (64, 32)),
    ("test", "faketest001", 0, "crying", FRAMES, (64, 32)),
    ("test", "faketest002", 21, "reading book", FRAMES, (64, 32)),
]
# In the archive but not in train.csv, and in train.csv but not downloaded.
UNLISTED = ("train", "fakeunlist1", 0, "abseiling", FRAMES, (64, 32))
MISSING = ("train", "fakemissing", 0, "abseiling", None, None)
ANNOTATION_FILES = {"train": "train.csv", "validation": "validate.csv", "test": "test.csv"}


def fake_frames(num_frames: int, width: int, height: int) -> np.ndarray:
    """Red frames with a centre square of colour (40, 2 * frame index, 200)."""
    frames = np.zeros((num_frames, height, width, 3), dtype=np.uint8)
    frames[..., 0] = 255
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    for t in range(num_frames):
        frames[t, top : top + side, left : left + side] = (40, 2 * t, 200)
    return frames


def encode_mp4(frames: np.ndarray, path: pathlib.Path, fps: int = 25) -> bytes:
    """H.264 in mp4 (yuv420p, like the real clips), returned as bytes."""
    writer = imageio.get_writer(
        path,
        format="FFMPEG",
        fps=fps,
        codec="libx264",
        pixelformat="yuv420p",
        macro_block_size=8,
        ffmpeg_params=["-crf", "18", "-threads", "1"],
        ffmpeg_log_level="error",
    )
    for frame in frames:
        writer.append_data(frame)
    writer.close()
    return path.read_bytes()


def clip_name(youtube_id: str, start: int) -> str:
    return f"{youtube_id}_{start:06d}_{start + 10:06d}.mp4"


def clip_bytes(clip, scratch: pathlib.Path) -> bytes:
    _, youtube_id, _, _, frames, size = clip
    if frames is None:
        return b"This is not an mp4 file.\n" * 4
    return encode_mp4(fake_frames(frames, *size), scratch / f"{youtube_id}.mp4")


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime = len(data), 1_530_000_000  # Fixed: same bytes every run.
    archive.addfile(info, io.BytesIO(data))


def write_dummy_data(output_dir: str | pathlib.Path) -> pathlib.Path:
    """Writes the fake manual directory into `output_dir` and returns it."""
    root = pathlib.Path(output_dir)
    scratch = root / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    annotations = root / "k600" / "annotations"
    annotations.mkdir(parents=True, exist_ok=True)
    for split, filename in ANNOTATION_FILES.items():
        rows = [clip for clip in [*CLIPS, MISSING] if clip[0] == split]
        with open(annotations / filename, "w", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(["label", "youtube_id", "time_start", "time_end", "split"])
            for _, youtube_id, start, label, _, _ in rows:
                writer.writerow([label, youtube_id, start, start + 10, split])
    for split, folder in (("train", "train"), ("test", "test")):
        path = root / "k600_targz" / folder / "part_0.tar.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        clips = [clip for clip in [*CLIPS, UNLISTED] if clip[0] == split]
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            for clip in clips:
                _add(archive, f"{folder}/{clip_name(clip[1], clip[2])}", clip_bytes(clip, scratch))
        path.write_bytes(gzip.compress(buffer.getvalue(), mtime=0))
    for clip in (clip for clip in CLIPS if clip[0] == "validation"):
        path = root / "k600" / "val" / clip[3] / clip_name(clip[1], clip[2])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(clip_bytes(clip, scratch))
    for path in scratch.iterdir():
        path.unlink()
    scratch.rmdir()
    return root


if __name__ == "__main__":
    print(write_dummy_data(pathlib.Path(__file__).parent))
