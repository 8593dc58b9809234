import importlib.util
import shutil
import tempfile
from typing import ClassVar

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from tfds_builders.bair_push import bair_push_dataset_builder as bair


def _load_dummy_data_script():
    path = bair.Builder.code_path.parent / "dummy_data" / "make_dummy_data.py"
    spec = importlib.util.spec_from_file_location("bair_push_make_dummy_data", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_dummy_data = _load_dummy_data_script()


class BairPushTest(tfds.testing.DatasetBuilderTestCase):
    """Builds from fake tfrecords with the real keys, written by `dummy_data/make_dummy_data.py`."""

    DATASET_CLASS = bair.Builder
    SPLITS: ClassVar[dict[str, int]] = {"train": 3, "test": 2}
    # Real-layout sequences are ~370 KB each, so they are written per run, not committed. The
    # folder must exist when the class is defined: TFDS memoizes `dummy_data` on first access.
    EXAMPLE_DIR = tempfile.mkdtemp(prefix="bair_push_dummy_data_")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make_dummy_data.write_dummy_data(cls.EXAMPLE_DIR)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.EXAMPLE_DIR, ignore_errors=True)
        super().tearDownClass()

    def test_checksums_file_has_the_real_archive(self):
        infos = tfds.core.download.checksums.load_url_infos(bair.Builder._checksums_path)
        self.assertEqual(list(infos), [bair.DATA_URL])
        self.assertEqual(int(infos[bair.DATA_URL].size), 32274964480)

    def test_features(self):
        features = self.builder.info.features
        self.assertEqual(features["video"].shape, (30, 64, 64, 3))
        self.assertEqual(features["action"].shape, (30, 4))
        self.assertEqual(features["endeffector_pos"].shape, (30, 3))

    def test_parse_sequence_matches_the_record(self):
        rng = np.random.default_rng(1)
        record = make_dummy_data.fake_sequence(rng)
        parsed = bair._parse_sequence(record, "fake")
        feature = tf.train.Example.FromString(record).features.feature
        np.testing.assert_array_equal(
            parsed["video"][7].reshape(-1),
            np.frombuffer(feature["7/image_aux1/encoded"].bytes_list.value[0], np.uint8),
        )
        np.testing.assert_allclose(parsed["action"][3], feature["3/action"].float_list.value)
        np.testing.assert_allclose(
            parsed["endeffector_pos"][29], feature["29/endeffector_pos"].float_list.value
        )
        self.assertEqual(parsed["video"].dtype, np.uint8)
        self.assertEqual(parsed["action"].dtype, np.float32)

    def test_bad_records_give_clear_errors(self):
        example = tf.train.Example.FromString(
            make_dummy_data.fake_sequence(np.random.default_rng(2))
        )
        del example.features.feature["12/action"]
        with pytest.raises(ValueError, match="12/action"):
            bair._parse_sequence(example.SerializeToString(), "broken")
        example = tf.train.Example.FromString(
            make_dummy_data.fake_sequence(np.random.default_rng(2))
        )
        example.features.feature["0/image_aux1/encoded"].bytes_list.value[0] = b"\x00" * 10
        with pytest.raises(ValueError, match="12288"):
            bair._parse_sequence(example.SerializeToString(), "broken")
