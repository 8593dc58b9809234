from typing import ClassVar

import numpy as np
import tensorflow_datasets as tfds

from tfds_builders.stochastic_moving_mnist import stochastic_moving_mnist_dataset_builder as smm

# Small custom configs: the test builds a handful of real-MNIST sequences per split.
_TINY = {"num_train": 3, "num_test": 2, "num_frames": 6}


class StochasticMovingMnistTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = smm.Builder
    BUILDER_CONFIG_NAMES_TO_TEST: ClassVar[list] = [
        smm.StochasticMovingMnistConfig(name="1digit_tiny", num_digits=1, **_TINY),
        smm.StochasticMovingMnistConfig(name="2digits_tiny", num_digits=2, **_TINY),
        smm.StochasticMovingMnistConfig(
            name="1digit_labelled_tiny", num_digits=1, image_size=32, with_labels=True, **_TINY
        ),
    ]
    SPLITS: ClassVar[dict[str, int]] = {"train": 3, "test": 2}
    # Nothing is downloaded, so there is no dummy data: any existing folder will do.
    EXAMPLE_DIR = str(smm.Builder.code_path.parent)

    def test_configs(self):
        configs = {config.name: config for config in smm.Builder.BUILDER_CONFIGS}
        self.assertEqual(sorted(configs), ["1digit", "1digit_labelled_32", "2digits"])
        self.assertEqual(configs["1digit"].num_digits, 1)
        self.assertEqual(configs["2digits"].num_digits, 2)
        for name in ("1digit", "2digits"):
            self.assertEqual((configs[name].num_frames, configs[name].image_size), (30, 64))
        labelled = smm.Builder(data_dir=self.tmp_dir, config="1digit_labelled_32").info
        self.assertEqual(labelled.features["video"].shape, (16, 32, 32, 1))
        self.assertEqual(labelled.features["label"].num_classes, 10)
        info = smm.Builder(data_dir=self.tmp_dir, config="1digit").info
        self.assertEqual(info.features["video"].shape, (30, 64, 64, 1))
        self.assertEqual(info.features["video"].dtype, np.uint8)

    def test_generation_is_deterministic(self):
        builder = smm.Builder(data_dir=self.tmp_dir, config=self.BUILDER_CONFIG_NAMES_TO_TEST[1])
        first = [ex["video"] for _, ex in builder._generate_examples("train", 3)]
        second = [ex["video"] for _, ex in builder._generate_examples("train", 3)]
        test = [ex["video"] for _, ex in builder._generate_examples("test", 3)]
        np.testing.assert_array_equal(np.stack(first), np.stack(second))
        self.assertFalse(np.array_equal(np.stack(first), np.stack(test)))
        self.assertEqual(first[0].shape, (6, 64, 64, 1))

    def test_labels_are_the_classes_of_the_rendered_digits(self):
        from keras_dynscene.data.mnist_digits import load_mnist_digits
        from keras_dynscene.data.mnist_digits import load_mnist_labels

        builder = smm.Builder(data_dir=self.tmp_dir, config=self.BUILDER_CONFIG_NAMES_TO_TEST[2])
        examples = [ex for _, ex in builder._generate_examples("test", 3)]
        digits, labels = load_mnist_digits("test"), load_mnist_labels("test")
        for example in examples:
            # The first frame contains one whole digit: find it among the MNIST test digits.
            frame = example["video"][0, :, :, 0]
            rows, cols = np.nonzero(frame)
            crop = frame[rows.min() : rows.min() + 28, cols.min() : cols.min() + 28]
            sums = digits.reshape(len(digits), -1).sum(axis=1)
            candidates = np.flatnonzero(sums == crop.astype(np.int64).sum())
            self.assertIn(example["label"], set(labels[candidates].tolist()))

    def test_bad_config(self):
        with self.assertRaisesRegex(ValueError, "needs num_digits=1"):
            smm.StochasticMovingMnistConfig(name="bad", num_digits=2, with_labels=True)
        with self.assertRaisesRegex(ValueError, "num_train"):
            smm.StochasticMovingMnistConfig(name="bad", num_train=0)
        with self.assertRaisesRegex(ValueError, "image_size"):
            smm.StochasticMovingMnistConfig(name="bad", image_size=16)
