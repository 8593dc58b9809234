import time

import numpy as np
import pytest

from keras_dynscene.data.random_walk import BALL_COLORS
from keras_dynscene.data.random_walk import BALL_RADII
from keras_dynscene.data.random_walk import BALL_SHAPES
from keras_dynscene.data.random_walk import DIRECTION_VECTORS
from keras_dynscene.data.random_walk import DIRECTIONS
from keras_dynscene.data.random_walk import OOD_COLORS
from keras_dynscene.data.random_walk import OOD_RADII
from keras_dynscene.data.random_walk import OOD_SHAPES
from keras_dynscene.data.random_walk import RANDOM_WALK_CONFIGS
from keras_dynscene.data.random_walk import SHAPES
from keras_dynscene.data.random_walk import RandomWalk

KEYS = {
    "video",
    "segmentation",
    "positions",
    "moves",
    "num_moves",
    "actions",
    "action_counts",
    "colors",
    "shapes",
    "sizes",
}


def _reference_mask(shape: str, radius: int, centre, size: int) -> np.ndarray:
    """The pixels of one object, written independently of the generator's stamp bank."""
    rows, cols = np.mgrid[:size, :size]
    dy, dx = rows - centre[0], cols - centre[1]
    in_box = (np.abs(dy) <= radius) & (np.abs(dx) <= radius)
    if shape == "circle":
        return dy**2 + dx**2 <= radius * (radius + 1)
    if shape == "square":
        return in_box
    if shape == "diamond":
        return np.abs(dy) + np.abs(dx) <= radius
    if shape == "triangle":
        return in_box & (2 * np.abs(dx) <= dy + radius)
    if shape == "cross":
        arm = radius // 3
        return in_box & ((np.abs(dy) <= arm) | (np.abs(dx) <= arm))
    raise AssertionError(shape)


def _replay(walk: RandomWalk, data: dict) -> np.ndarray:
    """Recomputes positions from the start positions and the recorded moves, checking that
    every intermediate position of a composition lies inside the frame."""
    positions = data["positions"].astype(np.int64)
    low = data["sizes"].astype(np.int64)[..., None]  # [N, B, 1]
    high = walk.image_size - 1 - low
    position = positions[:, 0]
    replayed = [position]
    for t in range(walk.num_frames - 1):
        for k in range(walk.max_moves):
            move = data["moves"][:, t, :, k]
            step = np.where((move >= 0)[..., None], DIRECTION_VECTORS[move], 0)
            position = position + walk.step_size * step
            assert ((position >= low) & (position <= high)).all()
        replayed.append(position)
    return np.stack(replayed, axis=1)


@pytest.mark.parametrize("name", sorted(RANDOM_WALK_CONFIGS))
def test_shapes_and_dtypes(name):
    walk = RandomWalk.from_config(name)
    data = walk.generate(4, seed=0)
    assert set(data) == KEYS
    moves = walk.max_moves
    expected = {
        "video": ((4, 20, 32, 32, 3), np.uint8),
        "segmentation": ((4, 20, 32, 32), np.uint8),
        "positions": ((4, 20, 3, 2), np.float32),
        "moves": ((4, 19, 3, moves), np.int8),
        "num_moves": ((4, 19, 3), np.uint8),
        "actions": ((4, 19, 3), np.int8),
        "action_counts": ((4, 19, 3, 4), np.uint8),
        "colors": ((4, 3, 3), np.uint8),
        "shapes": ((4, 3), np.uint8),
        "sizes": ((4, 3), np.uint8),
    }
    for key, (shape, dtype) in expected.items():
        assert data[key].shape == shape, key
        assert data[key].dtype == dtype, key


def test_named_configs_follow_the_thesis():
    assert sorted(RANDOM_WALK_CONFIGS) == [
        "atomic",
        "compositional",
        "compositional_ood",
        "ood_objects",
    ]
    for name, config in RANDOM_WALK_CONFIGS.items():
        walk = RandomWalk.from_config(name)
        assert (walk.image_size, walk.num_balls, walk.num_frames) == (32, 3, 20), name
        assert walk.step_size == 2, name  # Same amplitude everywhere (8.5.3).
        assert walk.get_config() == RandomWalk(**config).get_config()
    assert RandomWalk.from_config("atomic").moves_per_step == (1, 1)
    assert RandomWalk.from_config("compositional").moves_per_step == (2, 2)
    assert RandomWalk.from_config("compositional_ood").moves_per_step == (1, 5)
    assert RandomWalk.from_config("ood_objects").moves_per_step == (1, 1)
    assert RandomWalk().get_config() == RandomWalk.from_config("atomic").get_config()
    assert RandomWalk.from_config("atomic", num_frames=7).num_frames == 7


