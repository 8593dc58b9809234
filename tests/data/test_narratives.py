import itertools
import time

import numpy as np
import pytest

from keras_dynscene.data.narratives import COLOR_NAMES
from keras_dynscene.data.narratives import PALETTE
from keras_dynscene.data.narratives import SHAPE_NAMES
from keras_dynscene.data.narratives import Narratives

# Shape areas for a circumradius of 1, by kind (circle, square, triangle, pentagon).
UNIT_AREAS = {
    "circle": np.pi,
    "square": 2.0,
    "triangle": 3 * np.sqrt(3) / 4,
    "pentagon": 2.5 * np.sin(2 * np.pi / 5),
}


def _radii(generator, data):
    return generator.diameters[data["sizes"]] / 2


def _pixel_centres(size):
    centre = np.arange(size) + 0.5
    return np.stack(np.meshgrid(centre, centre, indexing="ij"), axis=-1)  # [H, W, 2] (row, col)


@pytest.mark.parametrize(
    "narrative, frames, extra",
    [
        ("traveling_salesman", 21, {"order": (4,), "visit_frames": (4,)}),
        ("color_reaction", 12, {"new_color": (), "change_frame": ()}),
    ],
)
def test_shapes_dtypes_and_timestamps(narrative, frames, extra):
    generator = Narratives(narrative)
    assert generator.num_frames == frames  # The narrative's default length.
    data = generator.generate(3, seed=0)
    expected = {
        "video": ((3, frames, 64, 64, 3), np.uint8),
        "viewpoints": ((3, frames, 1), np.float32),
        "shapes": ((3, 5), np.int32),
        "colors": ((3, 5), np.int32),
        "sizes": ((3, 5), np.int32),
        "positions": ((3, frames, 5, 2), np.float32),
        **{key: ((3, *shape), np.int32) for key, shape in extra.items()},
    }
    assert set(data) == set(expected)
    for key, (shape, dtype) in expected.items():
        assert data[key].shape == shape, key
        assert data[key].dtype == dtype, key
    timestamps = np.arange(frames, dtype=np.float32) / (frames - 1)
    np.testing.assert_array_equal(data["viewpoints"][:, :, 0], np.tile(timestamps, (3, 1)))
    assert data["viewpoints"][0, 0, 0] == 0.0 and data["viewpoints"][0, -1, 0] == 1.0


def test_other_sizes_lengths_and_counts():
    data = Narratives("traveling_salesman", image_size=32, num_frames=9, num_shapes=3).generate(
        2, seed=0
    )
    assert data["video"].shape == (2, 9, 32, 32, 3)
    assert data["order"].shape == (2, 2)
    np.testing.assert_array_equal(data["visit_frames"], [[4, 8], [4, 8]])
    data = Narratives("color_reaction", image_size=96, num_frames=7, num_shapes=2).generate(
        2, seed=0
    )
    assert data["video"].shape == (2, 7, 96, 96, 3)
    np.testing.assert_array_equal(data["change_frame"], [3, 3])
    generator = Narratives(num_shapes=6, relative_sizes=(0.1, 0.2))
    data = generator.generate(64, seed=0)
    np.testing.assert_allclose(generator.diameters, [6.4, 12.8])
    assert set(np.unique(data["sizes"])) == {0, 1}
    np.testing.assert_array_equal(np.sort(data["order"], axis=1), np.tile(np.arange(1, 6), (64, 1)))


@pytest.mark.parametrize("narrative", ["traveling_salesman", "color_reaction"])
def test_deterministic_per_seed(narrative):
    generator = Narratives(narrative)
    first, again, other = (generator.generate(4, seed=s) for s in (3, 3, 4))
    for key in first:
        np.testing.assert_array_equal(first[key], again[key])
    assert not np.array_equal(first["video"], other["video"])
    sequence = np.random.SeedSequence(7)
    np.testing.assert_array_equal(
        generator.generate(2, seed=sequence)["video"], generator.generate(2, seed=7)["video"]
    )


