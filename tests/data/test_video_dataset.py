import numpy as np
import pytest
import tensorflow as tf

from keras_dynscene.data.video_dataset import evaluation_batches
from keras_dynscene.data.video_dataset import load_video_dataset
from keras_dynscene.data.video_dataset import scene_batches
from keras_dynscene.data.video_dataset import training_batches
from keras_dynscene.data.video_dataset import video_windows


def numbered_videos(count=4, frames=10):
    # Frame t of every video is filled with the value t: windows reveal their offset.
    video = np.broadcast_to(
        np.arange(frames, dtype="uint8")[:, None, None, None], (frames, 4, 4, 1)
    )
    return tf.data.Dataset.from_tensor_slices(
        {"video": np.stack([video] * count), "id": np.arange(count)}
    )


def test_windows_are_consecutive_and_within_bounds():
    windows = list(video_windows(numbered_videos(), 4, random_offset=True).as_numpy_iterator())
    assert all(set(w) == {"video"} for w in windows)
    for window in windows:
        starts = window["video"][:, 0, 0, 0]
        np.testing.assert_array_equal(starts, np.arange(starts[0], starts[0] + 4))
        assert 0 <= starts[0] <= 6
    first = next(video_windows(numbered_videos(), 4, random_offset=False).as_numpy_iterator())
    np.testing.assert_array_equal(first["video"][:, 0, 0, 0], [0, 1, 2, 3])


def test_training_and_evaluation_batches():
    batch = next(iter(training_batches(numbered_videos(), 3, batch_size=3, seed=0)))
    assert batch["video"].shape == (3, 3, 4, 4, 1)
    batches = list(evaluation_batches(numbered_videos(), 5, batch_size=3).as_numpy_iterator())
    assert [b["video"].shape[0] for b in batches] == [3, 1]


def test_too_short_videos_fail_clearly():
    with pytest.raises(tf.errors.InvalidArgumentError, match="at least 12 frames"):
        next(iter(video_windows(numbered_videos(), 12, random_offset=False)))


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match="Unknown dataset 'moving_pixels'"):
        load_video_dataset("moving_pixels", "train")


def test_scene_batches_keep_whole_scenes_with_their_viewpoints():
    videos = np.arange(3, dtype="uint8")[:, None, None, None, None] * np.ones((1, 5, 4, 4, 3))
    views = np.tile(np.linspace(0, 1, 5, dtype="float32")[None, :, None], (3, 1, 1))
    dataset = tf.data.Dataset.from_tensor_slices(
        {"video": videos.astype("uint8"), "viewpoints": views, "label": np.arange(3)}
    )
    batch = next(iter(scene_batches(dataset, 2, seed=0)))
    assert set(batch) == {"video", "viewpoints"}
    assert batch["video"].shape == (2, 5, 4, 4, 3) and batch["viewpoints"].shape == (2, 5, 1)
    np.testing.assert_allclose(batch["viewpoints"].numpy(), views[:2])
    with pytest.raises(ValueError, match="\\['viewpoints'\\] are missing"):
        scene_batches(dataset.map(lambda e: {"video": e["video"]}), 2)
