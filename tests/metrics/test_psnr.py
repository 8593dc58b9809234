import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio

from keras_dynscene.metrics import psnr
from tests.test_case import TestCase


@pytest.mark.backends
class TestPSNR(TestCase):
    def test_matches_skimage(self):
        rng = np.random.default_rng(0)
        x = rng.random((2, 3, 16, 12, 3)).astype("float32")
        y = np.clip(x + rng.uniform(0.01, 0.3) * rng.standard_normal(x.shape), 0, 1)
        y = y.astype("float32")
        values = psnr(x, y)
        assert tuple(values.shape) == (2, 3)
        expected = [
            [peak_signal_noise_ratio(a, b, data_range=1.0) for a, b in zip(xs, ys)]
            for xs, ys in zip(x, y)
        ]
        self.assert_allclose(values, expected, atol=1e-4, rtol=1e-5)

    def test_uint8_with_max_val(self):
        rng = np.random.default_rng(1)
        x = rng.integers(0, 256, (4, 8, 8, 1)).astype("uint8")
        y = rng.integers(0, 256, (4, 8, 8, 1)).astype("uint8")
        expected = [peak_signal_noise_ratio(a, b, data_range=255) for a, b in zip(x, y)]
        self.assert_allclose(psnr(x, y, max_val=255.0), expected, atol=1e-4, rtol=1e-5)

    def test_known_value_and_identical_images(self):
        x = np.zeros((8, 8, 1), "float32")
        self.assert_allclose(psnr(x, x + 0.1), 20.0, atol=1e-4)  # mse 0.01 -> 20 dB
        assert np.isposinf(psnr(x, x))

    def test_bad_inputs(self):
        x = np.zeros((2, 8, 8, 3), "float32")
        with pytest.raises(ValueError, match="max_val"):
            psnr(x, x, max_val=0.0)
        with pytest.raises(ValueError, match="same shape"):
            psnr(x, x[:1])
