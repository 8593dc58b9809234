"""The Random Walk datasets of VIM (thesis 8.5.1-8.5.3): objects moving in cardinal steps."""

from collections.abc import Iterator
from collections.abc import Sequence

import numpy as np

from keras_dynscene.data.config_checks import check_int

Seed = int | np.random.SeedSequence | None

# Atomic moves, by action id: a step of `step_size` pixels along (row, column).
DIRECTIONS = ("up", "down", "left", "right")
DIRECTION_VECTORS = np.array([[-1, 0], [1, 0], [0, -1], [0, 1]], dtype=np.int64)
# `DIRECTION_VECTORS[d ^ 1] == -DIRECTION_VECTORS[d]`: the opposite of action `d` is `d ^ 1`.

# Object shapes, by shape id. A shape of radius `r` fits in a (2r + 1) x (2r + 1) box centred
# on the object's position.
SHAPES = ("circle", "square", "diamond", "triangle", "cross")

# In-distribution objects (8.5.1): coloured balls of one size.
BALL_SHAPES = ("circle",)
BALL_RADII = (3,)
BALL_COLORS = (
    (255, 0, 0),  # red
    (0, 255, 0),  # green
    (0, 0, 255),  # blue
    (255, 255, 0),  # yellow
    (255, 0, 255),  # magenta
    (0, 255, 255),  # cyan
)
# Out-of-distribution objects (8.5.3): other shapes, sizes and colours, none of them seen above.
OOD_SHAPES = ("square", "diamond", "triangle", "cross")
OOD_RADII = (2, 4, 5)
OOD_COLORS = (
    (255, 128, 0),  # orange
    (128, 0, 255),  # violet
    (255, 255, 255),  # white
    (255, 128, 192),  # pink
    (128, 128, 128),  # grey
    (0, 128, 128),  # teal
)

_ATOMIC = {
    "image_size": 32,
    "num_balls": 3,
    "num_frames": 20,
    "step_size": 2,
    "moves_per_step": (1, 1),
    "shapes": BALL_SHAPES,
    "radii": BALL_RADII,
    "colors": BALL_COLORS,
}
# The named datasets of thesis 8.5: complete keyword arguments of `RandomWalk`.
RANDOM_WALK_CONFIGS = {
    # 8.5.1: each ball takes one atomic step per frame.
    "atomic": dict(_ATOMIC),
    # 8.5.2, training set of VIM-2: each step is an ordered pair of atomic moves (left-right,
    # up-left, down-down, ...), so atomic moves are never observed alone.
    "compositional": {**_ATOMIC, "moves_per_step": (2, 2)},
    # 8.5.2, OOD test set: "up to 5 choices of atomic transitions" per step.
    "compositional_ood": {**_ATOMIC, "moves_per_step": (1, 5)},
    # 8.5.3: atomic dynamics with the same amplitude, objects of unseen shapes, colours, sizes.
    "ood_objects": {**_ATOMIC, "shapes": OOD_SHAPES, "radii": OOD_RADII, "colors": OOD_COLORS},
}

# Bound the [chunk, frames, box pixels] index arrays of the renderer (~32 MB of int64).
_RENDER_CHUNK_ELEMENTS = 2**22


