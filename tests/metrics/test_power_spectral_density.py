import numpy as np
import pytest
from keras import ops
from scipy import ndimage

from keras_dynscene.metrics import power_spectral_density
from keras_dynscene.metrics import video_power_spectral_density
from tests.test_case import TestCase

# float32 FFTs against float64 numpy: relative errors stay below 1e-5 here.
RTOL = 1e-4
ATOL = 1e-6


def reference_rapsd(image, num_bins=None):
    """The radially averaged PSD of one 2-D image, written like pysteps' `rapsd`: fftshift the
    spectrum, measure each coefficient's distance to the centre, average ring by ring."""
    height, width = image.shape
    size = max(height, width)
    power = np.abs(np.fft.fftshift(np.fft.fft2(image.astype(np.float64)))) ** 2 / image.size
    rows = (np.arange(height) - height // 2) * size / height
    cols = (np.arange(width) - width // 2) * size / width
    radius = np.round(np.hypot(rows[:, None], cols[None, :]))
    if num_bins is None:
        num_bins = size // 2 if size % 2 == 0 else size // 2 + 1
    return np.array([power[radius == k].mean() for k in range(num_bins)])


def reference_psd(frames, num_bins=None, grayscale=False):
    """Loops `reference_rapsd` over the leading axes and averages the per-channel spectra."""
    frames = np.asarray(frames, np.float64)
    if grayscale and frames.shape[-1] == 3:
        frames = (frames @ np.array([0.2989, 0.5870, 0.1140]))[..., None]
    flat = frames.reshape(-1, *frames.shape[-3:])
    psd = [
        np.mean([reference_rapsd(frame[..., c], num_bins) for c in range(frame.shape[-1])], 0)
        for frame in flat
    ]
    return np.array(psd).reshape(*frames.shape[:-3], -1)


def sinusoid(size, rows_cycles, cols_cycles):
    rows, cols = np.mgrid[:size, :size] / size
    return np.sin(2 * np.pi * (rows_cycles * rows + cols_cycles * cols))


@pytest.mark.backends
class TestPowerSpectralDensity(TestCase):
    def test_matches_numpy_reference(self):
        rng = np.random.default_rng(0)
        frames = rng.random((2, 3, 16, 16, 3)).astype("float32")
        psd, frequencies = power_spectral_density(frames)
        assert tuple(psd.shape) == (2, 3, 8)
        assert ops.convert_to_numpy(psd).dtype == np.float32
        self.assert_allclose(psd, reference_psd(frames), atol=ATOL, rtol=RTOL)
        self.assert_allclose(frequencies, np.arange(8) / 16)

    def test_odd_non_square_and_more_bins(self):
        rng = np.random.default_rng(1)
        odd = rng.random((3, 15, 15, 1)).astype("float32")
        psd, frequencies = power_spectral_density(odd)
        assert tuple(psd.shape) == (3, 8)
        self.assert_allclose(psd, reference_psd(odd), atol=ATOL, rtol=RTOL)
        self.assert_allclose(frequencies, np.arange(8) / 15)
        for height in (8, 12):
            frames = rng.random((2, height, 16, 2)).astype("float32")
            psd, _ = power_spectral_density(frames)
            self.assert_allclose(psd, reference_psd(frames), atol=ATOL, rtol=RTOL)
        square = rng.random((16, 16, 1)).astype("float32")  # a single frame, corners included
        psd, frequencies = power_spectral_density(square, num_bins=12)
        assert tuple(psd.shape) == (12,) and tuple(frequencies.shape) == (12,)
        self.assert_allclose(psd, reference_psd(square, num_bins=12), atol=ATOL, rtol=RTOL)

    def test_grayscale_and_uint8(self):
        rng = np.random.default_rng(2)
        frames = rng.integers(0, 256, (2, 16, 16, 3)).astype("uint8")
        psd, _ = power_spectral_density(frames, channels="grayscale")
        assert ops.convert_to_numpy(psd).dtype == np.float32
        expected = reference_psd(frames, grayscale=True)
        self.assert_allclose(psd, expected, atol=1e-3, rtol=RTOL)
        gray = frames[..., :1]
        self.assert_allclose(
            power_spectral_density(gray, channels="grayscale")[0],
            power_spectral_density(gray)[0],
            rtol=1e-6,
        )

    def test_sinusoid_peaks_at_its_wavenumber(self):
        frames = np.stack([sinusoid(32, 0, 5), sinusoid(32, 3, 4), sinusoid(32, 7, 0)])
        psd, frequencies = power_spectral_density(frames[..., None].astype("float32"))
        psd = ops.convert_to_numpy(psd)
        np.testing.assert_array_equal(psd.argmax(-1), [5, 5, 7])
        self.assert_allclose(psd, reference_psd(frames[..., None]), atol=1e-5, rtol=RTOL)
        # All the power sits in the peak ring: two coefficients of |F|^2 / (H W) = H W / 4 each.
        ring_size = np.sum(np.round(np.hypot(*np.mgrid[-16:16, -16:16])) == 5)
        self.assert_allclose(psd[0, 5], 2 * (32 * 32 / 4) / ring_size, rtol=1e-5)
        assert psd[0, np.arange(16) != 5].max() < 1e-6
        self.assert_allclose(frequencies[5] * 32, 5.0)

    def test_blur_lowers_high_frequency_power(self):
        rng = np.random.default_rng(3)
        frames = rng.random((4, 32, 32, 1))
        blurred = ndimage.gaussian_filter(frames, sigma=(0, 1.5, 1.5, 0))
        sharp_psd = ops.convert_to_numpy(power_spectral_density(frames.astype("float32"))[0])
        blur_psd = ops.convert_to_numpy(power_spectral_density(blurred.astype("float32"))[0])
        high = slice(8, 16)  # wavenumbers above a quarter of the frame size
        assert np.all(blur_psd[:, high] < 0.05 * sharp_psd[:, high])
        assert np.all(blur_psd[:, 1:3] > 0.3 * sharp_psd[:, 1:3])  # low frequencies survive
        self.assert_allclose(blur_psd[:, 0], sharp_psd[:, 0], rtol=1e-4)  # same mean intensity
        self.assert_allclose(blur_psd, reference_psd(blurred), atol=ATOL, rtol=RTOL)

    def test_video_power_spectral_density(self):
        rng = np.random.default_rng(4)
        videos = rng.random((5, 4, 16, 16, 2)).astype("float32")
        videos[:, 3] = ndimage.gaussian_filter(videos[:, 3], sigma=(0, 1, 1, 0))
        result = video_power_spectral_density(videos, [0, np.int64(3), -1])
        assert set(result) == {"mean", "std", "frequencies"}
        assert tuple(result["mean"].shape) == tuple(result["std"].shape) == (3, 8)
        per_video = reference_psd(videos[:, [0, 3, 3]])  # [N, 3, bins]
        self.assert_allclose(result["mean"], per_video.mean(0), atol=ATOL, rtol=RTOL)
        self.assert_allclose(result["std"], per_video.std(0), atol=ATOL, rtol=RTOL)
        self.assert_allclose(result["frequencies"], np.arange(8) / 16)
        mean = ops.convert_to_numpy(result["mean"])
        assert np.all(mean[1, 4:] < mean[0, 4:])  # the blurred last frame has less detail

    def test_bad_inputs(self):
        frames = np.zeros((2, 16, 16, 3), "float32")
        with pytest.raises(ValueError, match=r"rank >= 3.*\(16, 16\)"):
            power_spectral_density(frames[0, ..., 0])
        with pytest.raises(ValueError, match="at least 2x2 pixels, received 1x16"):
            power_spectral_density(frames[:, :1])
        with pytest.raises(ValueError, match=r"channels in \('mean', 'grayscale'\).*'luma'"):
            power_spectral_density(frames, channels="luma")
        with pytest.raises(ValueError, match="1 or 3 channels.*received 2"):
            power_spectral_density(frames[..., :2], channels="grayscale")
        with pytest.raises(ValueError, match="num_bins to be a positive int.*received 0"):
            power_spectral_density(frames, num_bins=0)
        with pytest.raises(ValueError, match=r"\[N, T, H, W, C\].*\(2, 16, 16, 3\)"):
            video_power_spectral_density(frames, [0])
        videos = np.zeros((2, 4, 8, 8, 1), "float32")
        with pytest.raises(ValueError, match=r"in \[-4, 4\).*invalid: \[4\]"):
            video_power_spectral_density(videos, [0, 4])
        with pytest.raises(ValueError, match=r"non-empty list.*invalid: \[\]"):
            video_power_spectral_density(videos, [])
        with pytest.raises(ValueError, match=r"invalid: \[1.5\]"):
            video_power_spectral_density(videos, [1.5])
