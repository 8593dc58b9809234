import pathlib

import numpy as np
import pytest
import tensorflow_datasets as tfds

from keras_dynscene.evaluation.scene_inference_evaluation import load_scene_inference_test
from keras_dynscene.evaluation.scene_inference_evaluation import scene_inference_report
from keras_dynscene.models.inferno import INFERNO
from tests.models.inferno.tiny_config import TINY_INFERNO_CONFIG
from tfds_builders.clevr6 import clevr6_dataset_builder as clevr6

CLEVR6_DUMMY_DATA = str(pathlib.Path(clevr6.__file__).parent / "dummy_data")


@pytest.fixture(scope="module")
def clevr6_data_dir(tmp_path_factory):
    """clevr6/64x64 prepared from the builder's dummy data: 2 test scenes (6 and 1 objects)."""
    data_dir = tmp_path_factory.mktemp("tfds")
    builder = clevr6.Builder(data_dir=str(data_dir), config="64x64")
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=CLEVR6_DUMMY_DATA)
    )
    return str(data_dir)


def test_clevr6_test_scenes_come_with_their_segmentations(clevr6_data_dir):
    test = load_scene_inference_test("clevr6/64x64", 2, data_dir=clevr6_data_dir)
    assert test["images"].shape == (2, 64, 64, 3) and test["images"].dtype == np.uint8
    assert test["segmentations"].shape == (2, 64, 64)
    assert test["objects"] is None and test["generator"] is None
    expected = tfds.load("clevr6/64x64", split="test", data_dir=clevr6_data_dir, batch_size=2)
    expected = next(iter(tfds.as_numpy(expected)))
    np.testing.assert_array_equal(test["images"], expected["image"])
    segmentations = expected["segmentation"].reshape(2, 64, 64)
    np.testing.assert_array_equal(test["segmentations"], segmentations)
    # The dummy test scenes hold 6 and 1 objects (their ids are 1..n, 0 the background).
    assert sorted(len(np.unique(s)) - 1 for s in test["segmentations"]) == [1, 6]


def test_clevr6_report_has_reconstruction_and_discovery_metrics(clevr6_data_dir):
    test = load_scene_inference_test("clevr6/64x64", 2, data_dir=clevr6_data_dir)
    model = INFERNO(**{**TINY_INFERNO_CONFIG, "image_size": 64})
    report = scene_inference_report(model, test, batch_size=2)
    assert {"mse", "psnr", "ssim", "fg_ari_attention", "fg_ari_rendered"} <= set(report)
    assert 0.0 < report["mse"] < 1.0
    assert -1.0 <= report["fg_ari_attention"] <= 1.0
    assert "object_translation" in report
    # No scene generator for CLEVR6: the ground-truth removal check needs one.
    assert "object_removal" not in report


def test_more_images_than_the_test_split_is_refused(clevr6_data_dir):
    with pytest.raises(ValueError, match="has 2 test images; received --num-videos 5"):
        load_scene_inference_test("clevr6/64x64", 5, data_dir=clevr6_data_dir)
