"""The procedural "narrative" videos of JUMP (Kumar et al., 2018, section 4.1), vectorized numpy."""

from collections.abc import Iterator
from collections.abc import Sequence

import keras
import numpy as np

from keras_dynscene.data.config_checks import check_int

NARRATIVES = ("traveling_salesman", "color_reaction")
# Four shape kinds; the paper names a square and a pentagon (Figure 4), the other two are ours.
SHAPE_NAMES = ("circle", "square", "triangle", "pentagon")
# Twelve colours, distinct on the black background (the paper names green and white).
COLOR_NAMES = (
    "white",
    "red",
    "green",
    "blue",
    "yellow",
    "cyan",
    "magenta",
    "orange",
    "purple",
    "pink",
    "brown",
    "grey",
)
PALETTE = np.array(
    [
        (255, 255, 255),
        (230, 25, 25),
        (40, 200, 40),
        (50, 90, 255),
        (255, 225, 25),
        (0, 220, 220),
        (230, 40, 230),
        (255, 140, 0),
        (145, 60, 220),
        (255, 150, 190),
        (150, 95, 40),
        (140, 140, 140),
    ],
    dtype=np.uint8,
)
# Four sizes: diameters of the shapes' circumscribed circles as fractions of the frame side
# (12, 14, 16 and 18 pixels in 64x64 frames).
RELATIVE_SIZES = (0.1875, 0.21875, 0.25, 0.28125)
DEFAULT_NUM_FRAMES = {"traveling_salesman": 21, "color_reaction": 12}
MIN_IMAGE_SIZE = 32
MAX_NUM_SHAPES = 8
MAX_RELATIVE_SIZE = 0.3
MIN_GAP = 2.0  # pixels between the circumscribed circles of two shapes at their start positions
# Largest share of the placement area that the shapes' exclusion discs may fill; above it random
# non-overlapping placement gets slow or stuck.
MAX_PACKING_DENSITY = 0.45
_RENDER_CHUNK = 256  # sequences rendered at once (bounds the index arrays to ~100 MB)
_MAX_PLACEMENT_TRIES = 64
_MAX_PLACEMENT_RESTARTS = 1000
# Regular polygons: number of sides and angle of the first vertex (x right, y down).
_POLYGONS = {
    "square": (4, -np.pi / 4),  # axis-aligned
    "triangle": (3, -np.pi / 2),  # a vertex up
    "pentagon": (5, -np.pi / 2),  # a vertex up
}

Seed = int | np.random.SeedSequence | None


