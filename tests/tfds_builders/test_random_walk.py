from typing import ClassVar

import numpy as np
import tensorflow_datasets as tfds

from keras_dynscene.data.random_walk import RANDOM_WALK_CONFIGS
from keras_dynscene.data.random_walk import RandomWalk
from tfds_builders.random_walk import random_walk_dataset_builder as rw

# Small custom configs: the test builds a handful of short sequences per split.
_TINY = {"num_train": 3, "num_validation": 2, "num_test": 2, "num_frames": 6}


def _tiny(name: str) -> rw.RandomWalkConfig:
    return rw.RandomWalkConfig(name=f"{name}_tiny", **{**RANDOM_WALK_CONFIGS[name], **_TINY})


class RandomWalkTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = rw.Builder
    BUILDER_CONFIG_NAMES_TO_TEST: ClassVar[list] = [
        _tiny("atomic"),
        _tiny("compositional_ood"),
        _tiny("ood_objects"),
    ]
    SPLITS: ClassVar[dict[str, int]] = {"train": 3, "validation": 2, "test": 2}
    # Nothing is downloaded, so there is no dummy data: any existing folder will do.
    EXAMPLE_DIR = str(rw.Builder.code_path.parent)

    def test_configs(self):
        configs = {config.name: config for config in rw.Builder.BUILDER_CONFIGS}
        self.assertEqual(sorted(configs), sorted(RANDOM_WALK_CONFIGS))
        for name, config in configs.items():
            self.assertEqual(config.generator().get_config(), RANDOM_WALK_CONFIGS[name])
            self.assertEqual(
                (config.num_train, config.num_validation, config.num_test), (10_000, 1_000, 1_000)
            )
        info = rw.Builder(data_dir=self.tmp_dir, config="compositional_ood").info
        features = info.features
        self.assertEqual(features["video"].shape, (20, 32, 32, 3))
        self.assertEqual(features["video"].np_dtype, np.uint8)
        self.assertEqual(features["segmentation"].shape, (20, 32, 32))
        self.assertEqual(features["positions"].shape, (20, 3, 2))
        self.assertEqual(features["moves"].shape, (19, 3, 5))
        self.assertEqual(features["action_counts"].shape, (19, 3, 4))
        self.assertEqual(rw.Builder.DEFAULT_BUILDER_CONFIG_NAME, "atomic")

    def test_generation_is_deterministic_and_matches_the_generator(self):
        config = self.BUILDER_CONFIG_NAMES_TO_TEST[1]
        builder = rw.Builder(data_dir=self.tmp_dir, config=config)
        first = [ex for _, ex in builder._generate_examples("validation", 3)]
        second = [ex for _, ex in builder._generate_examples("validation", 3)]
        test = [ex for _, ex in builder._generate_examples("test", 3)]
        expected = config.generator().generate(3, seed=np.random.SeedSequence([20220851, 0]))
        for key, value in expected.items():
            np.testing.assert_array_equal(np.stack([ex[key] for ex in first]), value)
            np.testing.assert_array_equal(np.stack([ex[key] for ex in second]), value)
        self.assertFalse(
            np.array_equal(
                np.stack([ex["video"] for ex in first]), np.stack([ex["video"] for ex in test])
            )
        )

    def test_tfds_load_reads_a_prepared_split(self):
        config = _tiny("compositional")
        data_dir = self.tmp_dir + "/load"
        dataset = tfds.load(
            "random_walk", split="validation", data_dir=data_dir, builder_kwargs={"config": config}
        )
        examples = list(tfds.as_numpy(dataset))
        self.assertEqual(len(examples), 2)
        expected = config.generator().generate(2, seed=np.random.SeedSequence([20220851, 0]))
        example = examples[0]
        # TFDS shuffles the write order: find the generated sequence this example is.
        (index,) = [n for n in range(2) if np.array_equal(expected["video"][n], example["video"])]
        for key, value in expected.items():
            np.testing.assert_array_equal(example[key], value[index])
            self.assertEqual(example[key].dtype, value.dtype, key)
        self.assertEqual(example["moves"].shape, (5, 3, 2))
        self.assertTrue((example["num_moves"] == 2).all())

    def test_json_config_lists_become_tuples(self):
        config = rw.RandomWalkConfig(
            name="json",
            moves_per_step=[1, 3],
            radii=[2, 3],
            colors=[[255, 0, 0], [0, 255, 0]],
            num_balls=2,
        )
        self.assertEqual(config.moves_per_step, (1, 3))
        self.assertEqual(config.radii, (2, 3))
        self.assertEqual(config.colors, ((255, 0, 0), (0, 255, 0)))

    def test_bad_config(self):
        with self.assertRaisesRegex(ValueError, "num_validation"):
            rw.RandomWalkConfig(name="bad", num_validation=0)
        with self.assertRaisesRegex(ValueError, r"min <= max"):
            rw.RandomWalkConfig(name="bad", moves_per_step=(3, 2))
        with self.assertRaisesRegex(ValueError, "image_size"):
            rw.RandomWalkConfig(name="bad", image_size=8)

    def test_generator_of_the_named_configs(self):
        for config in rw.Builder.BUILDER_CONFIGS:
            generator = config.generator()
            self.assertIsInstance(generator, RandomWalk)
            self.assertEqual(repr(generator), repr(RandomWalk.from_config(config.name)))
