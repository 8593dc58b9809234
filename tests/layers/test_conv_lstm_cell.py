import keras
import numpy as np
import pytest

from keras_dynscene.layers import ConvLSTMCell
from tests.test_case import TestCase


@pytest.mark.backends
class TestConvLSTMCell(TestCase):
    def test_step_shapes_and_serialization(self):
        cell = ConvLSTMCell(8, kernel_size=3, groups=4)
        x = keras.random.normal((2, 6, 6, 3), seed=1)
        states = cell.get_initial_state(2, 6, 6)
        hidden, (h, c) = cell(x, states)
        assert tuple(hidden.shape) == (2, 6, 6, 8)
        self.assert_allclose(hidden, h)
        assert tuple(c.shape) == (2, 6, 6, 8)
        # conv kernel (3 + 8 inputs) x 32 gates + bias, GroupNorm gamma/beta.
        assert len(cell.trainable_weights) == 4
        revived = self.run_serialization_test(cell)
        assert revived.filters == 8 and revived.groups == 4

    def test_state_carries_information(self):
        cell = ConvLSTMCell(4, groups=2)
        x = keras.random.normal((1, 4, 4, 2), seed=2)
        states = cell.get_initial_state(1, 4, 4)
        first, states = cell(x, states)
        second, _ = cell(x, states)
        # Same input, different state: the recurrence must change the output.
        assert not np.allclose(
            keras.ops.convert_to_numpy(first), keras.ops.convert_to_numpy(second)
        )
        # LSTM hidden states are bounded by tanh.
        assert np.all(np.abs(keras.ops.convert_to_numpy(second)) <= 1.0)
