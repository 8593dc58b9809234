import numpy as np
import pytest
from keras import ops
from scipy import ndimage
from skimage import data
from skimage.metrics import structural_similarity

from keras_dynscene.metrics import ssim
from tests.test_case import TestCase


def skimage_ssim(x, y, max_val=1.0):
    return structural_similarity(
        x.astype("float64"),
        y.astype("float64"),
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
        data_range=max_val,
        channel_axis=-1,
    )


def random_pairs(rng, shape):
    x = rng.random(shape).astype("float32")
    y = np.clip(x + 0.3 * rng.standard_normal(shape), 0.0, 1.0).astype("float32")
    return x, y


def natural_pairs():
    """A natural image under blur, noise, a shift and a contrast change, plus a smooth gradient."""
    rng = np.random.default_rng(1)
    image = (data.astronaut()[::4, ::4] / 255.0).astype("float32")  # 128 x 128 x 3
    distorted = [
        ndimage.gaussian_filter(image, sigma=(2, 2, 0)),
        np.clip(image + 0.1 * rng.standard_normal(image.shape), 0, 1),
        np.roll(image, 3, axis=1),
        0.5 * image + 0.25,
    ]
    rows, cols = np.mgrid[:128, :128] / 127.0
    gradient = np.stack([rows, cols, rows * cols], axis=-1)
    x = np.stack([image] * 4 + [gradient])
    y = np.stack(distorted + [gradient[::-1]])
    return x.astype("float32"), y.astype("float32")


def binary_pairs():
    """Piecewise-constant shapes: a shifted checkerboard and a disk at two intensities."""
    rows, cols = np.mgrid[:64, :64] / 63.0
    checker = np.repeat(((np.indices((64, 64)) // 8).sum(0) % 2)[..., None], 3, axis=-1)
    disk = ((rows - 0.5) ** 2 + (cols - 0.4) ** 2 < 0.1)[..., None] * np.ones(3)
    x = np.stack([checker, disk])
    y = np.stack([np.roll(checker, 4, axis=0), 0.7 * disk])
    return x.astype("float32"), y.astype("float32")


# On flat regions the float32 variances E[x^2] - E[x]^2 cancel to ~1e-7 and are then divided by
# c2 = 9e-4, so float32 SSIM implementations differ by up to ~2e-4 there (tf.image.ssim is 5e-5
# from the float64 skimage value on the disk below, keras.ops.image.ssim 1.2e-4 on TF and torch).
BINARY_ATOL = 2e-4


@pytest.mark.backends
class TestSSIM(TestCase):
    def test_matches_skimage_on_random_images(self):
        x, y = random_pairs(np.random.default_rng(0), (4, 32, 40, 3))
        expected = [skimage_ssim(a, b) for a, b in zip(x, y)]
        self.assert_allclose(ssim(x, y), expected, atol=1e-4, rtol=0)

    def test_matches_skimage_on_natural_images(self):
        x, y = natural_pairs()
        expected = np.array([skimage_ssim(a, b) for a, b in zip(x, y)])
        assert np.ptp(expected) > 0.3  # the cases span a real range of similarities
        self.assert_allclose(ssim(x, y), expected, atol=1e-4, rtol=0)

    def test_matches_skimage_on_binary_shapes(self):
        x, y = binary_pairs()
        expected = [skimage_ssim(a, b) for a, b in zip(x, y)]
        self.assert_allclose(ssim(x, y), expected, atol=BINARY_ATOL, rtol=0)

    def test_matches_tf_image_ssim(self):
        tf = pytest.importorskip("tensorflow")
        x, y = natural_pairs()
        rx, ry = random_pairs(np.random.default_rng(2), (3, 128, 128, 3))
        x, y = np.concatenate([x, rx]), np.concatenate([y, ry])
        self.assert_allclose(
            ssim(x, y), tf.image.ssim(x, y, max_val=1.0).numpy(), atol=1e-4, rtol=0
        )
        bx, by = binary_pairs()
        expected = tf.image.ssim(bx, by, max_val=1.0).numpy()
        self.assert_allclose(ssim(bx, by), expected, atol=BINARY_ATOL, rtol=0)

    def test_any_leading_shape_and_grayscale(self):
        x, y = random_pairs(np.random.default_rng(3), (2, 3, 16, 16, 1))
        values = ssim(x, y)
        assert tuple(values.shape) == (2, 3)
        expected = [[skimage_ssim(a, b) for a, b in zip(xs, ys)] for xs, ys in zip(x, y)]
        self.assert_allclose(values, expected, atol=1e-4, rtol=0)
        single = ssim(x[0, 0], y[0, 0])
        assert tuple(single.shape) == ()
        self.assert_allclose(single, expected[0][0], atol=1e-4, rtol=0)

    def test_identical_images_score_one_and_uint8_with_max_val(self):
        x = np.random.default_rng(4).integers(0, 256, (2, 20, 20, 3)).astype("uint8")
        self.assert_allclose(ssim(x, x, max_val=255.0), [1.0, 1.0], atol=1e-5)
        y = np.clip(x.astype("int32") + 20, 0, 255).astype("uint8")
        expected = [skimage_ssim(a, b, max_val=255.0) for a, b in zip(x, y)]
        self.assert_allclose(ssim(x, y, max_val=255.0), expected, atol=1e-4, rtol=0)
        assert ops.convert_to_numpy(ssim(x, y, max_val=255.0)).dtype == np.float32

    def test_bad_inputs(self):
        x = np.zeros((2, 16, 16, 3), "float32")
        with pytest.raises(ValueError, match="same shape"):
            ssim(x, x[..., :1])
        with pytest.raises(ValueError, match="rank >= 3"):
            ssim(x[0, 0], x[0, 0])
        with pytest.raises(ValueError, match="at least 11x11"):
            ssim(x[:, :8], x[:, :8])
        with pytest.raises(ValueError, match="filter_size"):
            ssim(x, x, filter_size=0)
