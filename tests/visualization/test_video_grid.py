import numpy as np
import pytest
from PIL import Image

from keras_dynscene.visualization import comparison_video
from keras_dynscene.visualization import save_png
from keras_dynscene.visualization import tile_videos
from keras_dynscene.visualization import video_comparison_grid
from keras_dynscene.visualization.video_grid import CONTEXT_COLOR
from keras_dynscene.visualization.video_grid import PREDICTED_COLOR
from keras_dynscene.visualization.video_grid import TRUTH_COLOR


def sequence(rng, context=3, future=4, samples=2, size=8, channels=1):
    return (
        rng.random((context, size, size, channels)).astype("float32"),
        rng.random((future, size, size, channels)).astype("float32"),
        rng.random((samples, future, size, size, channels)).astype("float32"),
    )


def test_grid_layout_borders_and_frames():
    context, truth, samples = sequence(np.random.default_rng(0))
    grid = video_comparison_grid(context, truth, samples, border=2, margin=1)
    cell = 8 + 2 * 3
    assert grid.dtype == np.uint8 and grid.shape == (3 * cell, 7 * cell, 3)
    # Border colours: context columns green in every row, then grey truth, then red samples.
    for row in range(3):
        for col in range(7):
            expected = CONTEXT_COLOR if col < 3 else TRUTH_COLOR if row == 0 else PREDICTED_COLOR
            assert tuple(grid[row * cell + 1, col * cell + 1]) == expected
            assert tuple(grid[row * cell, col * cell]) == (255, 255, 255)  # margin
    # Frame contents land in the right cells.
    inner = slice(3, 3 + 8)
    expected = np.round(samples[1, 2, ..., 0] * 255).astype(np.uint8)
    cell_pixels = grid[2 * cell : 3 * cell, 5 * cell : 6 * cell][inner, inner]
    np.testing.assert_array_equal(cell_pixels[..., 0], expected)
    np.testing.assert_array_equal(cell_pixels[..., 1], expected)  # grey repeated to RGB
    first_context = grid[cell : 2 * cell, 0:cell][inner, inner, 0]
    np.testing.assert_array_equal(first_context, np.round(context[0, ..., 0] * 255))


def test_comparison_video_panes():
    context, truth, samples = sequence(np.random.default_rng(1), channels=3)
    video = comparison_video(context, truth, samples, border=1, margin=0)
    cell = 8 + 2
    assert video.shape == (7, cell, 3 * cell, 3) and video.dtype == np.uint8
    # During the context every pane shows the context frame with a green border.
    for pane in range(3):
        np.testing.assert_array_equal(
            video[1, 1:-1, pane * cell + 1 : (pane + 1) * cell - 1],
            np.round(context[1] * 255).astype(np.uint8),
        )
        assert tuple(video[0, 0, pane * cell]) == CONTEXT_COLOR
    # Afterwards: truth (grey) then each sample (red).
    np.testing.assert_array_equal(
        video[3 + 2, 1:-1, 2 * cell + 1 : 3 * cell - 1],
        np.round(samples[1, 2] * 255).astype(np.uint8),
    )
    assert tuple(video[4, 0, 0]) == TRUTH_COLOR
    assert tuple(video[4, 0, cell]) == PREDICTED_COLOR


def test_uint8_input_and_png(tmp_path):
    context, truth, samples = sequence(np.random.default_rng(2))
    as_uint8 = [np.round(a * 255).astype(np.uint8) for a in (context, truth, samples)]
    grid = video_comparison_grid(*as_uint8)
    np.testing.assert_array_equal(grid, video_comparison_grid(context, truth, samples))
    path = save_png(str(tmp_path / "figures" / "grid.png"), grid)
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (grid.shape[1], grid.shape[0])
        np.testing.assert_array_equal(np.asarray(image.convert("RGB")), grid)


def test_tile_videos_separator():
    rng = np.random.default_rng(3)
    left, right = rng.random((4, 6, 5, 1)), rng.integers(0, 256, (4, 6, 7, 3), dtype=np.uint8)
    tiled = tile_videos([left, right], separator=2)
    assert tiled.shape == (4, 6, 5 + 2 + 7, 3)
    assert np.all(tiled[:, :, 5:7] == 255)
    np.testing.assert_array_equal(tiled[:, :, 7:], right)


def test_bad_inputs():
    context, truth, samples = sequence(np.random.default_rng(4))
    with pytest.raises(ValueError, match="T=4 future frames"):
        video_comparison_grid(context, truth, samples[:, :3])
    with pytest.raises(ValueError, match="one size"):
        video_comparison_grid(context[:, :6], truth, samples)
    with pytest.raises(ValueError, match="rank 5"):
        comparison_video(context, truth, samples[0])
    with pytest.raises(ValueError, match=r"range \[255.0, 255.0\]"):
        video_comparison_grid(context * 0 + np.float32(255), truth, samples)
    with pytest.raises(ValueError, match="1 or 3 channels"):
        save_png("/tmp/never.png", np.zeros((4, 4, 2), np.uint8))
    with pytest.raises(ValueError, match="one length and height"):
        tile_videos([np.zeros((3, 4, 4, 1)), np.zeros((2, 4, 4, 1))])
