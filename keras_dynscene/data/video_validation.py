"""Checks for videos crossing the library boundary (model inputs, CLI, sampling APIs)."""

import numpy as np


def check_video_shape(
    shape, *, name: str, image_size: int, channels: int, min_frames: int, fix: str = ""
) -> None:
    """Raises ValueError unless `shape` is [batch, frames >= min_frames, size, size, channels].

    Works on static shapes (with `None` for unknown sizes), so it runs inside traced functions.
    """
    shape = tuple(shape)
    expected = f"[batch, frames >= {min_frames}, {image_size}, {image_size}, {channels}]"
    hint = f" {fix}" if fix else ""
    if len(shape) != 5:
        raise ValueError(
            f"`{name}` must be a 5D video batch {expected} (channels last); received a tensor of "
            f"rank {len(shape)} with shape {shape}. Add a batch axis with `video[None]` for a "
            f"single clip.{hint}"
        )
    _, frames, height, width, depth = shape
    if frames is not None and frames < min_frames:
        raise ValueError(
            f"`{name}` has {frames} frames but the model needs at least {min_frames}; "
            f"expected shape {expected}, received {shape}.{hint}"
        )
    if (height is not None and height != image_size) or (width is not None and width != image_size):
        raise ValueError(
            f"`{name}` frames must be {image_size}x{image_size}; received {height}x{width} "
            f"(shape {shape}). Resize the frames or build the model with image_size={height}."
        )
    if depth is not None and depth != channels:
        raise ValueError(
            f"`{name}` must have {channels} channel(s); received {depth} (shape {shape}). "
            f"Convert the frames (e.g. grayscale <-> RGB) or build the model with "
            f"channels={depth}.{hint}"
        )


def to_float_video(video, *, name: str) -> np.ndarray:
    """Converts a uint8 [0, 255] or float [0, 1] video to float32 [0, 1], checking its values."""
    video = np.asarray(video)
    if video.dtype == np.uint8:
        return video.astype("float32") / 255.0
    if not np.issubdtype(video.dtype, np.floating):
        raise ValueError(
            f"`{name}` must be uint8 in [0, 255] or float in [0, 1]; received dtype {video.dtype}."
        )
    if not np.all(np.isfinite(video)):
        bad = int(np.size(video) - np.count_nonzero(np.isfinite(video)))
        raise ValueError(
            f"`{name}` contains {bad} NaN or infinite value(s); expected finite floats in [0, 1]. "
            "Check the data pipeline that produced it."
        )
    low, high = float(video.min(initial=0.0)), float(video.max(initial=0.0))
    if low < 0.0 or high > 1.0:
        raise ValueError(
            f"`{name}` float values must lie in [0, 1]; received the range "
            f"[{low:.4g}, {high:.4g}]. "
            "Divide uint8 frames by 255 (or pass them as uint8), or rescale [-1, 1] data with "
            "(x + 1) / 2."
        )
    return video.astype("float32")
