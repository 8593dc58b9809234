import numpy as np
import pytest
from keras import ops

from keras_dynscene.metrics import best_of_n
from keras_dynscene.metrics import mse
from keras_dynscene.metrics import psnr
from keras_dynscene.metrics import ssim
from tests.test_case import TestCase


def constructed_case():
    """Per sequence: a near-exact, a slightly noisy and a very noisy sample, at shuffled positions.

    Sample 0 of sequence 0 is near-exact on frame 0 only and noise after it, so the per-frame best
    differs from the best sequence: the protocol must keep one sample for the whole sequence.
    """
    rng = np.random.default_rng(0)
    target = rng.random((2, 4, 16, 16, 1)).astype("float32")
    noise = rng.standard_normal((2, 4, 16, 16, 1))

    def noisy(b, scale):
        return np.clip(target[b] + scale * noise[b], 0, 1)

    samples = np.stack(
        [
            np.stack([noisy(0, 0.05), noisy(0, 0.02), noisy(0, 0.3)]),
            np.stack([noisy(1, 0.3), noisy(1, 0.05), noisy(1, 0.001)]),
        ]
    ).astype("float32")
    samples[0, 0, 0] = noisy(0, 0.001)[0]
    samples[0, 0, 1:] = rng.random((3, 16, 16, 1))
    return samples, target


@pytest.mark.backends
class TestBestOfN(TestCase):
    def test_picks_best_sequence_sample(self):
        samples, target = constructed_case()
        for metric_fn, higher in ((ssim, True), (psnr, True), (mse, False)):
            result = best_of_n(metric_fn, samples, target, higher_is_better=higher)
            np.testing.assert_array_equal(ops.convert_to_numpy(result["index"]), [1, 2])
            per_sample = ops.convert_to_numpy(result["per_sample"])
            assert per_sample.shape == (2, 3, 4)
            self.assert_allclose(per_sample[0, 1], metric_fn(samples[0, 1], target[0]), atol=1e-5)
            self.assert_allclose(result["per_step"], per_sample[[0, 1], [1, 2]], atol=0)
            self.assert_allclose(result["per_sequence"], per_sample[[0, 1], [1, 2]].mean(-1))
        # Frame 0 of sequence 0 is best for sample 0, yet per_step keeps sample 1 throughout.
        result = best_of_n(mse, samples, target, higher_is_better=False)
        per_sample = ops.convert_to_numpy(result["per_sample"])
        assert per_sample[0, :, 0].argmin() == 0
        self.assert_allclose(result["per_step"][0], per_sample[0, 1], atol=0)

    def test_worst_and_mean_reductions(self):
        samples, target = constructed_case()
        worst = best_of_n(ssim, samples, target, reduction="worst")
        np.testing.assert_array_equal(ops.convert_to_numpy(worst["index"]), [0, 0])
        worst_mse = best_of_n(mse, samples, target, higher_is_better=False, reduction="worst")
        np.testing.assert_array_equal(ops.convert_to_numpy(worst_mse["index"]), [0, 0])
        mean = best_of_n(ssim, samples, target, reduction="mean")
        assert "index" not in mean
        per_sample = ops.convert_to_numpy(mean["per_sample"])
        self.assert_allclose(mean["per_step"], per_sample.mean(axis=1), atol=1e-6)
        self.assert_allclose(mean["per_sequence"], per_sample.mean(axis=(1, 2)), atol=1e-6)
        assert tuple(mean["per_step"].shape) == (2, 4)
        assert tuple(mean["per_sequence"].shape) == (2,)

    def test_metric_runs_once_on_all_frames(self):
        samples, target = constructed_case()
        calls = []

        def recording_mse(x, y):
            calls.append(tuple(x.shape))
            return mse(x, y)

        best_of_n(recording_mse, samples, target, higher_is_better=False)
        assert calls == [(2 * 3 * 4, 16, 16, 1)]

    def test_bad_inputs(self):
        samples, target = constructed_case()
        with pytest.raises(ValueError, match="reduction"):
            best_of_n(ssim, samples, target, reduction="median")
        with pytest.raises(ValueError, match=r"\[B, N, T, H, W, C\]"):
            best_of_n(ssim, samples[:, 0], target)
        with pytest.raises(ValueError, match="to match samples"):
            best_of_n(ssim, samples, target[:, :3])
        with pytest.raises(ValueError, match="one value per image pair"):
            best_of_n(lambda x, y: ops.mean(x - y, axis=(-2, -1)), samples, target)
