from typing import ClassVar

import numpy as np
import tensorflow_datasets as tfds

from keras_dynscene.data.narratives import Narratives
from tfds_builders.narratives import narratives_dataset_builder as narratives

# Small custom configs: the test builds a handful of short sequences per split.
_TINY = {"num_train": 3, "num_test": 2, "image_size": 32}


class NarrativesTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = narratives.Builder
    BUILDER_CONFIG_NAMES_TO_TEST: ClassVar[list] = [
        narratives.NarrativesConfig(
            name="salesman_tiny", narrative="traveling_salesman", num_frames=5, **_TINY
        ),
        narratives.NarrativesConfig(
            name="reaction_tiny", narrative="color_reaction", num_frames=4, **_TINY
        ),
    ]
    SPLITS: ClassVar[dict[str, int]] = {"train": 3, "test": 2}
    # Nothing is downloaded, so there is no dummy data: any existing folder will do.
    EXAMPLE_DIR = str(narratives.Builder.code_path.parent)

    def test_configs(self):
        configs = {config.name: config for config in narratives.Builder.BUILDER_CONFIGS}
        self.assertEqual(
            sorted(configs), ["color_reaction", "traveling_salesman", "traveling_salesman_32"]
        )
        for name in ("color_reaction", "traveling_salesman"):
            config = configs[name]
            self.assertEqual(config.narrative, name)
            self.assertEqual((config.num_train, config.num_test), (98_000, 1_000))
            self.assertEqual((config.image_size, config.num_shapes), (64, 5))
        small = configs["traveling_salesman_32"]
        self.assertEqual((small.narrative, small.image_size), ("traveling_salesman", 32))
        self.assertEqual((small.num_train, small.num_test), (20_000, 1_000))
        self.assertEqual(narratives.Builder.DEFAULT_BUILDER_CONFIG_NAME, "traveling_salesman")
        features = narratives.Builder(data_dir=self.tmp_dir, config="traveling_salesman").info
        features = features.features
        self.assertEqual(features["video"].shape, (21, 64, 64, 3))
        self.assertEqual(features["video"].dtype, np.uint8)
        self.assertEqual(features["viewpoints"].shape, (21, 1))
        self.assertEqual(features["viewpoints"].dtype, np.float32)
        self.assertEqual(features["positions"].shape, (21, 5, 2))
        self.assertEqual(features["order"].shape, (4,))
        self.assertNotIn("new_color", features)
        features = narratives.Builder(data_dir=self.tmp_dir, config="color_reaction").info
        features = features.features
        self.assertEqual(features["video"].shape, (12, 64, 64, 3))
        self.assertEqual(features["change_frame"].shape, ())
        self.assertEqual(features["new_color"].dtype, np.int32)
        self.assertNotIn("order", features)

    def test_generation_is_deterministic(self):
        config = self.BUILDER_CONFIG_NAMES_TO_TEST[0]
        builder = narratives.Builder(data_dir=self.tmp_dir, config=config)
        first = [ex for _, ex in builder._generate_examples("train", 3)]
        second = [ex for _, ex in builder._generate_examples("train", 3)]
        test = [ex for _, ex in builder._generate_examples("test", 3)]
        for a, b in zip(first, second, strict=True):
            for key in a:
                np.testing.assert_array_equal(a[key], b[key])
        self.assertFalse(np.array_equal(first[0]["video"], test[0]["video"]))
        self.assertEqual(first[0]["video"].shape, (5, 32, 32, 3))

    def test_read_one_example_of_a_prepared_split(self):
        config = narratives.NarrativesConfig(
            name="reaction_read", narrative="color_reaction", num_train=1, num_test=2
        )
        builder = narratives.Builder(data_dir=self.tmp_dir, config=config)
        builder.download_and_prepare()
        dataset = builder.as_dataset(split="test", shuffle_files=False)
        examples = list(tfds.as_numpy(dataset))
        self.assertEqual(len(examples), 2)
        # The split holds exactly what the generator makes from the split's fixed seed.
        seed = np.random.SeedSequence([narratives._SPLIT_SEEDS["test"], 0])
        expected = Narratives("color_reaction").generate(2, seed=seed)
        videos = {ex["video"].tobytes() for ex in examples}
        self.assertEqual(videos, {video.tobytes() for video in expected["video"]})
        example = next(ex for ex in examples if np.array_equal(ex["video"], expected["video"][0]))
        for key, value in expected.items():
            np.testing.assert_array_equal(example[key], value[0], err_msg=key)
        self.assertEqual(example["video"].shape, (12, 64, 64, 3))
        self.assertEqual(example["viewpoints"].dtype, np.float32)
        self.assertEqual(int(example["change_frame"]), 6)

    def test_bad_config(self):
        with self.assertRaisesRegex(ValueError, "num_train"):
            narratives.NarrativesConfig(name="bad", num_train=0)
        with self.assertRaisesRegex(ValueError, "image_size.*>= 32"):
            narratives.NarrativesConfig(name="bad", image_size=16)
        with self.assertRaisesRegex(ValueError, "narrative.*'traveling_salesman'"):
            narratives.NarrativesConfig(name="bad", narrative="bounce")