def test_deterministic_per_seed():
    walk = RandomWalk.from_config("compositional_ood")
    first, again, other = (walk.generate(6, seed=s) for s in (3, 3, 4))
    for key in KEYS:
        np.testing.assert_array_equal(first[key], again[key])
    assert not np.array_equal(first["video"], other["video"])
    assert not np.array_equal(first["moves"], other["moves"])


def test_iterate_is_deterministic_and_endless():
    walk = RandomWalk(num_frames=4)
    batches = walk.iterate(2, seed=0)
    first = [next(batches) for _ in range(3)]
    batches = walk.iterate(2, seed=0)
    second = [next(batches) for _ in range(3)]
    for a, b in zip(first, second, strict=True):
        for key in KEYS:
            np.testing.assert_array_equal(a[key], b[key])
    assert not np.array_equal(first[0]["video"], first[1]["video"])
    assert first[0]["video"].shape == (2, 4, 32, 32, 3)


@pytest.mark.parametrize("name", sorted(RANDOM_WALK_CONFIGS))
def test_every_object_moves_as_its_recorded_moves_say(name):
    walk = RandomWalk.from_config(name)
    data = walk.generate(64, seed=1)
    positions = data["positions"]
    assert (positions == np.round(positions)).all()
    np.testing.assert_array_equal(_replay(walk, data), positions)
    # The displacement of each step is the sum of its atomic moves, in any order.
    displacement = walk.step_size * data["action_counts"].astype(np.int64) @ DIRECTION_VECTORS
    np.testing.assert_array_equal(positions[:, 1:] - positions[:, :-1], displacement)
    # Moves are valid action ids, then -1 padding; counts, num_moves and actions agree.
    moves, num_moves = data["moves"], data["num_moves"]
    slots = np.arange(walk.max_moves)
    np.testing.assert_array_equal(moves >= 0, slots < num_moves[..., None])
    assert moves.max() < len(DIRECTIONS)
    np.testing.assert_array_equal(data["action_counts"].sum(axis=-1), num_moves)
    for d in range(len(DIRECTIONS)):
        np.testing.assert_array_equal(data["action_counts"][..., d], (moves == d).sum(axis=-1))
    single = num_moves == 1
    np.testing.assert_array_equal(data["actions"][single], moves[..., 0][single])
    assert (data["actions"][~single] == -1).all()


@pytest.mark.parametrize("name", sorted(RANDOM_WALK_CONFIGS))
def test_objects_stay_fully_inside_the_frame(name):
    walk = RandomWalk.from_config(name)
    data = walk.generate(200, seed=2)
    radius = data["sizes"][:, None, :, None].astype(np.float32)
    positions = data["positions"]
    assert (positions >= radius).all() and (positions <= 31 - radius).all()
    # Objects do reach the borders (so the reflection is exercised).
    assert (positions == radius).any() and (positions == 31 - radius).any()


def test_atomic_walk_takes_one_uniform_cardinal_step_per_frame():
    data = RandomWalk.from_config("atomic").generate(500, seed=3)
    assert (data["num_moves"] == 1).all()
    np.testing.assert_array_equal(data["actions"], data["moves"][..., 0])
    step = np.abs(np.diff(data["positions"], axis=1)).sum(axis=-1)
    assert (step == 2).all()  # Every ball moves by exactly one step, every frame.
    frequencies = np.bincount(data["actions"].reshape(-1), minlength=4) / data["actions"].size
    np.testing.assert_allclose(frequencies, 0.25, atol=0.02)


