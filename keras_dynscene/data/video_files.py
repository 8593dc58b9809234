"""Decoding of video files (mp4, mov, avi, ...) into square uint8 clips, for the TFDS builders.

Frames are decoded by `imageio` through the ffmpeg binary bundled with `imageio-ffmpeg` (no
system ffmpeg needed), then centre-cropped to a square and resized with Pillow's antialiased
Lanczos filter, the preprocessing of the thesis' Cityscapes, Kinetics-600 and BDD100K data.
"""

import os
import shutil
import tempfile
from typing import BinaryIO

import numpy as np
from PIL import Image


class UnreadableVideoError(ValueError):
    """A video file that cannot be decoded, or that holds fewer frames than a clip needs.

    Dataset builders catch it to skip (and log) the clip instead of failing the whole build.
    """


def check_clip_sizes(**sizes) -> None:
    """Raises unless every size (e.g. a builder config's `image_size`) is a positive int."""
    for field, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"`{field}` must be a positive int. Received: {field}={value!r}")


def frames_needed(num_frames: int, frame_stride: int) -> int:
    """Source frames a clip of `num_frames` frames, one every `frame_stride`, spans."""
    return (num_frames - 1) * frame_stride + 1


def square_crop_resize(frame: np.ndarray, size: int) -> np.ndarray:
    """Crops the centre square of an RGB frame (side = its shorter side) and resizes it.

    Args:
        frame: uint8 array `[height, width, 3]`.
        size: side of the square output.

    Returns:
        A uint8 array of shape `[size, size, 3]`.
    """
    image = Image.fromarray(np.asarray(frame, dtype=np.uint8)).convert("RGB")
    width, height = image.size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    image = image.crop((left, top, left + side, top + side))
    return np.asarray(image.resize((size, size), Image.Resampling.LANCZOS), dtype=np.uint8)


def read_video_clip(
    source: str | os.PathLike | BinaryIO,
    num_frames: int,
    frame_stride: int,
    image_size: int,
    suffix: str = ".mp4",
) -> np.ndarray:
    """The first `num_frames` frames, one every `frame_stride`, as square `image_size` frames.

    Frames 0, s, 2s, ... of the file are kept (temporal subsampling by `s = frame_stride`) and
    each is centre-cropped and resized with `square_crop_resize`. Decoding stops as soon as the
    clip is complete.

    Args:
        source: path of the video file, or a binary file object (e.g. a member of a tar or zip
            archive), which is copied to a temporary file for ffmpeg.
        num_frames: frames of the clip.
        frame_stride: temporal subsampling factor (1 keeps every frame).
        image_size: side of the square output frames.
        suffix: file name suffix of the temporary copy of a file object (ffmpeg guesses the
            container from it).

    Returns:
        A uint8 array `[num_frames, image_size, image_size, 3]`.

    Raises:
        UnreadableVideoError: if ffmpeg cannot decode the file or it holds fewer than
            `(num_frames - 1) * frame_stride + 1` frames.
    """
    if num_frames < 1 or frame_stride < 1:
        raise ValueError(
            "`num_frames` and `frame_stride` must be >= 1; received "
            f"num_frames={num_frames}, frame_stride={frame_stride}."
        )
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        return _read_clip(path, path, num_frames, frame_stride, image_size)
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        try:
            shutil.copyfileobj(source, copy)
        except Exception as error:  # Archive readers raise BadZipFile, zlib.error, EOFError, ...
            raise UnreadableVideoError(
                f"the video cannot be read from its archive: {_first_line(error)}"
            ) from error
        copy.flush()
        return _read_clip(copy.name, "the video", num_frames, frame_stride, image_size)


def _read_clip(
    path: str, name: str, num_frames: int, frame_stride: int, image_size: int
) -> np.ndarray:
    # `name` is what error messages call the video (not the temporary copy of a file object).
    import imageio.v2 as imageio

    needed = frames_needed(num_frames, frame_stride)
    frames = []
    count = 0
    try:
        reader = imageio.get_reader(path, format="FFMPEG")
    except Exception as error:  # imageio raises OSError, RuntimeError, ... on broken files.
        raise UnreadableVideoError(f"ffmpeg cannot read {name}: {_first_line(error)}") from error
    try:
        for frame in reader:
            if count % frame_stride == 0:
                frames.append(square_crop_resize(frame[..., :3], image_size))
            count += 1
            if count == needed:
                break
    except Exception as error:
        raise UnreadableVideoError(
            f"ffmpeg failed after {count} frames of {name}: {_first_line(error)}"
        ) from error
    finally:
        reader.close()
    if count < needed:
        raise UnreadableVideoError(
            f"{name} has {count} frames; a clip of {num_frames} frames at stride {frame_stride} "
            f"needs {needed}."
        )
    return np.stack(frames)


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
