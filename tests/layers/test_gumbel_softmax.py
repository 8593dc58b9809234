import keras
import numpy as np
import pytest

from keras_dynscene.layers import GumbelSoftmax
from keras_dynscene.layers.gumbel_softmax import gumbel_noise_from_uniform
from keras_dynscene.layers.gumbel_softmax import gumbel_softmax
from tests.test_case import TestCase


@pytest.mark.backends
class TestGumbelSoftmax(TestCase):
    def test_relaxed_in_training_hard_at_inference(self):
        layer = GumbelSoftmax(seed=0)
        logits = keras.random.normal((6, 5), seed=1)
        relaxed = keras.ops.convert_to_numpy(
            self.run_layer_test(layer, logits, (6, 5), {"training": True})
        )
        np.testing.assert_allclose(relaxed.sum(-1), 1.0, atol=1e-5)
        assert np.all(relaxed < 1.0)
        hard = keras.ops.convert_to_numpy(layer(logits, training=False))
        np.testing.assert_array_equal(np.sort(hard, axis=-1)[:, -1], 1.0)
        np.testing.assert_array_equal(hard.sum(-1), 1.0)

    def test_sample_frequencies_follow_the_softmax(self):
        logits = np.log(np.array([[0.1, 0.2, 0.3, 0.4]], "float32"))
        uniform = np.random.default_rng(0).random((20000, 4)).astype("float32")
        noise = gumbel_noise_from_uniform(uniform)
        samples = gumbel_softmax(np.repeat(logits, 20000, 0), noise, hard=True)
        frequencies = keras.ops.convert_to_numpy(samples).mean(0)
        np.testing.assert_allclose(frequencies, [0.1, 0.2, 0.3, 0.4], atol=0.015)

    def test_given_noise_makes_sampling_pure(self):
        layer = GumbelSoftmax(seed=0)
        logits = np.zeros((3, 4), "float32")
        noise = np.random.default_rng(1).gumbel(size=(3, 4)).astype("float32")
        self.assert_allclose(layer(logits, noise), layer(logits, noise))
        with pytest.raises(ValueError, match="positive temperature, received 0"):
            GumbelSoftmax(temperature=0)