def test_iterate_is_deterministic_and_endless():
    generator = Narratives("color_reaction", num_frames=4)
    first = list(itertools.islice(generator.iterate(2, seed=0), 3))
    second = list(itertools.islice(generator.iterate(2, seed=0), 3))
    for a, b in zip(first, second, strict=True):
        for key in a:
            np.testing.assert_array_equal(a[key], b[key])
    assert not np.array_equal(first[0]["video"], first[1]["video"])
    assert first[0]["video"].shape == (2, 4, 64, 64, 3)
    # A SeedSequence argument is not consumed: the same object gives the same batches again.
    sequence = np.random.SeedSequence(5)
    a = next(generator.iterate(2, seed=sequence))["video"]
    b = next(generator.iterate(2, seed=sequence))["video"]
    np.testing.assert_array_equal(a, b)


def test_attributes_are_uniform_draws():
    data = Narratives(num_frames=5).generate(600, seed=1)
    for key, count in (("shapes", len(SHAPE_NAMES)), ("colors", 12), ("sizes", 4)):
        values, counts = np.unique(data[key], return_counts=True)
        np.testing.assert_array_equal(values, np.arange(count))
        assert counts.min() > 0.6 * data[key].size / count, key
    assert len(COLOR_NAMES) == len(PALETTE) == 12 and len(SHAPE_NAMES) == 4
    assert len({tuple(color) for color in PALETTE}) == 12
    # The visiting order is a uniformly random permutation of the 4 other shapes.
    np.testing.assert_array_equal(np.sort(data["order"], axis=1), np.tile([1, 2, 3, 4], (600, 1)))
    orders = {tuple(order) for order in data["order"]}
    assert len(orders) == 24


@pytest.mark.parametrize("narrative", ["traveling_salesman", "color_reaction"])
def test_shapes_start_apart_stay_in_frame_and_only_shape_0_moves(narrative):
    generator = Narratives(narrative)
    data = generator.generate(300, seed=2)
    positions = data["positions"].astype(np.float64)
    radii = _radii(generator, data)
    # Inside the frame in every frame.
    low = positions - radii[:, None, :, None]
    high = positions + radii[:, None, :, None]
    assert low.min() >= -1e-4 and high.max() <= 64 + 1e-4
    # Shapes 1 and up stand still; shape 0 moves.
    np.testing.assert_array_equal(
        positions[:, 1:, 1:], positions[:, :1, 1:].repeat(generator.num_frames - 1, axis=1)
    )
    assert (np.abs(positions[:, -1, 0] - positions[:, 0, 0]).sum(-1) > 0).all()
    # At frame 0 all shapes are at least 2 pixels apart.
    start = positions[:, 0]
    distance = np.linalg.norm(start[:, :, None] - start[:, None], axis=-1)
    needed = radii[:, :, None] + radii[:, None] + 2.0 - 1e-4
    off_diagonal = ~np.eye(5, dtype=bool)
    assert (distance >= needed)[:, off_diagonal].all()
    # Positions cover the frame (uniform placement), not a corner.
    assert start.min() < 12 and start.max() > 52


def test_traveling_salesman_visits_every_shape_in_order():
    generator = Narratives("traveling_salesman")
    data = generator.generate(300, seed=3)
    positions = data["positions"].astype(np.float64)
    radii = _radii(generator, data)
    np.testing.assert_array_equal(data["visit_frames"], np.tile([5, 10, 15, 20], (300, 1)))
    rows = np.arange(300)
    mover = positions[:, :, 0]
    exact = 0
    for visit in range(4):
        target = data["order"][:, visit]
        frame = data["visit_frames"][:, visit]
        gap = np.linalg.norm(mover[rows, frame] - positions[rows, frame, target], axis=-1)
        contact = radii[:, 0] + radii[rows, target]
        # The shapes touch (or overlap, when the mover had to stay inside the frame).
        assert (gap <= contact + 1e-3).all()
        exact += np.isclose(gap, contact, atol=1e-3).sum()
    assert exact > 0.95 * 4 * 300
    # Straight legs at constant speed: equal steps between two visits.
    for start, stop in zip([0, 5, 10, 15], [5, 10, 15, 20]):
        steps = np.diff(mover[:, start : stop + 1], axis=1)
        np.testing.assert_allclose(steps, np.repeat(steps[:, :1], 5, axis=1), atol=1e-3)


