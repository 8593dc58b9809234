import numpy as np
import pytest

from keras_dynscene.metrics import mse
from tests.test_case import TestCase


@pytest.mark.backends
class TestMSE(TestCase):
    def test_per_image_mean_over_last_three_axes(self):
        rng = np.random.default_rng(0)
        x = rng.random((2, 3, 8, 6, 3)).astype("float32")
        y = rng.random((2, 3, 8, 6, 3)).astype("float32")
        values = mse(x, y)
        assert tuple(values.shape) == (2, 3)
        self.assert_allclose(values, ((x - y) ** 2).mean(axis=(-3, -2, -1)), atol=1e-6)

    def test_single_image_and_integer_input(self):
        x = np.zeros((4, 4, 1), "uint8")
        y = np.full((4, 4, 1), 3, "uint8")
        value = mse(x, y)
        assert tuple(value.shape) == ()
        self.assert_allclose(value, 9.0)  # no uint8 wrap-around

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match="same shape"):
            mse(np.zeros((2, 8, 8, 3)), np.zeros((2, 8, 8, 1)))
        with pytest.raises(ValueError, match="rank >= 3"):
            mse(np.zeros((8, 8)), np.zeros((8, 8)))