def test_moves_off_the_border_are_reflected():
    # Frames just large enough: a radius-3 ball has 4 centre positions per axis (3 to 6) and
    # from each of them only one of the two moves along an axis stays inside the frame, so
    # half of the proposed moves leave it and are reflected.
    walk = RandomWalk(image_size=10, num_balls=1, num_frames=30)
    data = walk.generate(50, seed=4)
    assert set(np.unique(data["positions"])) == {3.0, 4.0, 5.0, 6.0}
    np.testing.assert_array_equal(_replay(walk, data), data["positions"])
    actions, positions = data["actions"][..., 0], data["positions"][:, :-1, 0]
    # Near the top border the recorded move is never "up", near the bottom never "down", etc.
    assert not (actions[positions[..., 0] <= 4] == DIRECTIONS.index("up")).any()
    assert not (actions[positions[..., 0] >= 5] == DIRECTIONS.index("down")).any()
    assert not (actions[positions[..., 1] <= 4] == DIRECTIONS.index("left")).any()
    assert not (actions[positions[..., 1] >= 5] == DIRECTIONS.index("right")).any()
    assert set(np.unique(actions)) == {0, 1, 2, 3}


def test_compositional_steps_compose_pairs_of_atomic_moves():
    data = RandomWalk.from_config("compositional").generate(300, seed=5)
    assert (data["num_moves"] == 2).all()
    assert (data["actions"] == -1).all()  # No step is a single atomic move.
    pairs = data["moves"].reshape(-1, 2)
    assert len({tuple(pair) for pair in pairs}) == 16  # Every ordered pair occurs.
    # Steps like left-right cancel out, others move 4 pixels straight or 2 + 2 diagonally.
    step = np.abs(np.diff(data["positions"], axis=1))
    assert {tuple(s) for s in step.reshape(-1, 2)} == {(0, 0), (4, 0), (0, 4), (2, 2)}


def test_ood_compositions_use_one_to_five_moves():
    data = RandomWalk.from_config("compositional_ood").generate(300, seed=6)
    assert set(np.unique(data["num_moves"])) == {1, 2, 3, 4, 5}
    single = data["num_moves"] == 1
    assert (data["actions"][single] >= 0).all() and (data["actions"][~single] == -1).all()


def test_ood_objects_differ_from_the_training_balls():
    balls = RandomWalk.from_config("atomic").generate(300, seed=7)
    ood = RandomWalk.from_config("ood_objects").generate(300, seed=7)
    assert {SHAPES[s] for s in np.unique(balls["shapes"])} == set(BALL_SHAPES)
    assert {SHAPES[s] for s in np.unique(ood["shapes"])} == set(OOD_SHAPES)
    assert set(np.unique(balls["sizes"])) == set(BALL_RADII)
    assert set(np.unique(ood["sizes"])) == set(OOD_RADII)
    ball_colors = {tuple(c) for c in balls["colors"].reshape(-1, 3)}
    ood_colors = {tuple(c) for c in ood["colors"].reshape(-1, 3)}
    assert ball_colors == set(BALL_COLORS) and ood_colors == set(OOD_COLORS)
    assert not set(BALL_SHAPES) & set(OOD_SHAPES)
    assert not set(BALL_RADII) & set(OOD_RADII)
    assert not ball_colors & ood_colors
    # Same dynamics: one step of the same amplitude per frame.
    assert (np.abs(np.diff(ood["positions"], axis=1)).sum(axis=-1) == 2).all()


def test_colors_are_distinct_within_a_video():
    colors = RandomWalk(num_balls=6).generate(50, seed=8)["colors"]
    for video_colors in colors:
        assert len({tuple(c) for c in video_colors}) == 6


@pytest.mark.parametrize("name", ["atomic", "ood_objects"])
def test_segmentation_matches_the_rendered_pixels(name):
    walk = RandomWalk.from_config(name)
    data = walk.generate(12, seed=9)
    video, segmentation = data["video"], data["segmentation"]
    # The video is the segmentation coloured with each video's palette on black.
    palette = np.concatenate([np.zeros((12, 1, 3), np.uint8), data["colors"]], axis=1)
    for n in range(12):
        np.testing.assert_array_equal(video[n], palette[n][segmentation[n]])
    assert ((video.max(axis=-1) == 0) == (segmentation == 0)).all()
    # Independent reference rendering: objects drawn in index order, the last on top.
    for n in range(12):
        for t in (0, 7, 19):
            expected = np.zeros((32, 32), np.uint8)
            for b in range(3):
                mask = _reference_mask(
                    SHAPES[data["shapes"][n, b]],
                    int(data["sizes"][n, b]),
                    data["positions"][n, t, b].astype(int),
                    32,
                )
                expected[mask] = b + 1
            np.testing.assert_array_equal(segmentation[n, t], expected)


