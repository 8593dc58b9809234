"""Stochastic Moving MNIST (SM-MNIST): bouncing MNIST digits, vectorized with numpy."""

from collections.abc import Iterator

import numpy as np

from keras_dynscene.data.config_checks import check_int
from keras_dynscene.data.mnist_digits import load_mnist_digits
from keras_dynscene.data.mnist_digits import load_mnist_labels

DIGIT_SIZE = 28
MAX_SPEED = 4  # pixels per frame, per axis

Seed = int | np.random.SeedSequence | None


class StochasticMovingMNIST:
    """Generator of (Stochastic) Moving MNIST videos, following Denton & Fergus (2018).

    Each of the `num_digits` real MNIST digits (28x28) starts at a uniformly random position
    inside the frame with an integer velocity drawn uniformly from `[-4, 4]` pixels per frame
    on each axis, and moves in a straight line. When a digit would leave the frame it is
    stopped at the border and bounces:

    - stochastic (`deterministic=False`, SM-MNIST): it leaves the wall with a new random speed
      of 1 to 4 pixels per frame, and its velocity along the wall is redrawn from `[-4, 4]`;
    - deterministic (`deterministic=True`): its velocity component normal to the wall is
      reversed, so it keeps its speed forever.

    Digits always lie fully inside the frame. Overlapping digits are added and clipped to 255,
    as in the SVG code. Generation is vectorized over sequences and digits (a loop runs only
    over time steps), and the same `seed` always gives the same videos.

    Args:
        num_digits: number of digits per video, at least 1.
        image_size: side of the square frames in pixels, at least 28 (one digit).
        num_frames: number of frames per video, at least 1.
        deterministic: if `True`, a bounce reverses the velocity component normal to the border
            instead of drawing a new random velocity.
        digit_split: the MNIST split the digits are drawn from: `"train"`, `"validation"` or
            `"test"` (see `load_mnist_digits`). Use `"test"` for held-out test videos.

    Raises:
        TypeError: if an argument has the wrong type (e.g. a float `image_size`).
        ValueError: if an argument is out of range (e.g. `image_size < 28`).

    Example:

    ```python
    smmnist = StochasticMovingMNIST(num_digits=2, image_size=64, num_frames=30)
    videos = smmnist.generate(16, seed=0)  # uint8 [16, 30, 64, 64, 1]
    batches = smmnist.iterate(batch_size=16, seed=0)
    next(batches).shape  # (16, 30, 64, 64, 1)
    ```

    Reference:
        - [Denton & Fergus, Stochastic Video Generation with a Learned Prior, ICML 2018](
          https://arxiv.org/abs/1802.07687)
    """

    def __init__(
        self,
        num_digits: int = 2,
        image_size: int = 64,
        num_frames: int = 30,
        deterministic: bool = False,
        digit_split: str = "train",
    ):
        check_int("num_digits", num_digits, minimum=1)
        check_int(
            "image_size",
            image_size,
            minimum=DIGIT_SIZE,
            reason=f"frames must fit a whole {DIGIT_SIZE}x{DIGIT_SIZE} MNIST digit",
        )
        check_int("num_frames", num_frames, minimum=1)
        if not isinstance(deterministic, (bool, np.bool_)):
            raise TypeError(
                f"`deterministic` must be a bool. Received: deterministic={deterministic!r}"
            )
        valid_splits = ("train", "validation", "test")
        if digit_split not in valid_splits:
            raise ValueError(
                f"`digit_split` must be one of {valid_splits}. Received: "
                f"digit_split={digit_split!r}"
            )
        self.num_digits = int(num_digits)
        self.image_size = int(image_size)
        self.num_frames = int(num_frames)
        self.deterministic = bool(deterministic)
        self.digit_split = digit_split

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(num_digits={self.num_digits}, image_size={self.image_size}, "
            f"num_frames={self.num_frames}, deterministic={self.deterministic}, "
            f"digit_split={self.digit_split!r})"
        )

    @property
    def max_position(self) -> int:
        """Largest top-left coordinate at which a digit still lies fully inside the frame."""
        return self.image_size - DIGIT_SIZE

    def trajectories(self, num_sequences: int, seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
        """Returns the digit trajectories that `generate(num_sequences, seed)` renders.

        Args:
            num_sequences: number of videos.
            seed: an int or `np.random.SeedSequence`; `None` draws fresh entropy.

        Returns:
            `(positions, velocities)`, two int64 arrays of shape
            `[num_sequences, num_frames, num_digits, 2]` in (row, column) order. `positions` are
            the digits' top-left corners, in `[0, image_size - 28]`; `velocities[:, t]` is the
            step (pixels) taken from frame `t` to frame `t + 1`, after any bounce at frame `t`.

        Example:

        ```python
        positions, velocities = StochasticMovingMNIST().trajectories(4, seed=0)
        ```
        """
        check_int("num_sequences", num_sequences, minimum=1)
        return self._sample_trajectories(num_sequences, np.random.default_rng(seed))

    def generate(self, num_sequences: int, seed: Seed = None) -> np.ndarray:
        """Generates `num_sequences` videos.

        Args:
            num_sequences: number of videos.
            seed: an int or `np.random.SeedSequence`; the same seed gives the same videos.
                `None` draws fresh entropy.

        Returns:
            A uint8 array of shape `[num_sequences, num_frames, image_size, image_size, 1]`.

        Example:

        ```python
        videos = StochasticMovingMNIST(num_digits=1).generate(8, seed=1)
        ```
        """
        return self.generate_with_labels(num_sequences, seed)[0]

    def generate_with_labels(
        self, num_sequences: int, seed: Seed = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """`generate(num_sequences, seed)` and the class (0-9) of every digit in each video.

        Returns:
            `(videos, labels)`: the same uint8 videos as `generate` with the same seed, and int64
            labels of shape `[num_sequences, num_digits]`.

        Example:

        ```python
        videos, labels = StochasticMovingMNIST(num_digits=1).generate_with_labels(8, seed=1)
        ```
        """
        check_int("num_sequences", num_sequences, minimum=1)
        rng = np.random.default_rng(seed)
        positions, _ = self._sample_trajectories(num_sequences, rng)
        digits = load_mnist_digits(self.digit_split)
        digit_ids = rng.integers(0, len(digits), size=(num_sequences, self.num_digits))
        labels = load_mnist_labels(self.digit_split)[digit_ids]
        return self._render(positions, digits, digit_ids), labels

    def iterate(self, batch_size: int, seed: Seed = None) -> Iterator[np.ndarray]:
        """Yields batches of new videos forever (for training without TFDS).

        Args:
            batch_size: number of videos per batch.
            seed: an int or `np.random.SeedSequence`; the same seed gives the same batches in
                the same order. `None` draws fresh entropy.

        Returns:
            An infinite iterator of uint8 arrays of shape
            `[batch_size, num_frames, image_size, image_size, 1]`.

        Example:

        ```python
        batches = StochasticMovingMNIST().iterate(batch_size=16, seed=0)
        first = next(batches)
        ```
        """
        check_int("batch_size", batch_size, minimum=1)
        return self._iterate(batch_size, np.random.SeedSequence(seed))

    def _iterate(
        self, batch_size: int, seed_sequence: np.random.SeedSequence
    ) -> Iterator[np.ndarray]:
        while True:
            (batch_seed,) = seed_sequence.spawn(1)
            yield self.generate(batch_size, batch_seed)

    def _sample_trajectories(
        self, num_sequences: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        shape = (num_sequences, self.num_digits, 2)
        position = rng.integers(0, self.max_position + 1, size=shape)
        velocity = rng.integers(-MAX_SPEED, MAX_SPEED + 1, size=shape)
        positions = np.empty((num_sequences, self.num_frames, *shape[1:]), dtype=np.int64)
        velocities = np.empty_like(positions)
        positions[:, 0], velocities[:, 0] = position, velocity
        for t in range(1, self.num_frames):
            position = position + velocity
            below, above = position < 0, position > self.max_position
            hit = below | above
            position = np.clip(position, 0, self.max_position)
            if self.deterministic:
                velocity = np.where(hit, -velocity, velocity)
            else:
                # Away from the wall at a new speed; the other axis gets a new random velocity.
                speed = rng.integers(1, MAX_SPEED + 1, size=shape)
                along_wall = rng.integers(-MAX_SPEED, MAX_SPEED + 1, size=shape)
                other_axis_hit = hit[..., ::-1]
                velocity = np.where(
                    hit,
                    np.where(below, speed, -speed),
                    np.where(other_axis_hit, along_wall, velocity),
                )
            positions[:, t], velocities[:, t] = position, velocity
        return positions, velocities

    def _render(
        self, positions: np.ndarray, digits: np.ndarray, digit_ids: np.ndarray
    ) -> np.ndarray:
        num_sequences = positions.shape[0]
        size = self.image_size
        videos = np.zeros((num_sequences, self.num_frames, size, size), dtype=np.uint8)
        flat_videos = videos.reshape(-1)  # A view: writes go to `videos`.
        frame_pixels = size * size
        patch = np.arange(DIGIT_SIZE)
        patch_offsets = (patch[:, None] * size + patch[None, :]).reshape(-1)
        # Bound the size of the [chunk, frames, 784] index arrays (~40 MB).
        chunk = max(1, 2**22 // (self.num_frames * DIGIT_SIZE * DIGIT_SIZE))
        for start in range(0, num_sequences, chunk):
            stop = min(start + chunk, num_sequences)
            frame_ids = np.arange(start * self.num_frames, stop * self.num_frames)
            frame_starts = (frame_ids * frame_pixels).reshape(stop - start, self.num_frames, 1)
            for d in range(self.num_digits):
                corner = positions[start:stop, :, d, 0] * size + positions[start:stop, :, d, 1]
                index = frame_starts + corner[..., None] + patch_offsets
                pixels = digits[digit_ids[start:stop, d]].reshape(stop - start, 1, -1)
                if d == 0:
                    flat_videos[index] = pixels
                else:
                    total = flat_videos[index].astype(np.uint16) + pixels
                    flat_videos[index] = np.minimum(total, 255).astype(np.uint8)
        return videos[..., None]
