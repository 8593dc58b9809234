import imageio.v2 as imageio
import numpy as np
import pytest
from PIL import Image
from PIL import ImageSequence

from keras_dynscene.visualization import write_gif
from keras_dynscene.visualization import write_mp4


def moving_square(steps=6, height=24, width=32, channels=3):
    """A bright square moving right on a dark background: every frame differs."""
    video = np.zeros((steps, height, width, channels), "float32")
    for t in range(steps):
        video[t, 8:16, 2 + 4 * t : 10 + 4 * t] = 1.0
    return video


def gif_frames(path):
    with Image.open(path) as image:
        assert image.format == "GIF"
        frames = [np.asarray(frame.convert("RGB")) for frame in ImageSequence.Iterator(image)]
        durations = image.info.get("duration")
    return np.stack(frames), durations


def test_gif_round_trip(tmp_path):
    video = moving_square()
    path = write_gif(str(tmp_path / "clips" / "square.gif"), video, fps=4)
    frames, duration = gif_frames(path)
    assert frames.shape == (6, 24, 32, 3)
    assert duration == 250
    np.testing.assert_allclose(frames, np.round(video * 255), atol=2)


def test_gif_grayscale_uint8_and_list(tmp_path):
    gray = (moving_square(channels=1) * 255).astype(np.uint8)
    frames, _ = gif_frames(write_gif(str(tmp_path / "gray.gif"), gray))
    assert frames.shape == (6, 24, 32, 3)
    np.testing.assert_array_equal(frames[..., 0], gray[..., 0])
    tiled, _ = gif_frames(write_gif(str(tmp_path / "pair.gif"), [gray, moving_square()]))
    assert tiled.shape == (6, 24, 32 + 2 + 32, 3)
    assert np.all(tiled[:, :, 32:34] == 255)  # white separator


def test_mp4_round_trip(tmp_path):
    video = moving_square(steps=8, height=23, width=31)  # odd sides get padded to even
    path = write_mp4(str(tmp_path / "square.mp4"), video, fps=8)
    reader = imageio.get_reader(path, format="FFMPEG")
    try:
        assert reader.get_meta_data()["fps"] == pytest.approx(8)
        frames = np.stack([frame for frame in reader.iter_data()])
    finally:
        reader.close()
    assert frames.shape == (8, 24, 32, 3)
    error = np.abs(frames[:, :23, :31].astype(float) - video * 255).mean()
    assert error < 8  # lossy H.264, but clearly the same pictures


def test_mp4_list_of_videos(tmp_path):
    left, right = moving_square(steps=4), moving_square(steps=4, channels=1)
    path = write_mp4(str(tmp_path / "pair.mp4"), [left, right])
    reader = imageio.get_reader(path, format="FFMPEG")
    try:
        frames = np.stack([frame for frame in reader.iter_data()])
    finally:
        reader.close()
    assert frames.shape == (4, 24, 32 + 2 + 32, 3)


def test_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match="fps > 0"):
        write_gif(str(tmp_path / "x.gif"), moving_square(), fps=0)
    with pytest.raises(ValueError, match="rank 4"):
        write_mp4(str(tmp_path / "x.mp4"), moving_square()[0])
    with pytest.raises(ValueError, match="1 or 3 channels"):
        write_gif(str(tmp_path / "x.gif"), np.zeros((3, 8, 8, 4), np.uint8))
    with pytest.raises(ValueError, match="dtype int64"):
        write_gif(str(tmp_path / "x.gif"), np.zeros((3, 8, 8, 3), np.int64))
