"""Held-out clips for sampling and evaluation, from a procedural generator or a TFDS split."""

import numpy as np

SMMNIST = "stochastic_moving_mnist"


def smmnist_digits(dataset: str) -> int:
    """Digit count of a `stochastic_moving_mnist[/1digit|/2digits]` name (2 by default)."""
    config = dataset.split("/", 1)[1] if "/" in dataset else "2digits"
    counts = {"1digit": 1, "2digits": 2}
    if config not in counts:
        raise ValueError(
            f"Unknown stochastic_moving_mnist config '{config}'; expected one of {sorted(counts)}."
        )
    return counts[config]


def load_test_clips(
    dataset: str, num_clips: int, num_frames: int, seed: int = 0, data_dir: str | None = None
) -> np.ndarray:
    """uint8 test clips [num_clips, num_frames, H, W, C].

    Stochastic Moving MNIST clips are generated on the spot from MNIST *test* digits (same
    seed, same clips); any other dataset is read from its TFDS `test` split, in order.
    """
    if num_clips < 1:
        raise ValueError(f"`num_clips` must be >= 1; received {num_clips}.")
    if dataset.split("/")[0] == SMMNIST:
        from keras_dynscene.data.stochastic_moving_mnist import StochasticMovingMNIST

        generator = StochasticMovingMNIST(
            num_digits=smmnist_digits(dataset), num_frames=num_frames, digit_split="test"
        )
        return generator.generate(num_clips, seed=seed)
    from keras_dynscene.data.video_dataset import evaluation_batches
    from keras_dynscene.data.video_dataset import load_video_dataset

    clips = []
    for batch in evaluation_batches(
        load_video_dataset(dataset, "test", data_dir).take(num_clips), num_frames, 64
    ).as_numpy_iterator():
        clips.append(batch["video"])
    clips = np.concatenate(clips, axis=0)
    if len(clips) < num_clips:
        raise ValueError(
            f"The test split of '{dataset}' has {len(clips)} clips; {num_clips} were requested."
        )
    return clips