def test_color_reaction_changes_colour_only_after_the_arrival():
    generator = Narratives("color_reaction")
    data = generator.generate(300, seed=4)
    positions = data["positions"].astype(np.float64)
    radii = _radii(generator, data)
    np.testing.assert_array_equal(data["change_frame"], np.full(300, 6))
    gap = np.linalg.norm(positions[:, :, 0] - positions[:, :, 1], axis=-1)  # [N, T]
    contact = radii[:, 0] + radii[:, 1]
    # Shape 0 approaches shape 1 over frames 0-5, arrives (touching) at frame 5, then stays.
    assert (np.diff(gap[:, :6], axis=1) < 0).all()
    np.testing.assert_allclose(gap[:, 5], contact, atol=1e-3)
    np.testing.assert_allclose(gap[:, 5:], gap[:, 5:6].repeat(7, axis=1), atol=1e-4)
    assert (gap[:, :5] > contact[:, None] + 1e-3).all()
    # The new colour differs from the old one, uniformly over the 11 others.
    assert (data["new_color"] != data["colors"][:, 1]).all()
    assert len(np.unique(data["new_color"])) == 12
    # Shape 1's centre pixel shows the old colour in frames 0-5, the new one in frames 6-11.
    rows, cols = np.floor(positions[:, 0, 1]).astype(int).T
    centre = data["video"][np.arange(300), :, rows, cols]  # [N, T, 3]
    old = PALETTE[data["colors"][:, 1]][:, None]
    new = PALETTE[data["new_color"]][:, None]
    np.testing.assert_array_equal(centre[:, :6], np.repeat(old, 6, axis=1))
    np.testing.assert_array_equal(centre[:, 6:], np.repeat(new, 6, axis=1))


@pytest.mark.parametrize("narrative", ["traveling_salesman", "color_reaction"])
def test_pixels_match_the_recorded_shapes_and_colours(narrative):
    """Geometry checked independently of the renderer: colours, areas and empty background."""
    generator = Narratives(narrative)
    data = generator.generate(40, seed=5)
    video = data["video"].astype(np.int64)
    radii = _radii(generator, data)
    pixels = _pixel_centres(64)
    colors = np.concatenate([[[0, 0, 0]], PALETTE]).astype(np.int64)
    errors = {kind: [] for kind in SHAPE_NAMES}
    # Without anti-aliasing every pixel is the background or a palette colour.
    assert np.isin(
        (video[..., 0] << 16) + (video[..., 1] << 8) + video[..., 2],
        (colors[:, 0] << 16) + (colors[:, 1] << 8) + colors[:, 2],
    ).all()
    for n in range(40):
        for t in range(0, generator.num_frames, 3):
            frame, centres = video[n, t], data["positions"][n, t].astype(np.float64)
            distance = np.linalg.norm(pixels[:, :, None] - centres, axis=-1)  # [H, W, K]
            near = distance <= radii[n] + 0.5  # Pixels that may belong to each shape.
            assert (frame[~near.any(axis=-1)] == 0).all()  # Elsewhere: black background.
            color_index = data["colors"][n].copy()
            if narrative == "color_reaction" and t >= data["change_frame"][n]:
                color_index[1] = data["new_color"][n]
            for k in range(5):
                others = np.delete(near, k, axis=-1).any(axis=-1)
                own = near[..., k] & ~others  # Where no other shape can be.
                inked = (frame[own] != 0).any(axis=-1)
                assert (frame[own][inked] == PALETTE[color_index[k]]).all()
                if not (near[..., k] & others).any():  # An isolated shape: check its area.
                    kind = SHAPE_NAMES[data["shapes"][n, k]]
                    area = UNIT_AREAS[kind] * radii[n, k] ** 2
                    error = (inked.sum() - area) / (2 * np.pi * radii[n, k])
                    errors[kind].append(error)
    # Pixel counts match the kinds' areas up to a fraction of the circumscribed circle's
    # perimeter (axis-aligned squares fluctuate most), and on average closely: a wrong kind
    # would be off by at least 0.35 on average.
    for kind, kind_errors in errors.items():
        assert len(kind_errors) > 50, kind
        assert np.abs(kind_errors).max() < 0.45, kind
        assert abs(np.mean(kind_errors)) < 0.05, kind