def test_single_ball_is_never_occluded_and_keeps_its_area():
    data = RandomWalk(num_balls=1).generate(20, seed=10)
    area = (data["segmentation"] == 1).sum(axis=(2, 3))
    assert (area == 37).all()  # The 37-pixel disc of radius 3, in every frame.


def test_other_sizes():
    walk = RandomWalk(image_size=48, num_balls=5, num_frames=2, step_size=3, radii=(2, 4))
    data = walk.generate(3, seed=0)
    assert data["video"].shape == (3, 2, 48, 48, 3)
    assert data["moves"].shape == (3, 1, 5, 1)
    assert set(np.unique(data["sizes"])) <= {2, 4}


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"image_size": 10.0}, TypeError, r"`image_size` must be an int"),
        (
            {"image_size": 9},
            ValueError,
            r"image_size.*>= 2 \* max\(radii\) \+ 2 \* step_size = 10.*Received: image_size=9",
        ),
        ({"num_balls": 0}, ValueError, r"`num_balls` must be >= 1.*Received: num_balls=0"),
        ({"num_balls": 7}, ValueError, r"`num_balls` must be <= 6.*more `colors`"),
        ({"num_frames": 1}, ValueError, r"`num_frames` must be >= 2.*at least one step"),
        ({"num_frames": True}, TypeError, r"`num_frames` must be an int"),
        ({"step_size": 0}, ValueError, r"`step_size` must be >= 1. Received: step_size=0"),
        ({"moves_per_step": 2}, TypeError, r"pair `\(min, max\)`.*moves_per_step=2"),
        ({"moves_per_step": (1, 2, 3)}, TypeError, r"pair `\(min, max\)`"),
        ({"moves_per_step": (0, 2)}, ValueError, r"moves_per_step\[0\]` must be >= 1"),
        ({"moves_per_step": (3, 2)}, ValueError, r"min <= max.*\(3, 2\).*swap"),
        ({"shapes": "circle"}, TypeError, r"`shapes` must be a non-empty list or tuple"),
        ({"shapes": ()}, TypeError, r"`shapes` must be a non-empty list or tuple"),
        ({"shapes": ("circle", "star")}, ValueError, r"unknown shapes \['star'\]"),
        ({"radii": (3, 0)}, ValueError, r"`radii\[1\]` must be >= 1"),
        ({"radii": (2.5,)}, TypeError, r"`radii\[0\]` must be an int"),
        ({"colors": ((255, 0),)}, TypeError, r"`colors\[0\]` must be an RGB triplet"),
        ({"colors": ((0, 0, 0),), "num_balls": 1}, ValueError, r"not be black"),
        ({"colors": ((256, 0, 0),), "num_balls": 1}, ValueError, r"\[0, 255\]"),
        (
            {"colors": ((9, 9, 9), (9, 9, 9)), "num_balls": 1},
            ValueError,
            r"distinct.*remove the duplicates",
        ),
    ],
)
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        RandomWalk(**kwargs)


def test_bad_call_arguments():
    walk = RandomWalk()
    with pytest.raises(ValueError, match=r"`num_sequences` must be >= 1"):
        walk.generate(0, seed=0)
    with pytest.raises(ValueError, match=r"`batch_size` must be >= 1"):
        walk.iterate(0, seed=0)
    with pytest.raises(ValueError, match=r"Unknown Random Walk config 'ood'.*'ood_objects'"):
        RandomWalk.from_config("ood")


def test_config_round_trip_and_repr():
    walk = RandomWalk.from_config("ood_objects", num_frames=5)
    assert RandomWalk(**walk.get_config()).get_config() == walk.get_config()
    assert repr(walk).startswith(
        "RandomWalk(image_size=32, num_balls=3, num_frames=5, step_size=2, "
        "moves_per_step=(1, 1), shapes=('square', 'diamond', 'triangle', 'cross'), "
        "radii=(2, 4, 5), colors=((255, 128, 0), "
    )


def test_generation_is_vectorized_and_fast_enough(capsys):
    """Speed sanity (printed, never asserted, as DESIGN.md asks): 1,000 videos per config."""
    timings = {}
    for name in RANDOM_WALK_CONFIGS:
        walk = RandomWalk.from_config(name)
        start = time.perf_counter()
        data = walk.generate(1000, seed=0)
        timings[name] = time.perf_counter() - start
        assert data["video"].shape == (1000, 20, 32, 32, 3)
    with capsys.disabled():
        print(
            "\nRandomWalk: 1000 videos in "
            + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items())
        )
