import keras
import numpy as np
import pytest

from keras_dynscene.metrics import ImageFeatureExtractor
from keras_dynscene.metrics import frechet_inception_distance
from keras_dynscene.metrics import inception_v3_feature_network


def small_feature_network():
    """A small random CNN standing in for InceptionV3 (its ImageNet weights are not offline)."""
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            keras.layers.Conv2D(16, 3, strides=2, activation="relu"),
            keras.layers.Conv2D(32, 3, strides=2, activation="relu"),
            keras.layers.GlobalAveragePooling2D(),
        ],
        name="small_random_cnn",
    )


@pytest.fixture(scope="module")
def images():
    rows, cols = np.mgrid[:24, :24] / 23.0
    rng = np.random.default_rng(0)
    phases = rng.uniform(0, 2 * np.pi, size=(64, 1, 1, 3))
    return (
        0.5 + 0.5 * np.sin(6 * rows[None, ..., None] + 4 * cols[None, ..., None] + phases)
    ).astype("float32")


@pytest.mark.backends
def test_fid_is_zero_for_identical_sets_and_grows_with_noise(images):
    extractor = ImageFeatureExtractor(small_feature_network(), input_size=32, batch_size=16)
    assert abs(frechet_inception_distance(images, images, extractor)["value"]) < 1e-8
    rng = np.random.default_rng(1)
    values = [
        frechet_inception_distance(
            images, np.clip(images + s * rng.normal(size=images.shape), 0, 1), extractor
        )["value"]
        for s in (0.05, 0.2, 0.5)
    ]
    assert 0 < values[0] < values[1] < values[2]
    result = frechet_inception_distance(images[:32], images[32:], extractor)
    assert result["num_real"] == 32 and result["extractor"]["network"] == "small_random_cnn"


def test_inception_v3_loads_weights_from_a_user_path(tmp_path, images):
    original = inception_v3_feature_network(weights=None, input_size=75)
    path = str(tmp_path / "inception_v3_notop.weights.h5")
    original.save_weights(path)
    loaded = inception_v3_feature_network(weights=path, input_size=75)
    extractor = ImageFeatureExtractor(loaded, input_size=75, weights_path=path)
    reference = ImageFeatureExtractor(original, input_size=75)
    np.testing.assert_allclose(extractor(images[:4]), reference(images[:4]), atol=1e-5)
    assert extractor(images[:4]).shape == (4, 2048)
    assert len(extractor.description()["weights_sha256"]) == 64


def test_errors_are_explained(tmp_path, images):
    with pytest.raises(FileNotFoundError, match="no weights file at .*save_weights"):
        inception_v3_feature_network(weights=str(tmp_path / "missing.weights.h5"))
    extractor = ImageFeatureExtractor(small_feature_network(), input_size=32)
    with pytest.raises(ValueError, match="float images in \\[0, 1\\]"):
        extractor(images * 2 - 1)
    with pytest.raises(ValueError, match="shaped \\[N, H, W, C\\]"):
        extractor(images[None])
