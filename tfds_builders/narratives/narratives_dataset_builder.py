"""The "narrative" videos of JUMP (Kumar et al., 2018, section 4.1), generated procedurally."""

import dataclasses
from typing import ClassVar

import numpy as np
import tensorflow_datasets as tfds

from keras_dynscene.data.narratives import COLOR_NAMES
from keras_dynscene.data.narratives import RELATIVE_SIZES
from keras_dynscene.data.narratives import SHAPE_NAMES
from keras_dynscene.data.narratives import Narratives

# Fixed per-split seeds: every build of a config writes the same sequences.
_SPLIT_SEEDS = {"train": 20181000, "test": 20181001}
_CHUNK_SIZE = 500


@dataclasses.dataclass(eq=False)
class NarrativesConfig(tfds.core.BuilderConfig):
    """Configuration of a narratives dataset (see `keras_dynscene.data.Narratives`).

    Args:
        narrative: `"traveling_salesman"` or `"color_reaction"`.
        image_size: side of the square frames, in pixels (at least 32).
        num_frames: frames per video; `None` takes the narrative's default (21 for
            `"traveling_salesman"`, 12 for `"color_reaction"`).
        num_shapes: shapes per video (5 in the paper).
        relative_sizes: the size classes, circumscribed-circle diameters / `image_size`.
        antialias: whether shape edges are anti-aliased.
        num_train: number of train videos (98,000 in the paper).
        num_test: number of test videos (1,000 in the paper).

    Example:

    ```python
    config = NarrativesConfig(name="salesman_small", num_train=64, num_test=16)
    builder = tfds.builder("narratives", config=config)
    ```
    """

    narrative: str = "traveling_salesman"
    image_size: int = 64
    num_frames: int | None = None
    num_shapes: int = 5
    relative_sizes: tuple[float, ...] = RELATIVE_SIZES
    antialias: bool = False
    num_train: int = 98_000
    num_test: int = 1_000

    def __post_init__(self):
        for field in ("num_train", "num_test"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"`{field}` must be a positive int. Received: {field}={value!r}")
        self.generator()  # Validates the scene arguments with clear errors.

    def generator(self) -> Narratives:
        """The `Narratives` generator this config builds its videos with."""
        return Narratives(
            narrative=self.narrative,
            image_size=self.image_size,
            num_frames=self.num_frames,
            num_shapes=self.num_shapes,
            relative_sizes=self.relative_sizes,
            antialias=self.antialias,
        )


class Builder(tfds.core.GeneratorBasedBuilder):
    """Narratives: shapes that act out a "narrative" (JUMP, Kumar et al. 2018, section 4.1).

    Nothing is downloaded: the videos are rendered by `keras_dynscene.data.Narratives` with
    fixed seeds per split. Custom sizes are built with a JSON config, e.g.
    `tfds build --imports tfds_builders narratives
    --config '{"name": "salesman_small", "narrative": "traveling_salesman", "num_train": 64,
    "num_test": 16}'`.
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES: ClassVar[dict[str, str]] = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS: ClassVar[list[NarrativesConfig]] = [
        NarrativesConfig(
            name="traveling_salesman",
            description="Shape 0 visits the 4 other shapes in a random order (21 frames).",
            narrative="traveling_salesman",
        ),
        NarrativesConfig(
            name="color_reaction",
            description=(
                "Shape 0 moves to shape 1 in frames 0-5; shape 1 then has a new colour in "
                "frames 6-11."
            ),
            narrative="color_reaction",
        ),
        NarrativesConfig(
            name="traveling_salesman_32",
            description=(
                "Traveling salesman at 32x32 (the smallest frame size), 20,000 train videos: "
                "the data of the CPU-sized `jump_narratives_cpu` preset."
            ),
            narrative="traveling_salesman",
            image_size=32,
            num_train=20_000,
        ),
    ]
    DEFAULT_BUILDER_CONFIG_NAME = "traveling_salesman"

    def _info(self) -> tfds.core.DatasetInfo:
        generator = self.builder_config.generator()
        frames, size, shapes = generator.num_frames, generator.image_size, generator.num_shapes
        per_shape = f"[{shapes}], one per shape; shape 0 is the one that moves"
        diameters = ", ".join(f"{diameter:g}" for diameter in generator.diameters)
        features = {
            "video": tfds.features.Video(shape=(frames, size, size, 3), doc="RGB frames."),
            "viewpoints": tfds.features.Tensor(
                shape=(frames, 1),
                dtype=np.float32,
                doc="Timestamps t / (T - 1) in [0, 1], JUMP's per-frame viewpoints.",
            ),
            "shapes": tfds.features.Tensor(
                shape=(shapes,), dtype=np.int32, doc=f"Kind in {SHAPE_NAMES}, {per_shape}."
            ),
            "colors": tfds.features.Tensor(
                shape=(shapes,),
                dtype=np.int32,
                doc=f"Colour at frame 0 in {COLOR_NAMES}, {per_shape}.",
            ),
            "sizes": tfds.features.Tensor(
                shape=(shapes,),
                dtype=np.int32,
                doc=f"Size class, diameters ({diameters}) px, {per_shape}.",
            ),
            "positions": tfds.features.Tensor(
                shape=(frames, shapes, 2),
                dtype=np.float32,
                doc="Shape centres per frame in pixels, (row, column).",
            ),
        }
        if generator.narrative == "traveling_salesman":
            features["order"] = tfds.features.Tensor(
                shape=(shapes - 1,), dtype=np.int32, doc="The shapes shape 0 visits, in order."
            )
            features["visit_frames"] = tfds.features.Tensor(
                shape=(shapes - 1,), dtype=np.int32, doc="The frame at which each visit ends."
            )
        else:
            features["new_color"] = tfds.features.Scalar(
                dtype=np.int32, doc="The colour of shape 1 from `change_frame` on."
            )
            features["change_frame"] = tfds.features.Scalar(
                dtype=np.int32, doc="The first frame showing shape 1 in its new colour."
            )
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(features),
            supervised_keys=None,
            homepage="https://arxiv.org/abs/1807.02033",
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        del dl_manager  # Nothing to download.
        config = self.builder_config
        return {
            "train": self._generate_examples("train", config.num_train),
            "test": self._generate_examples("test", config.num_test),
        }

    def _generate_examples(self, split: str, num_sequences: int):
        generator = self.builder_config.generator()
        for chunk_index, start in enumerate(range(0, num_sequences, _CHUNK_SIZE)):
            count = min(_CHUNK_SIZE, num_sequences - start)
            seed = np.random.SeedSequence([_SPLIT_SEEDS[split], chunk_index])
            data = generator.generate(count, seed=seed)
            for offset in range(count):
                yield start + offset, {key: value[offset] for key, value in data.items()}
