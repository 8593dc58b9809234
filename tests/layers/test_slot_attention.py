import keras
import numpy as np
import pytest

from keras_dynscene.layers import SlotAttention
from tests.test_case import TestCase


@pytest.mark.backends
class TestSlotAttention(TestCase):
    def test_shapes_attention_normalized_over_slots_and_serialization(self):
        layer = SlotAttention(num_slots=3, slot_size=8, mlp_hidden_size=16, seed=0)
        inputs = keras.random.normal((2, 10, 5), seed=1)
        slots, attention = self.run_layer_test(layer, inputs, ((2, 3, 8), (2, 3, 10)))
        self.assert_allclose(keras.ops.sum(attention, axis=1), np.ones((2, 10)), atol=1e-5)

    def test_same_slot_noise_gives_same_slots_and_inputs_permute_attention(self):
        layer = SlotAttention(num_slots=4, slot_size=8, seed=0)
        inputs = np.random.default_rng(0).normal(size=(2, 12, 6)).astype("float32")
        noise = np.random.default_rng(1).normal(size=(2, 4, 8)).astype("float32")
        slots, attention = layer(inputs, slot_noise=noise)
        again, _ = layer(inputs, slot_noise=noise)
        self.assert_allclose(slots, again)
        order = np.random.default_rng(2).permutation(12)
        permuted_slots, permuted_attention = layer(inputs[:, order], slot_noise=noise)
        self.assert_allclose(permuted_slots, slots, atol=1e-5)
        self.assert_allclose(
            permuted_attention, keras.ops.take(attention, order, axis=2), atol=1e-5
        )

    def test_slots_are_exchangeable(self):
        layer = SlotAttention(num_slots=3, slot_size=8, seed=0)
        inputs = np.random.default_rng(3).normal(size=(1, 9, 6)).astype("float32")
        noise = np.random.default_rng(4).normal(size=(1, 3, 8)).astype("float32")
        slots, _ = layer(inputs, slot_noise=noise)
        swapped, _ = layer(inputs, slot_noise=noise[:, ::-1])
        self.assert_allclose(swapped, keras.ops.flip(slots, axis=1), atol=1e-5)

    def test_invalid_configuration_is_explained(self):
        with pytest.raises(ValueError, match="positive int num_slots, received 0"):
            SlotAttention(num_slots=0)


@pytest.mark.backends
def test_background_slot_has_its_own_distribution():
    layer = SlotAttention(num_slots=3, slot_size=4, background_slot=True, seed=0)
    layer(keras.random.normal((1, 6, 5), seed=1))
    layer.background_mu.assign(np.full((1, 1, 4), 5.0, "float32"))
    layer.slots_mu.assign(np.zeros((1, 1, 4), "float32"))
    slots = keras.ops.convert_to_numpy(layer.initial_slots(2, np.zeros((2, 3, 4), "float32")))
    np.testing.assert_allclose(slots[:, 0], 5.0)
    np.testing.assert_allclose(slots[:, 1:], 0.0)
    assert layer.get_config()["background_slot"] is True
    with pytest.raises(ValueError, match="num_slots >= 2.*received num_slots=1"):
        SlotAttention(num_slots=1, background_slot=True)