class RandomWalk:
    """Generator of the Random Walk videos of VIM: objects on black taking cardinal steps.

    Each video holds `num_balls` objects on a black `image_size x image_size` RGB background.
    Every object gets a distinct colour drawn from `colors`, a shape drawn from `shapes` and a
    radius drawn from `radii` (fixed for the whole video), and starts at a uniformly random
    integer position at which it lies fully inside the frame. Between two consecutive frames
    every object independently makes a random number of atomic moves, drawn uniformly from
    `moves_per_step = (min, max)`; each atomic move is a step of `step_size` pixels in one of the
    four cardinal directions (`DIRECTIONS`: 0 up, 1 down, 2 left, 3 right), drawn uniformly.
    `(1, 1)` gives the atomic Random Walk, larger counts the compositional variants (the moves
    are applied in order, e.g. left-up-up-left, and may cancel out, e.g. left-right).

    Borders reflect: an atomic move that would take an object (any of its pixels) out of the
    frame is replaced by the opposite move, so every recorded move is a real step of exactly
    `step_size` pixels and objects always lie fully inside the frame. The recorded moves are
    the ones applied, after reflection. Objects do not interact: they may overlap, in which case
    the object with the larger index is drawn on top (in the video and in the segmentation).

    `generate` returns a dict of numpy arrays (`N` sequences, `T = num_frames`,
    `B = num_balls`, `M = moves_per_step[1]`, `H = W = image_size`):

    - `video`: uint8 `[N, T, H, W, 3]`.
    - `segmentation`: uint8 `[N, T, H, W]`, 0 on the background and `b + 1` on the visible pixels
      of object `b` (for ARI / FG-ARI).
    - `positions`: float32 `[N, T, B, 2]`, the (row, column) of each object's centre in pixels,
      where pixel `(i, j)` has its centre at `(i, j)`; integer valued.
    - `moves`: int8 `[N, T - 1, B, M]`, the atomic moves (action ids) applied between frames
      `t` and `t + 1` in order, padded with -1 after the `num_moves[n, t, b]` first ones.
    - `num_moves`: uint8 `[N, T - 1, B]`, the number of atomic moves of each step.
    - `actions`: int8 `[N, T - 1, B]`, the action id of each step made of one atomic move, -1 for
      the steps composed of several moves. In the atomic dataset it is the ground-truth
      transition of every step.
    - `action_counts`: uint8 `[N, T - 1, B, 4]`, how many atomic moves of each direction compose
      each step (the order-free ground truth for compositional transitions).
    - `colors`: uint8 `[N, B, 3]`; `shapes`: uint8 `[N, B]`, indices into `SHAPES`; `sizes`:
      uint8 `[N, B]`, the radius of each object in pixels.

    So `positions[:, t + 1] - positions[:, t] == step_size * action_counts[:, t] @ D`, with
    `D = DIRECTION_VECTORS`. Generation is vectorized over sequences and objects (loops run only
    over time steps, atomic moves and objects), and the same `seed` always gives the same data.

    Args:
        image_size: side of the square frames in pixels; objects of the largest radius `r` need
            `image_size >= 2 * r + 2 * step_size`, so that from any position inside the frame
            a step one way or the other along each axis stays inside.
        num_balls: objects per video, from 1 to `len(colors)` (colours are distinct).
        num_frames: frames per video, at least 2.
        step_size: length of an atomic move in pixels, at least 1.
        moves_per_step: `(min, max)` number of atomic moves between two frames, drawn uniformly,
            with `1 <= min <= max`.
        shapes: the shape names objects are drawn from, a subset of `SHAPES`.
        radii: the radii (pixels, at least 1) objects are drawn from.
        colors: the RGB colours (uint8 triplets, not black) objects are drawn from, without
            repetition within a video.

    Raises:
        TypeError: if an argument has the wrong type (e.g. a float `step_size`).
        ValueError: if an argument is out of range (e.g. `moves_per_step=(3, 2)`).

    Example:

    ```python
    walk = RandomWalk.from_config("compositional")
    data = walk.generate(16, seed=0)
    data["video"].shape  # (16, 20, 32, 32, 3)
    data["action_counts"].shape  # (16, 19, 3, 4)
    batches = RandomWalk().iterate(batch_size=8, seed=0)
    next(batches)["actions"].shape  # (8, 19, 3)
    ```

    Reference:
        - Castrejon, "Advances in Generative Models for Dynamic Scenes", PhD thesis,
          Universite de Montreal, 2022, sections 8.5.1-8.5.3.
        - Assouel, Castrejon, Ballas, Courville, Bengio, "VIM: Variational Independent Modules
          for Video Prediction", CLeaR 2022.
    """

    def __init__(
        self,
        image_size: int = 32,
        num_balls: int = 3,
        num_frames: int = 20,
        step_size: int = 2,
        moves_per_step: Sequence[int] = (1, 1),
        shapes: Sequence[str] = BALL_SHAPES,
        radii: Sequence[int] = BALL_RADII,
        colors: Sequence[Sequence[int]] = BALL_COLORS,
    ):
        check_int("num_frames", num_frames, minimum=2, reason="a walk needs at least one step")
        check_int("step_size", step_size, minimum=1)
        self.num_frames = int(num_frames)
        self.step_size = int(step_size)
        self.moves_per_step = _check_moves_per_step(moves_per_step)
        self.shapes = _check_shapes(shapes)
        self.radii = _check_radii(radii)
        self.colors = _check_colors(colors)
        check_int(
            "num_balls",
            num_balls,
            minimum=1,
            maximum=len(self.colors),
            reason="each object of a video gets its own colour; pass more `colors`",
        )
        self.num_balls = int(num_balls)
        check_int("image_size", image_size, minimum=1)
        needed = 2 * max(self.radii) + 2 * self.step_size
        if image_size < needed:
            raise ValueError(
                f"`image_size` must be >= 2 * max(radii) + 2 * step_size = {needed} so that "
                f"objects of radius {max(self.radii)} fit in the frame and can always take a "
                f"step of {self.step_size} pixels one way or the other. Received: "
                f"image_size={image_size}. Use larger frames, smaller `radii` or a smaller "
                "`step_size`."
            )
        self.image_size = int(image_size)

    @classmethod
    def from_config(cls, name: str, **overrides) -> "RandomWalk":
        """Returns the generator of a named dataset of `RANDOM_WALK_CONFIGS`.

        Args:
            name: `"atomic"`, `"compositional"`, `"compositional_ood"` or `"ood_objects"`.
            **overrides: constructor arguments replacing those of the named config.

        Returns:
            A `RandomWalk`.

        Example:

        ```python
        walk = RandomWalk.from_config("ood_objects", num_frames=10)
        ```
        """
        if name not in RANDOM_WALK_CONFIGS:
            raise ValueError(
                f"Unknown Random Walk config {name!r}; expected one of "
                f"{sorted(RANDOM_WALK_CONFIGS)}. Received: name={name!r}"
            )
        return cls(**{**RANDOM_WALK_CONFIGS[name], **overrides})

    def get_config(self) -> dict:
        """Returns the constructor arguments: `RandomWalk(**walk.get_config())` is a copy."""
        return {
            "image_size": self.image_size,
            "num_balls": self.num_balls,
            "num_frames": self.num_frames,
            "step_size": self.step_size,
            "moves_per_step": self.moves_per_step,
            "shapes": self.shapes,
            "radii": self.radii,
            "colors": self.colors,
        }

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"

    @property
    def max_moves(self) -> int:
        """The largest number of atomic moves per step: the last axis of `moves`."""
        return self.moves_per_step[1]

    def generate(self, num_sequences: int, seed: Seed = None) -> dict[str, np.ndarray]:
        """Generates `num_sequences` videos with their ground truth.

        Args:
            num_sequences: number of videos.
            seed: an int or `np.random.SeedSequence`; the same seed gives the same data.
                `None` draws fresh entropy.

        Returns:
            A dict of numpy arrays: `video`, `segmentation`, `positions`, `moves`, `num_moves`,
            `actions`, `action_counts`, `colors`, `shapes` and `sizes` (see the class docstring
            for their shapes and meaning).

        Example:

        ```python
        data = RandomWalk().generate(8, seed=1)
        data["video"].shape  # (8, 20, 32, 32, 3)
        ```
        """
        check_int("num_sequences", num_sequences, minimum=1)
        rng = np.random.default_rng(seed)
        colors, shapes, sizes = self._sample_objects(num_sequences, rng)
        positions, moves, num_moves = self._sample_walks(sizes, rng)
        segmentation = self._render_segmentation(positions, shapes, sizes)
        # Colour lookup per sequence: row 0 (background) is black, row b + 1 is object b.
        palette = np.concatenate([np.zeros_like(colors[:, :1]), colors], axis=1)
        video = palette[np.arange(num_sequences)[:, None, None, None], segmentation]
        directions = np.arange(len(DIRECTIONS), dtype=np.int8)
        action_counts = (moves[..., None] == directions).sum(axis=-2, dtype=np.uint8)
        actions = np.where(num_moves == 1, moves[..., 0], -1).astype(np.int8)
        return {
            "video": video,
            "segmentation": segmentation,
            "positions": positions.astype(np.float32),
            "moves": moves,
            "num_moves": num_moves,
            "actions": actions,
            "action_counts": action_counts,
            "colors": colors,
            "shapes": shapes,
            "sizes": sizes,
        }

    def iterate(self, batch_size: int, seed: Seed = None) -> Iterator[dict[str, np.ndarray]]:
        """Yields batches of new videos forever (for training without TFDS).

        Args:
            batch_size: number of videos per batch.
            seed: an int or `np.random.SeedSequence`; the same seed gives the same batches in
                the same order. `None` draws fresh entropy.

        Returns:
            An infinite iterator of dicts like those of `generate(batch_size)`.

        Example:

        ```python
        batches = RandomWalk().iterate(batch_size=16, seed=0)
        videos = next(batches)["video"]  # uint8 [16, 20, 32, 32, 3]
        ```
        """
        check_int("batch_size", batch_size, minimum=1)
        return self._iterate(batch_size, np.random.SeedSequence(seed))

    def _iterate(
        self, batch_size: int, seed_sequence: np.random.SeedSequence
    ) -> Iterator[dict[str, np.ndarray]]:
        while True:
            (batch_seed,) = seed_sequence.spawn(1)
            yield self.generate(batch_size, batch_seed)

    def _sample_objects(
        self, num_sequences: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        shape = (num_sequences, self.num_balls)
        # Distinct colours per video: the first `num_balls` of a random permutation.
        order = np.argsort(rng.random((num_sequences, len(self.colors))), axis=1)
        colors = np.array(self.colors, dtype=np.uint8)[order[:, : self.num_balls]]
        shape_ids = np.array([SHAPES.index(name) for name in self.shapes], dtype=np.uint8)
        shapes = shape_ids[rng.integers(0, len(shape_ids), size=shape)]
        sizes = np.array(self.radii, dtype=np.uint8)[rng.integers(0, len(self.radii), size=shape)]
        return colors, shapes, sizes

    def _sample_walks(
        self, sizes: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        num_sequences = sizes.shape[0]
        steps = self.num_frames - 1
        # An object of radius r lies fully inside the frame iff its centre is in [low, high].
        low = sizes.astype(np.int64)[..., None]  # [N, B, 1]
        high = self.image_size - 1 - low
        position = rng.integers(low, high + 1, size=(num_sequences, self.num_balls, 2))
        min_moves, max_moves = self.moves_per_step
        num_moves = rng.integers(
            min_moves, max_moves + 1, size=(num_sequences, steps, self.num_balls)
        ).astype(np.uint8)
        proposed = rng.integers(
            0, len(DIRECTIONS), size=(num_sequences, steps, self.num_balls, max_moves)
        )
        positions = np.empty((num_sequences, self.num_frames, self.num_balls, 2), np.int64)
        moves = np.full(proposed.shape, -1, dtype=np.int8)
        positions[:, 0] = position
        for t in range(steps):
            for k in range(max_moves):
                action = proposed[:, t, :, k]
                target = position + self.step_size * DIRECTION_VECTORS[action]
                leaves = ((target < low) | (target > high)).any(axis=-1)
                action = np.where(leaves, action ^ 1, action)  # Reflect off the border.
                active = k < num_moves[:, t]
                move = self.step_size * DIRECTION_VECTORS[action]
                position = position + np.where(active[..., None], move, 0)
                moves[:, t, :, k] = np.where(active, action, -1)
            positions[:, t + 1] = position
        return positions, moves, num_moves

    def _render_segmentation(
        self, positions: np.ndarray, shapes: np.ndarray, sizes: np.ndarray
    ) -> np.ndarray:
        num_sequences = positions.shape[0]
        size, frames = self.image_size, self.num_frames
        stamps, box_rows, box_cols = _shape_stamps(max(self.radii))  # [S, R + 1, P], [P], [P]
        # One extra "discard" pixel per frame receives the box pixels outside an object.
        discard = size * size
        segmentation = np.zeros((num_sequences, frames, discard + 1), dtype=np.uint8)
        chunk = max(1, _RENDER_CHUNK_ELEMENTS // (frames * box_rows.size))
        for start in range(0, num_sequences, chunk):
            stop = min(start + chunk, num_sequences)
            window = segmentation[start:stop]  # A view: writes go to `segmentation`.
            for b in range(self.num_balls):
                centre = positions[start:stop, :, b]  # [n, T, 2]
                rows = centre[..., :1] + box_rows  # [n, T, P]
                cols = centre[..., 1:] + box_cols
                inside = stamps[shapes[start:stop, b], sizes[start:stop, b]][:, None, :]
                index = np.where(inside, rows * size + cols, discard)
                # Objects are drawn in index order: the larger index ends on top.
                np.put_along_axis(window, index, np.uint8(b + 1), axis=2)
        return segmentation[..., :discard].reshape(num_sequences, frames, size, size)


def _shape_stamps(max_radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pixel masks of every shape and radius, in the box of side `2 * max_radius + 1`.

    Returns:
        `(stamps, rows, cols)`: bool `[len(SHAPES), max_radius + 1, P]` masks over the
        `P = (2 * max_radius + 1) ** 2` box pixels, whose offsets from the centre are
        `(rows, cols)`.
    """
    offsets = np.arange(-max_radius, max_radius + 1)
    rows = np.repeat(offsets, offsets.size)
    cols = np.tile(offsets, offsets.size)
    r = np.arange(max_radius + 1)[:, None]  # [R + 1, 1]: one radius per row.
    dy, dx = np.abs(rows), np.abs(cols)
    in_box = (dy <= r) & (dx <= r)
    half_width = r // 3  # Arm half-width of the cross.
    stamps = {
        # Pixels whose centre lies within r + 0.5 of the object's centre.
        "circle": rows**2 + cols**2 <= r * (r + 1),
        "square": in_box,
        "diamond": dy + dx <= r,
        # Apex up, base on the bottom row of the box.
        "triangle": in_box & (2 * dx <= rows + r),
        "cross": in_box & ((dy <= half_width) | (dx <= half_width)),
    }
    return np.stack([stamps[name] for name in SHAPES]), rows, cols


def _check_moves_per_step(moves_per_step) -> tuple[int, int]:
    if (
        isinstance(moves_per_step, (str, bytes))
        or not isinstance(moves_per_step, Sequence)
        or len(moves_per_step) != 2
    ):
        raise TypeError(
            "`moves_per_step` must be a pair `(min, max)` of ints, e.g. (1, 1) for the atomic "
            f"walk or (2, 2) for exactly two moves. Received: moves_per_step={moves_per_step!r}"
        )
    low, high = moves_per_step
    check_int("moves_per_step[0]", low, minimum=1)
    check_int("moves_per_step[1]", high, minimum=1)
    if low > high:
        raise ValueError(
            "`moves_per_step` must be `(min, max)` with min <= max. Received: "
            f"moves_per_step={tuple(moves_per_step)!r}; swap the two values."
        )
    return int(low), int(high)


def _check_nonempty_sequence(name: str, value, example: str) -> None:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) == 0:
        raise TypeError(
            f"`{name}` must be a non-empty list or tuple, e.g. {name}={example}. "
            f"Received: {name}={value!r}"
        )


def _check_shapes(shapes) -> tuple[str, ...]:
    _check_nonempty_sequence("shapes", shapes, "('circle',)")
    unknown = [shape for shape in shapes if shape not in SHAPES]
    if unknown:
        raise ValueError(
            f"`shapes` must be names from {SHAPES}. Received unknown shapes {unknown} in "
            f"shapes={tuple(shapes)!r}."
        )
    return tuple(shapes)


def _check_radii(radii) -> tuple[int, ...]:
    _check_nonempty_sequence("radii", radii, "(3,)")
    for index, radius in enumerate(radii):
        check_int(f"radii[{index}]", radius, minimum=1)
    return tuple(int(radius) for radius in radii)


def _check_colors(colors) -> tuple[tuple[int, int, int], ...]:
    _check_nonempty_sequence("colors", colors, "((255, 0, 0), (0, 255, 0))")
    checked = []
    for index, color in enumerate(colors):
        if (
            isinstance(color, (str, bytes))
            or not isinstance(color, (Sequence, np.ndarray))
            or len(color) != 3
            or any(
                isinstance(c, (bool, np.bool_)) or not isinstance(c, (int, np.integer))
                for c in color
            )
        ):
            raise TypeError(
                f"`colors[{index}]` must be an RGB triplet of ints, e.g. (255, 0, 0). "
                f"Received: colors[{index}]={color!r}"
            )
        rgb = tuple(int(c) for c in color)
        if not all(0 <= c <= 255 for c in rgb) or rgb == (0, 0, 0):
            raise ValueError(
                f"`colors[{index}]` must have values in [0, 255] and not be black (0, 0, 0), "
                f"the background. Received: colors[{index}]={rgb}"
            )
        checked.append(rgb)
    if len(set(checked)) != len(checked):
        raise ValueError(
            "`colors` must be distinct so that each object of a video has its own colour. "
            f"Received: colors={tuple(checked)!r}; remove the duplicates."
        )
    return tuple(checked)
