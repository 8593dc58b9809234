"""Pictures of a cascade's levels: each level's video shown at the last level's size and rate."""

import numpy as np

from keras_dynscene.visualization.uint8_video import to_uint8_rgb
from keras_dynscene.visualization.video_grid import BACKGROUND
from keras_dynscene.visualization.video_grid import tile_videos


def match_last_level(level_videos) -> list[np.ndarray]:
    """Each level's `[B, T_l, S_l, S_l, C]` video as uint8 RGB at the last level's `T` and `S`.

    Lower levels are repeated in time and nearest-neighbour upsampled in space (so a 16x16
    level-1 frame appears as blocky 32x32 next to its level-2 upsampling).
    """
    videos = [
        to_uint8_rgb(video, ndim=5, name=f"level_videos[{i}]")
        for i, video in enumerate(level_videos)
    ]
    frames, size = videos[-1].shape[1], videos[-1].shape[2]
    matched = []
    for video in videos:
        if frames % video.shape[1] or size % video.shape[2]:
            raise ValueError(
                f"A level video of {video.shape[1]} frames of {video.shape[2]}px does not divide "
                f"the last level's {frames} frames of {size}px."
            )
        video = np.repeat(video, frames // video.shape[1], axis=1)
        scale = size // video.shape[2]
        matched.append(np.repeat(np.repeat(video, scale, axis=2), scale, axis=3))
    return matched


def cascade_video(level_videos, separator: int = 2) -> np.ndarray:
    """One uint8 RGB video: the levels of every sample side by side, samples stacked vertically.

    Args:
        level_videos: a list per level of `[B, T_l, S_l, S_l, C]` videos (uint8 or float in
            [0, 1]), e.g. `CascadedVideoGAN.generate(..., return_all_levels=True)`.
        separator: white pixels between panels.

    Returns:
        `[T, B * S + (B - 1) * separator, L * S + (L - 1) * separator, 3]` uint8 (thesis
        figure 6.14: level 1 next to the level 2 it was upsampled to).

    Example:
    ```python
    video = cascade_video(cvg.generate(labels=[1, 2], seed=0, return_all_levels=True))
    ```
    """
    matched = match_last_level(level_videos)
    rows = [
        tile_videos([level[b] for level in matched], separator) for b in range(matched[0].shape[0])
    ]
    steps, _, width, _ = rows[0].shape
    gap = np.full((steps, separator, width, 3), BACKGROUND, np.uint8)
    pieces = [rows[0]]
    for row in rows[1:]:
        pieces += [gap, row]
    return np.concatenate(pieces, axis=1)


def cascade_grid(level_videos, separator: int = 2) -> np.ndarray:
    """A PNG-ready frame strip: for each sample, one row per level, frames left to right.

    Returns:
        uint8 `[B * L * (S + separator) - separator, T * (S + separator) - separator, 3]`.
    """
    matched = match_last_level(level_videos)
    rows = []
    for b in range(matched[0].shape[0]):
        for level in matched:
            frames = list(level[b])
            row = [frames[0]]
            for frame in frames[1:]:
                row += [np.full((frame.shape[0], separator, 3), BACKGROUND, np.uint8), frame]
            rows.append(np.concatenate(row, axis=1))
    width = rows[0].shape[1]
    pieces = [rows[0]]
    for row in rows[1:]:
        pieces += [np.full((separator, width, 3), BACKGROUND, np.uint8), row]
    return np.concatenate(pieces, axis=0)
