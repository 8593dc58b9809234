"""GIF and MP4 files from videos, alone or several side by side."""

import os

import imageio.v2 as imageio
import numpy as np
from PIL import Image

from keras_dynscene.visualization.uint8_video import to_uint8_rgb
from keras_dynscene.visualization.video_grid import tile_videos


def prepared_video(path: str, video, fps: float) -> np.ndarray:
    """Checks `fps`, tiles a list of videos, converts to uint8 RGB and creates the file's folder."""
    if not fps > 0:
        raise ValueError(f"Expected fps > 0, received fps={fps}. Use e.g. 4 for short clips.")
    if isinstance(video, (list, tuple)):
        frames = tile_videos(video)
    else:
        frames = to_uint8_rgb(video, ndim=4, name="video")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    return frames


def write_gif(path: str, video, fps: float = 4) -> str:
    """Writes a looping GIF with Pillow.

    Pillow stores a run of identical consecutive frames as one frame shown as long as the run,
    so playback time is kept but a static video decodes to fewer frames.

    Args:
        path: the file to write.
        video: `[T, H, W, C]`, uint8 or float in [0, 1], C in {1, 3}; or a list of such videos of
            one length and height, shown side by side with a thin white separator.
        fps: frames per second (GIF timing has a resolution of 10 ms).

    Returns:
        `path`.

    Example:
    ```python
    write_gif("/tmp/prediction.gif", [ground_truth, prediction], fps=4)
    ```
    """
    frames = prepared_video(path, video, fps)
    images = [Image.fromarray(frame) for frame in frames]
    images[0].save(
        path,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=round(1000 / fps),
        loop=0,
    )
    return path


def write_mp4(path: str, video, fps: float = 8) -> str:
    """Writes an H.264 MP4 with imageio and the ffmpeg binary bundled by imageio-ffmpeg.

    H.264 with 4:2:0 chroma needs even sides, so odd heights or widths get one black row or
    column at the bottom or right.

    Args:
        path: the file to write.
        video: `[T, H, W, C]`, uint8 or float in [0, 1], C in {1, 3}; or a list of such videos of
            one length and height, shown side by side with a thin white separator.
        fps: frames per second.

    Returns:
        `path`.

    Example:
    ```python
    write_mp4("/tmp/prediction.mp4", comparison_video(context, truth, samples), fps=8)
    ```
    """
    frames = prepared_video(path, video, fps)
    _, height, width, _ = frames.shape
    frames = np.pad(frames, [(0, 0), (0, height % 2), (0, width % 2), (0, 0)])
    with imageio.get_writer(
        path,
        format="FFMPEG",
        mode="I",
        fps=fps,
        codec="libx264",
        pixelformat="yuv420p",
        macro_block_size=1,
        ffmpeg_log_level="error",
    ) as writer:
        for frame in frames:
            writer.append_data(frame)
    return path
