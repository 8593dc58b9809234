import keras
import numpy as np
import pytest

from keras_dynscene.layers import SlotAttentionEncoder
from keras_dynscene.layers import SoftPositionEmbedding
from keras_dynscene.layers import SpatialBroadcastDecoder
from keras_dynscene.layers.soft_position_embedding import position_grid
from tests.test_case import TestCase


@pytest.mark.backends
class TestSlotImageLayers(TestCase):
    def test_decoder_masks_are_a_partition_and_image_is_their_mixture(self):
        decoder = SpatialBroadcastDecoder((8, 6), channels=3, filters=8, kernel_size=3)
        outputs = self.run_layer_test(
            decoder,
            keras.random.normal((2, 4, 5), seed=0),
            {"image": (2, 8, 6, 3), "slot_images": (2, 4, 8, 6, 3), "masks": (2, 4, 8, 6, 1)},
        )
        self.assert_allclose(keras.ops.sum(outputs["masks"], axis=1), np.ones((2, 8, 6, 1)), 1e-5)
        mixture = keras.ops.sum(outputs["masks"] * outputs["slot_images"], axis=1)
        self.assert_allclose(outputs["image"], mixture, atol=1e-5)

    def test_decoding_is_per_slot(self):
        decoder = SpatialBroadcastDecoder((4, 4), channels=1, filters=4, kernel_size=3)
        slots = np.random.default_rng(0).normal(size=(1, 3, 5)).astype("float32")
        alone = decoder(slots[:, :1])["slot_images"]
        together = decoder(slots)["slot_images"][:, :1]
        self.assert_allclose(alone, together, atol=1e-5)

    def test_encoder_returns_one_feature_per_pixel(self):
        encoder = SlotAttentionEncoder(filters=8, num_conv_layers=2, kernel_size=3)
        self.run_layer_test(encoder, keras.random.uniform((2, 6, 5, 3)), (2, 30, 8))

    def test_position_embedding_grid(self):
        grid = position_grid(3, 2)
        np.testing.assert_allclose(grid[0, 0], [0, 0, 1, 1])
        np.testing.assert_allclose(grid[2, 1], [1, 1, 0, 0])
        layer = SoftPositionEmbedding()
        self.run_layer_test(layer, keras.ops.zeros((1, 3, 2, 4)), (1, 3, 2, 4))