def test_antialiasing_blends_only_the_edges():
    hard = Narratives("color_reaction", antialias=False).generate(8, seed=6)
    soft = Narratives("color_reaction", antialias=True).generate(8, seed=6)
    for key in hard:
        if key != "video":
            np.testing.assert_array_equal(hard[key], soft[key])
    video = hard["video"].astype(np.int64)
    # Pixels whose 3x3 neighbourhood is one colour in the hard video are not edges.
    padded = np.pad(video, [(0, 0), (0, 0), (1, 1), (1, 1), (0, 0)], mode="edge")
    uniform = np.ones(video.shape[:-1], dtype=bool)
    for dy, dx in itertools.product(range(3), range(3)):
        neighbour = padded[:, :, dy : dy + 64, dx : dx + 64]
        uniform &= (neighbour == video).all(axis=-1)
    differ = (hard["video"] != soft["video"]).any(axis=-1)
    assert differ.any() and not differ[uniform].any()
    ink_hard = hard["video"].astype(np.float64).sum()
    ink_soft = soft["video"].astype(np.float64).sum()
    assert abs(ink_soft / ink_hard - 1) < 0.05


def test_progress_bar(capsys):
    Narratives(num_frames=5).generate(3, seed=0, progress=True)
    assert "3/3" in capsys.readouterr().out
    Narratives(num_frames=5).generate(3, seed=0)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"narrative": "salesman"}, ValueError, r"'traveling_salesman', 'color_reaction'.*'sales"),
        ({"image_size": 31}, ValueError, r"image_size.*>= 32.*Received: image_size=31"),
        ({"image_size": 64.0}, TypeError, r"image_size.*int.*64.0"),
        ({"num_shapes": 1}, ValueError, r"num_shapes.*>= 2.*Received: num_shapes=1"),
        ({"num_shapes": 9}, ValueError, r"num_shapes.*<= 8.*Received: num_shapes=9"),
        ({"num_frames": 4}, ValueError, r"num_frames.*>= 5.*per visit.*Received: num_frames=4"),
        (
            {"narrative": "color_reaction", "num_frames": 3},
            ValueError,
            r"num_frames.*>= 4.*Received: num_frames=3",
        ),
        ({"num_frames": True}, TypeError, r"num_frames.*int"),
        ({"relative_sizes": ()}, ValueError, r"relative_sizes.*at least one.*Received"),
        ({"relative_sizes": (0.2, 0.5)}, ValueError, r"relative_sizes.*\(0, 0.3\].*0.5"),
        ({"relative_sizes": 0.2}, TypeError, r"relative_sizes.*sequence of floats"),
        ({"relative_sizes": ("big",)}, TypeError, r"relative_sizes.*sequence.*'big'"),
        (
            {"num_shapes": 8, "relative_sizes": (0.3,)},
            ValueError,
            r"8 shapes.*do not fit.*at most 0.45.*fewer or smaller",
        ),
        ({"antialias": "yes"}, TypeError, r"antialias.*bool.*'yes'"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        Narratives(**kwargs)


def test_bad_call_arguments():
    generator = Narratives()
    with pytest.raises(ValueError, match=r"num_sequences.*>= 1.*Received: num_sequences=0"):
        generator.generate(0, seed=0)
    with pytest.raises(TypeError, match=r"num_sequences.*int"):
        generator.generate(2.0, seed=0)
    with pytest.raises(TypeError, match=r"progress.*bool"):
        generator.generate(2, seed=0, progress="yes")
    with pytest.raises(ValueError, match=r"batch_size.*>= 1"):
        generator.iterate(0, seed=0)


def test_generation_is_vectorized_and_fast_enough(capsys):
    """Speed sanity (printed, never asserted): 1,000 64x64 videos of each narrative."""
    for narrative in ("traveling_salesman", "color_reaction"):
        generator = Narratives(narrative)
        start = time.perf_counter()
        data = generator.generate(1000, seed=0)
        elapsed = time.perf_counter() - start
        assert data["video"].shape == (1000, generator.num_frames, 64, 64, 3)
        with capsys.disabled():
            print(f"\nNarratives {narrative}: 1000 videos in {elapsed:.2f} s")


def test_repr():
    assert repr(Narratives("color_reaction")) == (
        "Narratives(narrative='color_reaction', image_size=64, num_frames=12, num_shapes=5, "
        "relative_sizes=(0.1875, 0.21875, 0.25, 0.28125), antialias=False)"
    )
