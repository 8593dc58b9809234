import keras
import numpy as np
import pytest

from keras_dynscene.layers.conditional_batch_normalization import ConditionalBatchNormalization
from tests.test_case import TestCase


@pytest.mark.backends
class TestConditionalBatchNormalization(TestCase):
    def test_training_normalizes_each_frame_with_its_own_statistics(self):
        rng = np.random.default_rng(0)
        # Frame t has mean t and scale t + 1: per-frame statistics undo both.
        video = rng.normal(size=(8, 3, 4, 4, 2)) * np.arange(1, 4)[None, :, None, None, None]
        video = (video + np.arange(3)[None, :, None, None, None]).astype("float32")
        condition = rng.normal(size=(8, 5)).astype("float32")
        norm = ConditionalBatchNormalization(max_frames=6, momentum=0.0)
        output = keras.ops.convert_to_numpy(norm([video, condition], training=True))
        np.testing.assert_allclose(output.mean(axis=(0, 2, 3)), 0.0, atol=1e-4)
        np.testing.assert_allclose(output.std(axis=(0, 2, 3)), 1.0, atol=1e-3)
        moving = keras.ops.convert_to_numpy(norm.moving_mean)
        np.testing.assert_allclose(moving[:3], video.mean(axis=(0, 2, 3)), atol=1e-5)
        np.testing.assert_array_equal(moving[3:], 0.0)
        # Inference with the moving statistics reproduces the training output.
        self.assert_allclose(norm([video, condition], training=False), output, atol=1e-3)

    def test_condition_sets_gain_and_bias(self):
        norm = ConditionalBatchNormalization(max_frames=4)
        video = np.random.default_rng(1).normal(size=(2, 2, 3, 3, 2)).astype("float32")
        condition = np.ones((2, 3), "float32")
        norm([video, condition])
        norm.gain.kernel.assign(np.full((3, 2), 1.0, "float32"))
        norm.bias.kernel.assign(np.full((3, 2), 0.5, "float32"))
        # gain 1 + 3 = 4, bias 1.5 on the (moving: mean 0, var 1) normalized input.
        expected = video / np.sqrt(1.0 + norm.epsilon) * 4.0 + 1.5
        self.assert_allclose(norm([video, condition]), expected, atol=1e-4)
        self.run_serialization_test(norm)

    def test_more_frames_than_statistics_is_refused(self):
        norm = ConditionalBatchNormalization(max_frames=2)
        with pytest.raises(ValueError, match="keeps statistics for 2 frames; received a video"):
            norm([np.zeros((1, 3, 2, 2, 1), "float32"), np.zeros((1, 2), "float32")])
