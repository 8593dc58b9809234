from typing import ClassVar

import numpy as np
import tensorflow_datasets as tfds

from keras_dynscene.data.procedural_objects3d import COLORS
from keras_dynscene.data.procedural_objects3d import SHAPES
from keras_dynscene.data.procedural_objects3d import ProceduralObjects3D
from tfds_builders.procedural_objects3d import procedural_objects3d_dataset_builder as po3d

# Small custom configs: the test builds a handful of small scenes per split.
_TINY_16 = po3d.ProceduralObjects3DConfig(
    name="tiny_16",
    image_size=16,
    min_objects=1,
    max_objects=3,
    supersampling=1,
    num_train=3,
    num_test=2,
)
_TINY_32 = po3d.ProceduralObjects3DConfig(name="tiny_32", image_size=32, num_train=3, num_test=2)


class ProceduralObjects3DTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = po3d.Builder
    BUILDER_CONFIG_NAMES_TO_TEST: ClassVar[list] = [_TINY_16, _TINY_32]
    SPLITS: ClassVar[dict[str, int]] = {"train": 3, "test": 2}
    # Nothing is downloaded, so there is no dummy data: any existing folder will do.
    EXAMPLE_DIR = str(po3d.Builder.code_path.parent)

    def test_configs(self):
        configs = {config.name: config for config in po3d.Builder.BUILDER_CONFIGS}
        self.assertEqual(sorted(configs), ["128x128", "64x64"])
        self.assertEqual(po3d.Builder.DEFAULT_BUILDER_CONFIG_NAME, "64x64")
        for name, size in (("64x64", 64), ("128x128", 128)):
            config = configs[name]
            self.assertEqual(
                (config.image_size, config.min_objects, config.max_objects, config.supersampling),
                (size, 2, 5, 2),
            )
            self.assertEqual((config.num_train, config.num_test), (20_000, 1_000))
        features = po3d.Builder(data_dir=self.tmp_dir, config="128x128").info.features
        self.assertEqual(features["image"].shape, (128, 128, 3))
        self.assertEqual(features["segmentation"].shape, (128, 128))
        self.assertEqual(features["segmentation"].np_dtype, np.uint8)
        self.assertEqual(features["camera"].shape, (4, 4))
        objects = features["objects"]
        self.assertIsInstance(objects, tfds.features.Sequence)
        self.assertEqual(objects["shape"].names, list(SHAPES))
        self.assertEqual(objects["color"].names, list(COLORS))
        self.assertEqual(objects["pose"].shape, (7,))
        self.assertEqual(objects["rgb"].shape, (3,))

    def test_generation_is_deterministic_and_matches_the_generator(self):
        builder = po3d.Builder(data_dir=self.tmp_dir, config=_TINY_32)
        first = list(builder._generate_examples("train", 3))
        second = list(builder._generate_examples("train", 3))
        test = list(builder._generate_examples("test", 3))
        self.assertEqual([key for key, _ in first], [0, 1, 2])
        expected = ProceduralObjects3D(image_size=32, seed=_TINY_32.generator().seed)
        for (_, a), (_, b) in zip(first, second):
            np.testing.assert_array_equal(a["image"], b["image"])
        for index, (_, example) in enumerate(first):
            reference = expected.example(index)
            np.testing.assert_array_equal(example["image"], reference["image"])
            np.testing.assert_array_equal(example["objects"]["pose"], reference["objects"]["pose"])
        # The test split draws from another seed stream.
        self.assertNotEqual(_TINY_32.generator("train").seed, _TINY_32.generator("test").seed)
        for (_, train_example), (_, test_example) in zip(first, test):
            self.assertFalse(np.array_equal(train_example["image"], test_example["image"]))

    def test_tfds_load_reads_a_prepared_split(self):
        dataset = tfds.load(
            "procedural_objects3d",
            split="test",
            data_dir=self.tmp_dir + "/load",
            builder_kwargs={"config": _TINY_16},
        )
        examples = list(tfds.as_numpy(dataset))
        self.assertEqual(len(examples), 2)
        generator = _TINY_16.generator("test")
        references = [generator.example(index) for index in range(2)]
        for example in examples:
            # TFDS shuffles the write order: find the scene this example is.
            (reference,) = [r for r in references if np.array_equal(r["image"], example["image"])]
            np.testing.assert_array_equal(example["segmentation"], reference["segmentation"])
            np.testing.assert_array_equal(example["camera"], reference["camera"])
            self.assertEqual(example["num_objects"], reference["num_objects"])
            for key, value in reference["objects"].items():
                np.testing.assert_array_equal(example["objects"][key], value, err_msg=key)
            self.assertEqual(example["objects"]["pose"].shape, (reference["num_objects"], 7))

    def test_bad_config(self):
        with self.assertRaisesRegex(ValueError, "num_test"):
            po3d.ProceduralObjects3DConfig(name="bad", num_test=0)
        with self.assertRaisesRegex(ValueError, r"`max_objects` must be <= 10"):
            po3d.ProceduralObjects3DConfig(name="bad", max_objects=12)
        with self.assertRaisesRegex(ValueError, "image_size"):
            po3d.ProceduralObjects3DConfig(name="bad", image_size=4)
        with self.assertRaisesRegex(ValueError, "split"):
            _TINY_16.generator("validation")
