import keras
import numpy as np
import pytest

from keras_dynscene.layers.spectral_normalization import SpectralConv2D
from keras_dynscene.layers.spectral_normalization import SpectralConv3D
from keras_dynscene.layers.spectral_normalization import SpectralDense
from tests.test_case import TestCase


@pytest.mark.backends
class TestSpectralNormalization(TestCase):
    def test_power_iteration_converges_to_the_first_singular_value(self):
        dense = SpectralDense(6, kernel_initializer="glorot_uniform")
        inputs = np.random.default_rng(0).normal(size=(3, 5)).astype("float32")
        dense(inputs)
        for _ in range(30):
            dense(inputs, training=True)
        kernel = keras.ops.convert_to_numpy(dense.kernel)
        normalized = keras.ops.convert_to_numpy(dense._normalized_kernel(training=False))
        np.testing.assert_allclose(
            normalized, kernel / np.linalg.svd(kernel, compute_uv=False)[0], rtol=1e-4
        )
        self.assert_allclose(dense(inputs), inputs @ normalized, atol=1e-5)

    def test_inference_does_not_move_u_and_training_does(self):
        conv = SpectralConv2D(4, 3, padding="same")
        inputs = np.ones((1, 5, 5, 2), "float32")
        conv(inputs)
        before = keras.ops.convert_to_numpy(conv.vector_u).copy()
        conv(inputs, training=False)
        self.assert_allclose(conv.vector_u, before)
        conv(inputs, training=True)
        assert not np.allclose(keras.ops.convert_to_numpy(conv.vector_u), before)

    def test_conv3d_shapes_and_saving(self):
        conv = SpectralConv3D(3, (3, 1, 1), padding="same")
        self.run_layer_test(conv, np.ones((2, 4, 5, 5, 2), "float32"), (2, 4, 5, 5, 3))
        model = keras.Sequential([keras.Input((4, 5, 5, 2)), conv])
        restored = self.run_model_saving_test(model, np.ones((1, 4, 5, 5, 2), "float32"))
        self.assert_allclose(restored.layers[0].vector_u, conv.vector_u)
