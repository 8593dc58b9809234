import numpy as np
import pytest
import tensorflow as tf

from keras_dynscene.data.video_dataset import evaluation_batches
from keras_dynscene.data.video_dataset import load_video_dataset
from keras_dynscene.data.video_dataset import resize_videos
from keras_dynscene.data.video_dataset import scene_batches
from keras_dynscene.data.video_dataset import square_frames
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


def test_square_frames_crops_the_centre_and_resizes():
    # 8x16 frames: red side borders of 4 columns around a centre 8x8 square of (40, 2t, 200).
    video = np.zeros((3, 8, 16, 3), dtype="uint8")
    video[..., 0] = 255
    for t in range(3):
        video[t, :, 4:12] = (40, 2 * t, 200)
    square = square_frames(video, 4)
    assert square.shape == (3, 4, 4, 3) and square.dtype == tf.uint8
    # Only the centre colour is left: no red from the borders, even in the edge pixels.
    np.testing.assert_array_equal(square.numpy(), video[:, :4, 4:8])
    # Portrait frames lose their top and bottom; upsampling works; float stays float.
    portrait = np.transpose(video, (0, 2, 1, 3))
    np.testing.assert_array_equal(square_frames(portrait, 8).numpy(), video[:, :, 4:12])
    floats = square_frames(video.astype("float32") / 255.0, 16)
    assert floats.dtype == tf.float32 and floats.shape == (3, 16, 16, 3)
    np.testing.assert_allclose(floats.numpy()[..., 0], 40 / 255.0, atol=1e-5)
    with pytest.raises(ValueError, match="`frame_size` must be a positive int; received 0"):
        square_frames(video, 0)


def test_square_frames_keeps_frames_of_the_target_size():
    video = np.random.default_rng(0).integers(0, 256, (2, 6, 6, 3), dtype="uint8")
    np.testing.assert_array_equal(square_frames(video, 6).numpy(), video)


def test_frame_size_option_and_resize_videos():
    # 10-frame 4x8 videos with a `label`, resized to 2x2 windows (e.g. ucf101 256 -> CVG 128).
    video = np.broadcast_to(np.arange(10, dtype="uint8")[:, None, None, None], (10, 4, 8, 3))
    dataset = tf.data.Dataset.from_tensor_slices(
        {"video": np.stack([video] * 4), "label": np.arange(4)}
    )
    batch = next(
        iter(training_batches(dataset, 3, batch_size=2, seed=0, keep_keys=("label",), frame_size=2))
    )
    assert batch["video"].shape == (2, 3, 2, 2, 3) and batch["label"].shape == (2,)
    starts = batch["video"].numpy()[:, :, 0, 0, 0]
    np.testing.assert_array_equal(starts - starts[:, :1], [[0, 1, 2]] * 2)
    first = next(iter(evaluation_batches(dataset, 5, batch_size=4, frame_size=2)))
    assert first["video"].shape == (4, 5, 2, 2, 3)
    resized = resize_videos(dataset, 2)
    assert resized.element_spec["video"].shape.as_list() == [10, 2, 2, 3]
    assert set(resized.element_spec) == {"video", "label"}
    # Without frame_size the frames stay as stored.
    assert next(iter(training_batches(dataset, 3, batch_size=2, seed=0)))["video"].shape == (
        2,
        3,
        4,
        8,
        3,
    )