class Narratives:
    """Generator of the "narrative" videos of JUMP (Kumar et al., 2018, section 4.1).

    Each video shows `num_shapes` shapes (5 in the paper) on a black background. Every shape
    independently gets a random kind (out of 4: circle, square, triangle, pentagon), colour (out
    of 12, see `COLOR_NAMES`) and size (out of 4, see `RELATIVE_SIZES`), and a uniformly random
    start position; shapes start apart from each other (their circumscribed circles at least
    `MIN_GAP` = 2 pixels apart) and lie fully inside the frame in every frame. Shape 0 moves in
    straight lines at constant speed per leg; the others stay put. A shape "visits" another when
    it reaches the point where their circumscribed circles touch, on the line from where it comes
    from to the other shape's centre, so both stay visible. The moving shape is drawn on top.

    - `"traveling_salesman"`: shape 0 visits the `num_shapes - 1` others (4 in the paper) in a
      uniformly random order. Visit `k` (1-based) ends at frame
      `k * (num_frames - 1) / (num_shapes - 1)`, rounded half up: with the default 21 frames and
      5 shapes, frames 5, 10, 15 and 20. After a visit it heads for the next shape straight away.
    - `"color_reaction"`: shape 0 moves to shape 1 over the first half of the video, arriving at
      frame `num_frames // 2 - 1`; from frame `num_frames // 2` on, shape 1 has a new colour,
      drawn uniformly from the 11 other colours. With the paper's 12 frames: shape 0 moves over
      frames 1-6 and shape 1 shows the new colour in frames 7-12 (0-based: 0-5 and 6-11).
      Shapes 2 and up stand still.

    Timestamps are the viewpoints of JUMP: frame `t` of `T` has the viewpoint `t / (T - 1)`, a
    float32 vector of size 1 in [0, 1]. Generation is vectorized over sequences, frames and
    pixels (loops run only over shape kinds, shape slots, placement retries and chunks of
    sequences), and the same
    `seed` always gives the same videos.

    Args:
        narrative: `"traveling_salesman"` or `"color_reaction"`.
        image_size: side of the square frames in pixels, at least 32. Shape sizes scale with it.
        num_frames: frames per video; `None` takes the narrative's default, 21 for
            `"traveling_salesman"` (our choice: 5 frames per visit) and 12 for
            `"color_reaction"` (the paper's). `"traveling_salesman"` needs at least
            `num_shapes` frames (one per visit and the start), `"color_reaction"` at least 4.
        num_shapes: shapes per video, from 2 to 8; 5 in the paper.
        relative_sizes: the size classes: diameters of the shapes' circumscribed circles as
            fractions of `image_size`, each in (0, 0.3]. The paper has 4 sizes without giving
            them; the default is 12, 14, 16 and 18 pixels at 64x64.
        antialias: if `True`, shape edges are anti-aliased (pixel coverage blends the colour
            into what lies below); if `False`, every pixel is the background or exactly one
            palette colour.

    Raises:
        TypeError: if an argument has the wrong type (e.g. a float `image_size`).
        ValueError: if an argument is out of range, or the shapes would not fit in the frame.

    Example:

    ```python
    narratives = Narratives("traveling_salesman", image_size=64)
    data = narratives.generate(16, seed=0)
    data["video"].shape  # (16, 21, 64, 64, 3), uint8
    data["viewpoints"].shape  # (16, 21, 1), float32 timestamps in [0, 1]
    data["order"][0]  # e.g. [3, 1, 4, 2]: the shapes shape 0 visits, in order
    batches = Narratives("color_reaction").iterate(batch_size=32, seed=0)
    next(batches)["new_color"].shape  # (32,)
    ```

    Reference:
        - [Kumar et al., Consistent Generative Query Networks (JUMP), 2018](
          https://arxiv.org/abs/1807.02033)
    """

    def __init__(
        self,
        narrative: str = "traveling_salesman",
        image_size: int = 64,
        num_frames: int | None = None,
        num_shapes: int = 5,
        relative_sizes: Sequence[float] = RELATIVE_SIZES,
        antialias: bool = False,
    ):
        if narrative not in NARRATIVES:
            raise ValueError(
                f"`narrative` must be one of {NARRATIVES}. Received: narrative={narrative!r}"
            )
        check_int(
            "image_size",
            image_size,
            minimum=MIN_IMAGE_SIZE,
            reason="smaller frames leave shapes only a few pixels wide",
        )
        check_int("num_shapes", num_shapes, minimum=2, maximum=MAX_NUM_SHAPES)
        if num_frames is None:
            num_frames = DEFAULT_NUM_FRAMES[narrative]
        if narrative == "traveling_salesman":
            min_frames = num_shapes
            reason = f"one for the start and one per visit of the {num_shapes - 1} other shapes"
        else:
            min_frames = 4
            reason = "the move takes the first half of the video, the colour change the second"
        check_int("num_frames", num_frames, minimum=min_frames, reason=reason)
        relative_sizes = _check_relative_sizes(relative_sizes)
        if not isinstance(antialias, (bool, np.bool_)):
            raise TypeError(f"`antialias` must be a bool. Received: antialias={antialias!r}")
        self.narrative = narrative
        self.image_size = int(image_size)
        self.num_frames = int(num_frames)
        self.num_shapes = int(num_shapes)
        self.relative_sizes = relative_sizes
        self.antialias = bool(antialias)
        density = self.packing_density
        if density > MAX_PACKING_DENSITY:
            raise ValueError(
                f"{self.num_shapes} shapes of up to {max(relative_sizes)} x image_size do not "
                f"fit apart in the frame: they would fill {density:.2f} of it, expected at most "
                f"{MAX_PACKING_DENSITY}. Received: num_shapes={self.num_shapes}, "
                f"relative_sizes={relative_sizes}. Use fewer or smaller shapes."
            )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(narrative={self.narrative!r}, image_size={self.image_size}, "
            f"num_frames={self.num_frames}, num_shapes={self.num_shapes}, "
            f"relative_sizes={self.relative_sizes}, antialias={self.antialias})"
        )

    @property
    def diameters(self) -> np.ndarray:
        """float64 `[num_sizes]`: the size classes' circumscribed-circle diameters in pixels."""
        return np.asarray(self.relative_sizes) * self.image_size

    @property
    def packing_density(self) -> float:
        """Share of the placement area the shapes' exclusion discs fill at the largest size."""
        radius = self.diameters.max() / 2
        area = (self.image_size + MIN_GAP) ** 2
        return float(self.num_shapes * np.pi * (radius + MIN_GAP / 2) ** 2 / area)

    @property
    def waypoint_frames(self) -> np.ndarray:
        """int64: the frames at which shape 0 reaches its waypoints, starting with frame 0.

        `"traveling_salesman"`: frame 0 and the end of each of the `num_shapes - 1` visits;
        `"color_reaction"`: frame 0 and the arrival at shape 1 (`num_frames // 2 - 1`).
        """
        if self.narrative == "color_reaction":
            return np.array([0, self.num_frames // 2 - 1])
        legs = self.num_shapes - 1
        return (np.arange(legs + 1) * (self.num_frames - 1) + legs // 2) // legs

    def generate(self, num_sequences: int, seed: Seed = None, progress: bool = False) -> dict:
        """Generates `num_sequences` videos and their ground truth.

        The videos take `N * T * S * S * 3` bytes (258 MB per 1,000 default traveling-salesman
        videos): for large counts use `iterate` or the TFDS builder `narratives`.

        Args:
            num_sequences: number of videos.
            seed: an int or `np.random.SeedSequence`; the same seed gives the same videos.
                `None` draws fresh entropy.
            progress: if `True`, shows a `keras.utils.Progbar` while rendering.

        Returns:
            A dict of numpy arrays (`N = num_sequences`, `T = num_frames`, `K = num_shapes`,
            `S = image_size`); shape 0 is the one that moves:

            - `"video"`: uint8 `[N, T, S, S, 3]`, RGB.
            - `"viewpoints"`: float32 `[N, T, 1]`, the timestamps `t / (T - 1)`.
            - `"shapes"`: int32 `[N, K]`, indices into `SHAPE_NAMES`.
            - `"colors"`: int32 `[N, K]`, indices into `COLOR_NAMES` / `PALETTE`, at frame 0.
            - `"sizes"`: int32 `[N, K]`, indices into `relative_sizes` / `diameters`.
            - `"positions"`: float32 `[N, T, K, 2]`, the shapes' centres in pixels,
              (row, column) order; pixel `(i, j)` covers `[i, i + 1) x [j, j + 1)`.
            - `"traveling_salesman"` only: `"order"`, int32 `[N, K - 1]`, the shapes shape 0
              visits, in order (a permutation of `1..K-1`), and `"visit_frames"`, int32
              `[N, K - 1]`, the frame at which each visit ends.
            - `"color_reaction"` only: `"new_color"`, int32 `[N]`, the colour of shape 1 from
              frame `"change_frame"` (int32 `[N]`) on.

        Example:

        ```python
        data = Narratives("color_reaction").generate(8, seed=1)
        data["change_frame"]  # [6, 6, 6, 6, 6, 6, 6, 6]
        ```
        """
        check_int("num_sequences", num_sequences, minimum=1)
        if not isinstance(progress, (bool, np.bool_)):
            raise TypeError(f"`progress` must be a bool. Received: progress={progress!r}")
        rng = np.random.default_rng(seed)
        data = self._sample_scenes(num_sequences, rng)
        new_color = data.get("new_color")
        bar = keras.utils.Progbar(num_sequences, unit_name="video") if progress else None
        video = np.empty(
            (num_sequences, self.num_frames, self.image_size, self.image_size, 3), np.uint8
        )
        for start in range(0, num_sequences, _RENDER_CHUNK):
            part = slice(start, start + _RENDER_CHUNK)
            video[part] = self._render(
                data["shapes"][part],
                data["colors"][part],
                data["sizes"][part],
                data["positions"][part],
                new_color=None if new_color is None else new_color[part],
            )
            if bar is not None:
                bar.add(video[part].shape[0])
        timestamps = np.arange(self.num_frames, dtype=np.float32) / (self.num_frames - 1)
        viewpoints = np.tile(timestamps[None, :, None], (num_sequences, 1, 1))
        return {"video": video, "viewpoints": viewpoints, **data}

    def iterate(self, batch_size: int, seed: Seed = None) -> Iterator[dict]:
        """Yields batches of new videos forever (for training without TFDS).

        Args:
            batch_size: number of videos per batch.
            seed: an int or `np.random.SeedSequence`; the same seed gives the same batches in
                the same order. `None` draws fresh entropy.

        Returns:
            An infinite iterator of dicts shaped like the output of `generate(batch_size)`.

        Example:

        ```python
        batches = Narratives().iterate(batch_size=16, seed=0)
        first = next(batches)["video"]  # uint8 [16, 21, 64, 64, 3]
        ```
        """
        check_int("batch_size", batch_size, minimum=1)
        if isinstance(seed, np.random.SeedSequence):
            base = seed
        else:
            base = np.random.SeedSequence(seed)
        return self._iterate(batch_size, base)

    def _iterate(self, batch_size: int, base: np.random.SeedSequence) -> Iterator[dict]:
        index = 0
        while True:
            # The children `spawn` would make, without changing the caller's SeedSequence.
            child = np.random.SeedSequence(
                base.entropy, spawn_key=(*base.spawn_key, index), pool_size=base.pool_size
            )
            yield self.generate(batch_size, child)
            index += 1

    def _sample_scenes(self, num_sequences: int, rng: np.random.Generator) -> dict:
        shape = (num_sequences, self.num_shapes)
        shapes = rng.integers(0, len(SHAPE_NAMES), size=shape)
        colors = rng.integers(0, len(PALETTE), size=shape)
        sizes = rng.integers(0, len(self.relative_sizes), size=shape)
        radii = self.diameters[sizes] / 2
        centres = self._sample_centres(radii, rng)
        mover_radius = radii[:, :1]
        if self.narrative == "traveling_salesman":
            order = np.argsort(rng.random((num_sequences, self.num_shapes - 1)), axis=1) + 1
            targets = order
        else:
            targets = np.ones((num_sequences, 1), dtype=np.int64)
        waypoints = [centres[:, 0]]
        for leg in range(targets.shape[1]):
            target = np.take_along_axis(centres, targets[:, leg, None, None], axis=1)[:, 0]
            target_radius = np.take_along_axis(radii, targets[:, leg, None], axis=1)
            away = waypoints[-1] - target
            norm = np.linalg.norm(away, axis=-1, keepdims=True)
            direction = np.where(norm > 1e-9, away / np.maximum(norm, 1e-9), [0.0, 1.0])
            touching = target + direction * (mover_radius + target_radius)
            # Only when the mover starts closer than touching distance (after visiting a
            # neighbour) can this point leave the frame; clipping it keeps the shapes touching
            # or overlapping, because every centre lies at least the largest radius inside.
            waypoints.append(np.clip(touching, mover_radius, self.image_size - mover_radius))
        positions = np.repeat(centres[:, None], self.num_frames, axis=1)
        positions[:, :, 0] = self._interpolate(np.stack(waypoints, axis=1))
        data = {
            "shapes": shapes.astype(np.int32),
            "colors": colors.astype(np.int32),
            "sizes": sizes.astype(np.int32),
            "positions": positions.astype(np.float32),
        }
        if self.narrative == "traveling_salesman":
            visits = np.tile(self.waypoint_frames[1:], (num_sequences, 1))
            data.update(order=order.astype(np.int32), visit_frames=visits.astype(np.int32))
        else:
            # Uniform over the 11 colours other than shape 1's.
            new_color = (colors[:, 1] + rng.integers(1, len(PALETTE), size=num_sequences)) % len(
                PALETTE
            )
            change_frame = np.full(num_sequences, self.waypoint_frames[-1] + 1)
            data.update(
                new_color=new_color.astype(np.int32), change_frame=change_frame.astype(np.int32)
            )
        return data

    def _sample_centres(self, radii: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Uniform start centres, shapes apart: greedy rejection, restarting stuck sequences."""
        margin = self.diameters.max() / 2  # Any shape fits wherever a centre lies.
        low, high = margin, self.image_size - margin
        num_sequences = radii.shape[0]
        centres = np.empty((num_sequences, self.num_shapes, 2))
        pending = np.arange(num_sequences)
        for _ in range(_MAX_PLACEMENT_RESTARTS):
            radius = radii[pending]
            placed = np.empty((pending.size, self.num_shapes, 2))
            ok = np.ones(pending.size, dtype=bool)
            for k in range(self.num_shapes):
                todo = np.flatnonzero(ok)
                for _ in range(_MAX_PLACEMENT_TRIES):
                    candidate = rng.uniform(low, high, size=(todo.size, 2))
                    distance = np.linalg.norm(candidate[:, None] - placed[todo, :k], axis=-1)
                    needed = radius[todo, :k] + radius[todo, k, None] + MIN_GAP
                    fits = (distance >= needed).all(axis=1)
                    placed[todo[fits], k] = candidate[fits]
                    todo = todo[~fits]
                    if todo.size == 0:
                        break
                ok[todo] = False
            centres[pending[ok]] = placed[ok]
            pending = pending[~ok]
            if pending.size == 0:
                return centres
        raise RuntimeError(
            f"Could not place {self.num_shapes} shapes apart in {pending.size} sequences after "
            f"{_MAX_PLACEMENT_RESTARTS} restarts. Use fewer or smaller shapes."
        )

    def _interpolate(self, waypoints: np.ndarray) -> np.ndarray:
        """Piecewise-linear path `[N, T, 2]` through `waypoints` `[N, L + 1, 2]`, then still."""
        frames = self.waypoint_frames
        t = np.arange(self.num_frames)
        leg = np.clip(np.searchsorted(frames, t, side="right") - 1, 0, len(frames) - 2)
        fraction = np.clip((t - frames[leg]) / (frames[leg + 1] - frames[leg]), 0.0, 1.0)
        start, end = waypoints[:, leg], waypoints[:, leg + 1]
        return start + fraction[None, :, None] * (end - start)

    def _patch_size(self) -> int:
        # Covers a shape's circumscribed circle plus the anti-aliasing fringe around any centre.
        return min(self.image_size, 2 * int(np.ceil(self.diameters.max() / 2 + 2)))

    def _coverage(
        self, kinds: np.ndarray, centres: np.ndarray, radii: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pixel coverage of M shapes in square patches: (origins int `[M, 2]`, `[M, P, P]`)."""
        size = self._patch_size()
        origins = np.clip(np.floor(centres).astype(np.int64) - size // 2, 0, self.image_size - size)
        pixel = np.arange(size) + 0.5
        dy = (origins[:, 0, None] + pixel - centres[:, 0, None])[:, :, None]  # [M, P, 1]
        dx = (origins[:, 1, None] + pixel - centres[:, 1, None])[:, None, :]  # [M, 1, P]
        signed = np.empty((kinds.size, size, size), dtype=np.float32)
        for kind, name in enumerate(SHAPE_NAMES):
            chosen = kinds == kind
            if chosen.any():
                signed[chosen] = _signed_distance(
                    name, dy[chosen], dx[chosen], radii[chosen, None, None], self.antialias
                )
        if self.antialias:
            return origins, np.clip(0.5 - signed, 0.0, 1.0)
        return origins, (signed <= 0.0).astype(np.float32)

    def _pixel_index(self, origins: np.ndarray, frame_ids: np.ndarray) -> np.ndarray:
        """Flat pixel indices `[M, P, P]` of patches at `origins` in frames `frame_ids`."""
        size = self._patch_size()
        patch = np.arange(size)
        offsets = patch[:, None] * self.image_size + patch[None, :]
        corner = frame_ids * self.image_size**2 + origins[:, 0] * self.image_size + origins[:, 1]
        return corner[:, None, None] + offsets

    def _render(
        self,
        shapes: np.ndarray,
        colors: np.ndarray,
        sizes: np.ndarray,
        positions: np.ndarray,
        new_color: np.ndarray | None = None,
    ) -> np.ndarray:
        num_sequences = shapes.shape[0]
        frames, image = self.num_frames, self.image_size
        radii = (self.diameters[sizes] / 2).astype(np.float32)
        sequence_ids = np.arange(num_sequences)
        # Still shapes (1 and up) never overlap: draw each once per sequence and add them up.
        canvas = np.zeros((num_sequences * image * image, 3), dtype=np.float32)
        changed = canvas.copy() if new_color is not None else None
        for k in range(1, self.num_shapes):
            origins, coverage = self._coverage(shapes[:, k], positions[:, 0, k], radii[:, k])
            index = self._pixel_index(origins, sequence_ids)
            canvas[index] += coverage[..., None] * PALETTE[colors[:, k]][:, None, None]
            if changed is not None:
                color = colors[:, k] if k != 1 else new_color
                changed[index] += coverage[..., None] * PALETTE[color][:, None, None]
        still = np.rint(canvas).astype(np.uint8).reshape(num_sequences, 1, image, image, 3)
        video = np.repeat(still, frames, axis=1)
        if changed is not None:
            after = np.rint(changed).astype(np.uint8).reshape(num_sequences, 1, image, image, 3)
            change_frame = self.waypoint_frames[-1] + 1
            video[:, change_frame:] = after
        # The moving shape 0, on top, one patch per frame.
        origins, coverage = self._coverage(
            np.repeat(shapes[:, 0], frames),
            positions[:, :, 0].reshape(-1, 2),
            np.repeat(radii[:, 0], frames),
        )
        index = self._pixel_index(origins, np.arange(num_sequences * frames))
        flat = video.reshape(-1, 3)  # A view: writes go to `video`.
        color = np.repeat(PALETTE[colors[:, 0]], frames, axis=0)[:, None, None].astype(np.float32)
        alpha = coverage[..., None]
        flat[index] = np.rint(flat[index] * (1.0 - alpha) + alpha * color).astype(np.uint8)
        return video


def _signed_distance(
    name: str, dy: np.ndarray, dx: np.ndarray, radius: np.ndarray, exterior: bool = True
) -> np.ndarray:
    """Signed distance (pixels, negative inside) to a shape with circumradius `radius`.

    Exact if `exterior`; otherwise exact inside and only of the right sign outside (cheaper,
    enough for hard masks).
    """
    if name == "circle":
        return np.sqrt(dy * dy + dx * dx) - radius
    sides, first_vertex = _POLYGONS[name]
    vertex_angles = first_vertex + 2 * np.pi * np.arange(sides + 1) / sides
    normal_angles = vertex_angles[:-1] + np.pi / sides
    apothem = radius * np.cos(np.pi / sides)
    # Inside a convex polygon the distance to the boundary is the distance to the nearest edge
    # line; outside it is the distance to the nearest edge segment.
    inside = np.full(np.broadcast_shapes(dy.shape, dx.shape), -np.inf, dtype=np.float32)
    for angle in normal_angles:
        inside = np.maximum(inside, dx * np.cos(angle) + dy * np.sin(angle) - apothem)
    if not exterior:
        return inside
    outside = np.full(inside.shape, np.inf, dtype=np.float32)
    unit_x, unit_y = np.cos(vertex_angles), np.sin(vertex_angles)
    for k in range(sides):
        ex, ey = radius * (unit_x[k + 1] - unit_x[k]), radius * (unit_y[k + 1] - unit_y[k])
        px, py = dx - radius * unit_x[k], dy - radius * unit_y[k]
        t = np.clip((px * ex + py * ey) / (ex * ex + ey * ey), 0.0, 1.0)
        outside = np.minimum(outside, np.hypot(px - t * ex, py - t * ey))
    return np.where(inside <= 0.0, inside, outside)


def _check_relative_sizes(relative_sizes) -> tuple[float, ...]:
    try:
        values = tuple(float(size) for size in relative_sizes)
    except (TypeError, ValueError):
        raise TypeError(
            "`relative_sizes` must be a sequence of floats (circumscribed-circle diameters as "
            f"fractions of image_size), e.g. {RELATIVE_SIZES}. Received: "
            f"relative_sizes={relative_sizes!r}"
        ) from None
    if not values or not all(0.0 < size <= MAX_RELATIVE_SIZE for size in values):
        raise ValueError(
            f"`relative_sizes` must hold at least one size in (0, {MAX_RELATIVE_SIZE}] "
            f"(diameter / image_size), e.g. {RELATIVE_SIZES}. Received: "
            f"relative_sizes={relative_sizes!r}"
        )
    return values
