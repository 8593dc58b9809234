import keras
import numpy as np
import pytest

from keras_dynscene.layers import ConditionalLayerNormalization
from keras_dynscene.layers import ConditionalNeRF
from keras_dynscene.layers import FourierEncoding
from keras_dynscene.layers import NeuralUpscaler
from tests.test_case import TestCase


@pytest.mark.backends
class TestNeRFLayers(TestCase):
    def test_fourier_encoding_values(self):
        layer = FourierEncoding(2)
        values = np.array([[0.25, 0.0, 1.0]], "float32")
        out = keras.ops.convert_to_numpy(self.run_layer_test(layer, values, (1, 15)))
        angles = values[0][:, None] * np.pi * np.array([1.0, 2.0])
        expected = np.concatenate([values[0], np.sin(angles).ravel(), np.cos(angles).ravel()])
        np.testing.assert_allclose(out[0], expected, atol=1e-6)

    def test_conditional_nerf_density_ignores_appearance_and_features_are_exact(self):
        nerf = ConditionalNeRF(
            num_layers=3,
            units=8,
            skip_layer=2,
            shape_code_size=4,
            appearance_code_size=5,
            feature_size=6,
            num_position_frequencies=2,
            num_direction_frequencies=1,
        )
        rng = np.random.default_rng(0)
        points = rng.normal(size=(2, 3, 7, 3)).astype("float32")
        directions = rng.normal(size=(2, 3, 1, 3)).astype("float32")
        shape, appearance = rng.normal(size=(2, 3, 1, 4)), rng.normal(size=(2, 3, 1, 5))
        density, hidden, rgb = nerf(points, directions, shape, appearance)
        assert tuple(density.shape) == (2, 3, 7) and tuple(hidden.shape) == (2, 3, 7, 8)
        other, _, other_rgb = nerf(points, directions, shape, appearance + 1.0)
        self.assert_allclose(other, density)  # density: position and shape code only
        assert np.abs(keras.ops.convert_to_numpy(other_rgb - rgb)).max() > 1e-4
        # Rendering hidden features then the affine head == rendering per-point features.
        weights = rng.random((2, 3, 7)).astype("float32")
        per_point = keras.ops.einsum("bkp,bkpf->bkf", weights, nerf.feature_head(hidden))
        exact = nerf.features_from_hidden(
            keras.ops.einsum("bkp,bkpu->bku", weights, hidden), keras.ops.sum(weights, -1)
        )
        self.assert_allclose(exact, per_point, atol=1e-5)
        self.run_serialization_test(nerf)
        with pytest.raises(ValueError, match="skip_layer in \\[1, 2\\]"):
            ConditionalNeRF(num_layers=3, skip_layer=3)

    def test_conditional_layer_norm_starts_as_layer_norm(self):
        layer = ConditionalLayerNormalization()
        x = np.random.default_rng(0).normal(size=(2, 5, 6)).astype("float32")
        out = self.run_layer_test(layer, x, (2, 5, 6), {"condition": np.ones((2, 5, 7))})
        expected = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5)
        self.assert_allclose(out, expected, atol=1e-4)

    def test_neural_upscaler_stages_and_errors(self):
        layer = NeuralUpscaler(input_size=16, output_size=64, filters=4)
        self.run_layer_test(layer, np.zeros((1, 16, 16, 5), "float32"), (1, 64, 64, 3))
        assert layer.num_stages == 2  # table 10.9: two upsamplings for 64px, three for 128px
        assert NeuralUpscaler(16, 128, filters=4).num_stages == 3
        with pytest.raises(ValueError, match="output_size = input_size \\* 2\\^k"):
            NeuralUpscaler(16, 48)
