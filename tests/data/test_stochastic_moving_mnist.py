import time

import numpy as np
import pytest

from keras_dynscene.data import StochasticMovingMNIST
from keras_dynscene.data.mnist_digits import load_mnist_digits

MAX = 64 - 28  # Largest top-left coordinate of a digit in a 64x64 frame.


@pytest.mark.parametrize("num_digits", [1, 2, 3])
def test_shapes_dtype_and_range(num_digits):
    videos = StochasticMovingMNIST(num_digits=num_digits, num_frames=12).generate(8, seed=0)
    assert videos.shape == (8, 12, 64, 64, 1)
    assert videos.dtype == np.uint8
    assert videos.max() == 255
    assert (videos.reshape(8 * 12, -1).max(axis=1) > 0).all()  # No empty frame.


def test_other_sizes():
    videos = StochasticMovingMNIST(num_digits=1, image_size=40, num_frames=5).generate(3, seed=1)
    assert videos.shape == (3, 5, 40, 40, 1)
    # A frame of exactly one digit: digits cannot move.
    small = StochasticMovingMNIST(num_digits=1, image_size=28, num_frames=4)
    positions, _ = small.trajectories(5, seed=0)
    assert (positions == 0).all()
    videos = small.generate(5, seed=0)
    assert (videos == videos[:, :1]).all()


def test_deterministic_per_seed():
    generator = StochasticMovingMNIST()
    np.testing.assert_array_equal(generator.generate(6, seed=3), generator.generate(6, seed=3))
    assert not np.array_equal(generator.generate(6, seed=3), generator.generate(6, seed=4))
    positions, velocities = generator.trajectories(6, seed=3)
    positions_again, velocities_again = generator.trajectories(6, seed=3)
    np.testing.assert_array_equal(positions, positions_again)
    np.testing.assert_array_equal(velocities, velocities_again)


def test_iterate_is_deterministic_and_endless():
    generator = StochasticMovingMNIST(num_frames=4)
    first = [next(batches) for batches in [generator.iterate(2, seed=0)] for _ in range(3)]
    batches = generator.iterate(2, seed=0)
    second = [next(batches) for _ in range(3)]
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], first[1])
    assert first[0].shape == (2, 4, 64, 64, 1)


def test_digits_stay_fully_inside_the_frame():
    generator = StochasticMovingMNIST(num_digits=1, num_frames=30)
    videos = generator.generate(64, seed=5).astype(np.int64)
    positions, _ = generator.trajectories(64, seed=5)
    assert positions.min() == 0 and positions.max() == MAX  # Digits reach every border.
    # One digit, never clipped by a border: every frame holds all of its ink.
    ink = videos.sum(axis=(2, 3, 4))
    np.testing.assert_array_equal(ink, np.repeat(ink[:, :1], 30, axis=1))
    # The ink lies in the 28x28 box at the digit's position, and that box is the same digit
    # (from the requested MNIST split) in every frame.
    train_digits = {d.tobytes() for d in load_mnist_digits("train")}
    for n in range(0, 64, 9):
        boxes = []
        for t in range(30):
            y, x = positions[n, t, 0]
            box = videos[n, t, y : y + 28, x : x + 28, 0]
            assert box.sum() == ink[n, t]
            boxes.append(box)
        assert all(np.array_equal(box, boxes[0]) for box in boxes)
        assert boxes[0].astype(np.uint8).tobytes() in train_digits


def test_test_digits_come_from_the_test_split():
    videos = StochasticMovingMNIST(num_digits=1, num_frames=1, digit_split="test").generate(
        5, seed=0
    )
    positions, _ = StochasticMovingMNIST(num_digits=1, num_frames=1).trajectories(5, seed=0)
    test_digits = {d.tobytes() for d in load_mnist_digits("test")}
    for n in range(5):
        y, x = positions[n, 0, 0]
        assert videos[n, 0, y : y + 28, x : x + 28, 0].tobytes() in test_digits


def test_overlapping_digits_add_and_clip():
    generator = StochasticMovingMNIST(num_digits=2, num_frames=10)
    digits = load_mnist_digits("train")
    positions, _ = generator.trajectories(4, seed=0)
    digit_ids = np.array([[0, 1], [2, 3], [4, 5], [6, 7]])
    videos = generator._render(positions, digits, digit_ids)
    expected = np.zeros((4, 10, 64, 64), dtype=np.int64)
    for n in range(4):
        for t in range(10):
            for d in range(2):
                y, x = positions[n, t, d]
                expected[n, t, y : y + 28, x : x + 28] += digits[digit_ids[n, d]]
    np.testing.assert_array_equal(videos[..., 0], np.minimum(expected, 255))


