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


def load_test_scenes(
    dataset: str,
    num_scenes: int,
    keys: tuple[str, str] = ("video", "viewpoints"),
    data_dir: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The first `num_scenes` scenes of a TFDS `test` split with per-frame viewpoints.

    Returns:
        uint8 frames `[num_scenes, N, H, W, C]` and float32 viewpoints `[num_scenes, N, V]`.
    """
    from keras_dynscene.data.video_dataset import load_video_dataset

    if num_scenes < 1:
        raise ValueError(f"`num_scenes` must be >= 1; received {num_scenes}.")
    dataset_ = load_video_dataset(dataset, "test", data_dir)
    missing = [key for key in keys if key not in dataset_.element_spec]
    if missing:
        raise ValueError(
            f"'{dataset}' examples lack {missing} (they have {sorted(dataset_.element_spec)}); "
            "scene models need frames and per-frame viewpoints, e.g. narratives/*."
        )
    frames, views = [], []
    for batch in dataset_.take(num_scenes).batch(64).as_numpy_iterator():
        frames.append(batch[keys[0]])
        views.append(batch[keys[1]])
    frames, views = np.concatenate(frames), np.concatenate(views).astype("float32")
    if len(frames) < num_scenes:
        raise ValueError(
            f"The test split of '{dataset}' has {len(frames)} scenes; {num_scenes} were requested."
        )
    return frames, views
