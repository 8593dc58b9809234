import numpy as np
import pytest

from keras_dynscene.visualization.scene_grid import scene_prediction_grid
from keras_dynscene.visualization.scene_grid import scene_prediction_video
from keras_dynscene.visualization.video_grid import BACKGROUND
from keras_dynscene.visualization.video_grid import CONTEXT_COLOR
from keras_dynscene.visualization.video_grid import PREDICTED_COLOR
from keras_dynscene.visualization.video_grid import TRUTH_COLOR

CELL = 8 + 2 * (2 + 1)  # frame + border 2 + margin 1 on each side


def test_grid_lays_out_context_truth_samples_and_blanks_in_frame_order():
    frames = np.full((5, 8, 8, 3), 100, np.uint8)
    samples = np.full((2, 2, 8, 8, 3), 200, np.uint8)
    grid = scene_prediction_grid(frames, [3, 4], [0, 2], samples)  # backward + a gap at 1
    assert grid.shape == (3 * CELL, 5 * CELL, 3)

    def border(row, column):  # top-left pixel of the coloured border of a cell
        return tuple(grid[row * CELL + 1, column * CELL + 1])

    def centre(row, column):
        return tuple(grid[row * CELL + CELL // 2, column * CELL + CELL // 2])

    for row in range(3):
        assert border(row, 3) == CONTEXT_COLOR and centre(row, 4) == (100,) * 3
        assert centre(row, 1) == (BACKGROUND,) * 3  # neither context nor query
    assert border(0, 0) == TRUTH_COLOR and centre(0, 2) == (100,) * 3
    assert border(1, 2) == PREDICTED_COLOR and centre(2, 0) == (200,) * 3


def test_video_plays_frames_with_one_pane_per_row():
    frames = np.zeros((4, 8, 8, 1), "float32")
    samples = np.ones((3, 2, 8, 8, 1), "float32")
    video = scene_prediction_video(frames, [0, 1], [2, 3], samples)
    assert video.shape == (4, CELL, 4 * CELL, 3)
    assert tuple(video[2, CELL // 2, CELL + CELL // 2]) == (255, 255, 255)  # sample 1, frame 2


def test_bad_layouts_are_refused():
    frames = np.zeros((4, 8, 8, 3), np.uint8)
    with pytest.raises(ValueError, match="disjoint context and query indices in \\[0, 4\\)"):
        scene_prediction_grid(frames, [0, 1], [1, 2], np.zeros((1, 2, 8, 8, 3), np.uint8))
    with pytest.raises(ValueError, match="disjoint"):
        scene_prediction_grid(frames, [0], [4], np.zeros((1, 1, 8, 8, 3), np.uint8))
    with pytest.raises(ValueError, match="Expected samples shaped \\[S, 2"):
        scene_prediction_grid(frames, [0], [1, 2], np.zeros((1, 3, 8, 8, 3), np.uint8))
