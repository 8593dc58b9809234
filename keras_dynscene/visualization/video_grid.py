"""Frame grids and side-by-side videos comparing predicted futures with the ground truth."""

import os

import numpy as np
from PIL import Image

from keras_dynscene.visualization.uint8_video import to_uint8_rgb

CONTEXT_COLOR = (0, 170, 0)  # green: frames the model was given
PREDICTED_COLOR = (220, 0, 0)  # red: frames the model generated
TRUTH_COLOR = (128, 128, 128)  # grey: true future frames
BACKGROUND = 255  # white margins and separators


def frame_cells(frames: np.ndarray, color, border: int, margin: int) -> np.ndarray:
    """Surrounds uint8 RGB frames `[..., H, W, 3]` with a coloured border and a white margin.

    Args:
        frames: uint8 RGB frames.
        color: the border's RGB colour.
        border: border width in pixels.
        margin: white margin outside the border, in pixels.

    Returns:
        uint8 frames shaped `[..., H + 2 * (border + margin), W + 2 * (border + margin), 3]`.

    Example:
    ```python
    cells = frame_cells(np.zeros((5, 64, 64, 3), np.uint8), CONTEXT_COLOR, border=2, margin=1)
    ```
    """
    pad = [(0, 0)] * (frames.ndim - 3) + [(border, border), (border, border), (0, 0)]
    framed = np.stack(
        [np.pad(frames[..., c], pad[:-1], constant_values=color[c]) for c in range(3)], axis=-1
    )
    pad = [(0, 0)] * (frames.ndim - 3) + [(margin, margin), (margin, margin), (0, 0)]
    return np.pad(framed, pad, constant_values=BACKGROUND)


def comparison_cells(context, ground_truth, samples, border: int, margin: int):
    """Validates the three inputs and returns them as framed uint8 cells."""
    context = to_uint8_rgb(context, ndim=4, name="context")
    ground_truth = to_uint8_rgb(ground_truth, ndim=4, name="ground_truth")
    samples = to_uint8_rgb(samples, ndim=5, name="samples")
    frame_shape = context.shape[1:]
    if ground_truth.shape[1:] != frame_shape or samples.shape[2:] != frame_shape:
        raise ValueError(
            "Expected context, ground_truth and samples frames of one size, received "
            f"{context.shape[1:3]}, {ground_truth.shape[1:3]} and {samples.shape[2:4]} (H, W). "
            "Resize them to the model's frame size first."
        )
    if samples.shape[1] != ground_truth.shape[0]:
        raise ValueError(
            f"Expected samples [N, T, H, W, C] with T={ground_truth.shape[0]} future frames like "
            f"ground_truth, received samples shaped {samples.shape}. Pass the predicted future "
            "frames only, without the context."
        )
    if border < 0 or margin < 0:
        raise ValueError(
            f"Expected border >= 0 and margin >= 0, received border={border}, margin={margin}."
        )
    return (
        frame_cells(context, CONTEXT_COLOR, border, margin),
        frame_cells(ground_truth, TRUTH_COLOR, border, margin),
        frame_cells(samples, PREDICTED_COLOR, border, margin),
    )


def video_comparison_grid(
    context, ground_truth, samples, border: int = 2, margin: int = 1
) -> np.ndarray:
    """Frame strip of one sequence: the true future on top, one row per predicted future below.

    Every row starts with the context frames (green border); the first row continues with the
    true future (grey border), each further row with one sample's predicted future (red border),
    as in the SVG figures. Each cell is a frame plus `border + margin` pixels on every side.

    Args:
        context: the given frames, `[Tc, H, W, C]`, uint8 or float in [0, 1], C in {1, 3}.
        ground_truth: the true future frames, `[Tf, H, W, C]`.
        samples: predicted future frames, `[N, Tf, H, W, C]`.
        border: coloured border width in pixels.
        margin: white space around each bordered frame in pixels.

    Returns:
        A uint8 RGB image shaped `[(1 + N) * H', (Tc + Tf) * W', 3]` with
        `H' = H + 2 * (border + margin)` and `W'` likewise.

    Example:
    ```python
    grid = video_comparison_grid(video[:5], video[5:], predictions)  # predictions [N, 10, ...]
    save_png("/tmp/grid.png", grid)
    ```
    """
    context, ground_truth, samples = comparison_cells(
        context, ground_truth, samples, border, margin
    )
    num_samples = samples.shape[0]
    rows = np.concatenate(
        [
            np.broadcast_to(context, (num_samples + 1, *context.shape)),
            np.concatenate([ground_truth[None], samples], axis=0),
        ],
        axis=1,
    )  # [rows, cols, H', W', 3]
    num_rows, num_cols, height, width, _ = rows.shape
    return rows.transpose(0, 2, 1, 3, 4).reshape(num_rows * height, num_cols * width, 3)


