import keras
import numpy as np
import pytest

from keras_dynscene.layers import ResNetBlock
from keras_dynscene.layers import group_count
from tests.test_case import TestCase


@pytest.mark.backends
class TestResNetBlock(TestCase):
    def test_projection_shortcut_when_channels_change(self):
        block = ResNetBlock(8, groups=4)
        self.run_layer_test(block, keras.random.normal((2, 5, 5, 3)), (2, 5, 5, 8))
        assert block.shortcut is not None

    def test_identity_shortcut(self):
        block = ResNetBlock(8, groups=4)
        x = keras.random.normal((2, 5, 5, 8))
        self.run_layer_test(block, x, (2, 5, 5, 8))
        assert block.shortcut is None
        # Zeroing the residual branch's last norm leaves the identity.
        block.norm_2.gamma.assign(np.zeros(8, "float32"))
        block.norm_2.beta.assign(np.zeros(8, "float32"))
        self.assert_allclose(block(x), x, atol=1e-6)


@pytest.mark.backends
@pytest.mark.parametrize(
    "channels,groups,expected", [(512, 16, 16), (64, 16, 16), (16, 16, 4), (8, 16, 2), (3, 16, 1)]
)
def test_group_count_keeps_four_channels_per_group(channels, groups, expected):
    assert group_count(channels, groups) == expected
