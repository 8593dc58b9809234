import numpy as np
import pytest
import tensorflow as tf

from keras_dynscene.metrics import resize_frames


@pytest.mark.backends
@pytest.mark.parametrize("input_shape", [(64, 64), (64, 48), (300, 250)])
def test_tf1_bilinear_matches_tf1_resize_bilinear(input_shape):
    frames = np.random.default_rng(0).random((2, 3, *input_shape, 3)).astype("float32")
    expected = tf.compat.v1.image.resize_bilinear(
        frames.reshape(-1, *input_shape, 3), (224, 224), align_corners=False
    ).numpy()
    actual = np.asarray(resize_frames(frames, (224, 224), "tf1_bilinear"))
    np.testing.assert_allclose(actual.reshape(expected.shape), expected, atol=3e-5)


@pytest.mark.backends
def test_bilinear_matches_tf2_resize_and_differs_from_tf1():
    frames = np.random.default_rng(1).random((4, 64, 64, 1)).astype("float32")
    expected = tf.image.resize(frames, (224, 224), method="bilinear").numpy()
    modern = np.asarray(resize_frames(frames, (224, 224), "bilinear"))
    legacy = np.asarray(resize_frames(frames, (224, 224), "tf1_bilinear"))
    np.testing.assert_allclose(modern, expected, atol=3e-5)
    assert np.abs(modern - legacy).mean() > 0.05


def test_same_size_is_identity_and_errors_are_explained():
    frames = np.random.default_rng(2).random((1, 8, 8, 3)).astype("float32")
    np.testing.assert_array_equal(np.asarray(resize_frames(frames, (8, 8))), frames)
    with pytest.raises(ValueError, match="expected method in"):
        resize_frames(frames, (16, 16), "nearest")
    with pytest.raises(ValueError, match="with a leading axis"):
        resize_frames(frames[0], (16, 16))