def comparison_video(
    context, ground_truth, samples, border: int = 2, margin: int = 1
) -> np.ndarray:
    """Side-by-side video of one sequence: the ground truth pane, then one pane per sample.

    The video first plays the context frames in every pane (green border), then the true future
    in the first pane (grey border) next to each sample's prediction (red border). Write it with
    `write_gif` or `write_mp4`.

    Args:
        context: the given frames, `[Tc, H, W, C]`, uint8 or float in [0, 1], C in {1, 3}.
        ground_truth: the true future frames, `[Tf, H, W, C]`.
        samples: predicted future frames, `[N, Tf, H, W, C]`.
        border: coloured border width in pixels.
        margin: white space around each bordered frame in pixels.

    Returns:
        A uint8 RGB video shaped `[Tc + Tf, H', (1 + N) * W', 3]` with
        `H' = H + 2 * (border + margin)` and `W'` likewise.

    Example:
    ```python
    write_gif("/tmp/samples.gif", comparison_video(video[:5], video[5:], predictions))
    ```
    """
    context, ground_truth, samples = comparison_cells(
        context, ground_truth, samples, border, margin
    )
    panes = np.concatenate(
        [
            np.broadcast_to(
                context[:, None], (context.shape[0], 1 + samples.shape[0]) + context.shape[1:]
            ),
            np.concatenate([ground_truth[:, None], samples.transpose(1, 0, 2, 3, 4)], axis=1),
        ],
        axis=0,
    )  # [T, panes, H', W', 3]
    steps, num_panes, height, width, _ = panes.shape
    return panes.transpose(0, 2, 1, 3, 4).reshape(steps, height, num_panes * width, 3)


def tile_videos(videos, separator: int = 2) -> np.ndarray:
    """Places videos of equal length and height side by side, split by white columns.

    Args:
        videos: a list of videos `[T, H, W_i, C]`, uint8 or float in [0, 1], C in {1, 3}; widths
            may differ.
        separator: width of the white columns between videos, in pixels.

    Returns:
        A uint8 RGB video shaped `[T, H, sum(W_i) + separator * (len(videos) - 1), 3]`.

    Example:
    ```python
    tiled = tile_videos([ground_truth, prediction])  # truth left, prediction right
    ```
    """
    if len(videos) == 0:
        raise ValueError("tile_videos: expected a non-empty list of videos, received an empty one.")
    videos = [to_uint8_rgb(video, ndim=4, name=f"videos[{i}]") for i, video in enumerate(videos)]
    shapes = {video.shape[:2] for video in videos}
    if len(shapes) != 1:
        raise ValueError(
            "tile_videos: expected videos with one length and height (T, H), received "
            f"{[video.shape[:2] for video in videos]}. Trim or resize them to match."
        )
    steps, height = videos[0].shape[:2]
    gap = np.full((steps, height, separator, 3), BACKGROUND, np.uint8)
    pieces = [videos[0]]
    for video in videos[1:]:
        pieces += [gap, video]
    return np.concatenate(pieces, axis=2)


def save_png(path: str, image) -> str:
    """Writes an image to a PNG file, creating its folder.

    Args:
        path: the file to write.
        image: `[H, W, C]`, uint8 or float in [0, 1], C in {1, 3}.

    Returns:
        `path`.

    Example:
    ```python
    save_png("/tmp/grid.png", video_comparison_grid(context, truth, samples))
    ```
    """
    image = to_uint8_rgb(image, ndim=3, name="image")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    Image.fromarray(image).save(path, format="PNG")
    return path


def slot_video(frames, masks, separator: int = 2) -> np.ndarray:
    """A video of frames next to what each slot explains (frame x slot mask), for slot models.

    Args:
        frames: `[T, H, W, C]` floats in [0, 1] (or uint8), C in {1, 3}.
        masks: `[T, K, H, W]` slot masks in [0, 1] (e.g. `VIM.sample_with_masks()["masks"]`).
        separator: width of the white columns between panels.

    Returns:
        A uint8 RGB video `[T, H, (K + 1) * W + K * separator, 3]`: the frame, then one panel
        per slot.

    Example:
    ```python
    outputs = vim.sample_with_masks(context, horizon=10, seed=0)
    video = slot_video(outputs["frames"][0], outputs["masks"][0])
    ```
    """
    frames = to_uint8_rgb(frames, ndim=4, name="frames").astype("float32") / 255.0
    masks = np.asarray(masks, "float32")
    if masks.ndim != 4 or masks.shape[0] != frames.shape[0] or masks.shape[2:] != frames.shape[1:3]:
        raise ValueError(
            f"slot_video: expected masks shaped [T, K, H, W] = [{frames.shape[0]}, K, "
            f"{frames.shape[1]}, {frames.shape[2]}] to match the frames, received {masks.shape}."
        )
    panels = [frames] + [frames * masks[:, k, ..., None] for k in range(masks.shape[1])]
    return tile_videos(panels, separator)
