"""Frame grids and videos of scene predictions (JUMP / GQN): context, truth and rendered queries
laid out in the scene's own frame order, so forward, backward and jumpy predictions read alike."""

import numpy as np

from keras_dynscene.visualization.uint8_video import to_uint8_rgb
from keras_dynscene.visualization.video_grid import BACKGROUND
from keras_dynscene.visualization.video_grid import CONTEXT_COLOR
from keras_dynscene.visualization.video_grid import PREDICTED_COLOR
from keras_dynscene.visualization.video_grid import TRUTH_COLOR
from keras_dynscene.visualization.video_grid import frame_cells


def scene_cells(frames, context_index, query_index, samples, border: int = 2, margin: int = 1):
    """Framed uint8 cells `[1 + S, N, H', W', 3]`: row 0 is the true scene, row `s` sample `s`.

    Context frames (green border) appear in every row; query frames show the truth (grey) in
    row 0 and each sample's rendering (red) below; frames that are neither stay blank.

    Args:
        frames: the true scene `[N, H, W, C]` (uint8 or float in [0, 1], C in {1, 3}).
        context_index: indices of the context frames.
        query_index: indices of the rendered frames, in the order of `samples`' query axis.
        samples: renderings `[S, Q, H, W, C]` of the `Q = len(query_index)` queries.
        border: coloured border width in pixels.
        margin: white space around each bordered frame in pixels.
    """
    frames = to_uint8_rgb(frames, ndim=4, name="frames")
    samples = to_uint8_rgb(samples, ndim=5, name="samples")
    context_index = [int(i) for i in context_index]
    query_index = [int(i) for i in query_index]
    num_frames = frames.shape[0]
    if samples.shape[1] != len(query_index) or samples.shape[2:] != frames.shape[1:]:
        raise ValueError(
            f"Expected samples shaped [S, {len(query_index)}, *{frames.shape[1:]}] (one "
            f"rendering per query frame), received {samples.shape}."
        )
    outside = [i for i in context_index + query_index if not 0 <= i < num_frames]
    if outside or set(context_index) & set(query_index):
        raise ValueError(
            f"Expected disjoint context and query indices in [0, {num_frames}), received "
            f"context {context_index} and queries {query_index}."
        )
    size = frames.shape[1] + 2 * (border + margin)
    rows = np.full((1 + samples.shape[0], num_frames, size, size, 3), BACKGROUND, np.uint8)
    context = frame_cells(frames[context_index], CONTEXT_COLOR, border, margin)
    rows[:, context_index] = context[None]
    rows[0, query_index] = frame_cells(frames[query_index], TRUTH_COLOR, border, margin)
    rows[1:, query_index] = frame_cells(samples, PREDICTED_COLOR, border, margin)
    return rows


def scene_prediction_grid(frames, context_index, query_index, samples, **kwargs) -> np.ndarray:
    """One scene as an image: the true scene on top, one row per sampled set of query frames,
    columns in frame (time / viewpoint) order. Arguments as `scene_cells`.

    Returns:
        A uint8 RGB image `[(1 + S) * H', N * W', 3]`.

    Example:
    ```python
    samples = model.render(video[None, :5], times[None, :5], times[None, 5:], num_samples=3)[0]
    grid = scene_prediction_grid(video, range(5), range(5, 21), samples)
    ```
    """
    rows = scene_cells(frames, context_index, query_index, samples, **kwargs)
    num_rows, num_cols, height, width, _ = rows.shape
    return rows.transpose(0, 2, 1, 3, 4).reshape(num_rows * height, num_cols * width, 3)


def scene_prediction_video(frames, context_index, query_index, samples, **kwargs) -> np.ndarray:
    """One scene as a video played in frame order: the true scene pane, then one pane per sample.
    Arguments as `scene_cells`.

    Returns:
        A uint8 RGB video `[N, H', (1 + S) * W', 3]`.
    """
    rows = scene_cells(frames, context_index, query_index, samples, **kwargs)
    num_panes, steps, height, width, _ = rows.shape
    return rows.transpose(1, 2, 0, 3, 4).reshape(steps, height, num_panes * width, 3)