def _wall(positions):
    return (positions == 0) | (positions == MAX)


def test_motion_follows_the_velocities():
    for deterministic in (False, True):
        generator = StochasticMovingMNIST(num_frames=30, deterministic=deterministic)
        positions, velocities = generator.trajectories(200, seed=1)
        assert velocities.min() == -4 and velocities.max() == 4
        assert set(np.unique(velocities[:, 0])) == set(range(-4, 5))  # Uniform start speeds.
        moved = np.clip(positions[:, :-1] + velocities[:, :-1], 0, MAX)
        np.testing.assert_array_equal(positions[:, 1:], moved)


def test_deterministic_variant_reflects_with_the_same_speed():
    generator = StochasticMovingMNIST(num_frames=30, deterministic=True)
    positions, velocities = generator.trajectories(200, seed=2)
    before, after = velocities[:, :-1], velocities[:, 1:]
    changed = before != after
    assert changed.any()  # Digits do bounce.
    np.testing.assert_array_equal(after[changed], -before[changed])  # Pure reflection.
    assert _wall(positions[:, 1:])[changed].all()  # Only at a border.
    speeds = np.abs(velocities)
    np.testing.assert_array_equal(speeds, np.broadcast_to(speeds[:, :1], speeds.shape))


def test_stochastic_variant_draws_new_velocities_at_bounces():
    generator = StochasticMovingMNIST(num_frames=30, deterministic=False)
    positions, velocities = generator.trajectories(200, seed=2)
    before, after = velocities[:, :-1], velocities[:, 1:]
    at_wall = _wall(positions[:, 1:])
    changed = (before != after).any(axis=-1)
    assert changed.any()
    assert at_wall.any(axis=-1)[changed].all()  # Velocities change only at a border.
    # New speeds: after some bounces the speed differs from a mere reflection.
    reflected = np.abs(before) == np.abs(after)
    assert (~reflected.all(axis=-1))[changed].mean() > 0.5
    # After a bounce the digit leaves the wall it hit: velocity points inside, 1 to 4 px/frame.
    hit_low = changed[..., None] & (positions[:, 1:] == 0) & (positions[:, :-1] + before < 0)
    hit_high = changed[..., None] & (positions[:, 1:] == MAX) & (positions[:, :-1] + before > MAX)
    assert hit_low.any() and hit_high.any()
    assert np.isin(after[hit_low], [1, 2, 3, 4]).all()
    assert np.isin(after[hit_high], [-1, -2, -3, -4]).all()


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"image_size": 27}, ValueError, r"image_size.*>= 28.*Received: image_size=27"),
        ({"image_size": 64.0}, TypeError, r"image_size.*int"),
        ({"num_digits": 0}, ValueError, r"num_digits.*>= 1"),
        ({"num_frames": 0}, ValueError, r"num_frames.*>= 1"),
        ({"num_frames": True}, TypeError, r"num_frames.*int"),
        ({"deterministic": "yes"}, TypeError, r"deterministic.*bool"),
        ({"digit_split": "valid"}, ValueError, r"'train', 'validation', 'test'.*'valid'"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        StochasticMovingMNIST(**kwargs)


def test_bad_call_arguments():
    generator = StochasticMovingMNIST()
    with pytest.raises(ValueError, match="num_sequences"):
        generator.generate(0, seed=0)
    with pytest.raises(ValueError, match="batch_size"):
        generator.iterate(0, seed=0)
    with pytest.raises(ValueError, match="num_sequences"):
        generator.trajectories(-1, seed=0)


def test_generation_is_vectorized_and_fast_enough(capsys):
    """Speed sanity (printed, never asserted): 1,000 two-digit 30-frame videos."""
    generator = StochasticMovingMNIST()
    load_mnist_digits("train")
    start = time.perf_counter()
    videos = generator.generate(1000, seed=0)
    elapsed = time.perf_counter() - start
    assert videos.shape == (1000, 30, 64, 64, 1)
    with capsys.disabled():
        print(f"\nStochasticMovingMNIST: 1000 videos in {elapsed:.2f} s")


def test_repr():
    assert repr(StochasticMovingMNIST(num_digits=1)) == (
        "StochasticMovingMNIST(num_digits=1, image_size=64, num_frames=30, "
        "deterministic=False, digit_split='train')"
    )
