import keras
import numpy as np
import pytest

from keras_dynscene.layers.conv_gru import ConvGRU
from keras_dynscene.layers.discriminator_resnet_block import DiscriminatorResNetBlock
from keras_dynscene.layers.generator_resnet_block import GeneratorResNetBlock
from keras_dynscene.layers.separable_conv3d import SeparableConv3D
from tests.test_case import TestCase


@pytest.mark.backends
class TestCVGLayers(TestCase):
    def test_conv_gru_is_causal_and_relu_bounded(self):
        gru = ConvGRU(3)
        video = np.random.default_rng(0).normal(size=(2, 4, 5, 5, 2)).astype("float32")
        states = keras.ops.convert_to_numpy(self.run_layer_test(gru, video, (2, 4, 5, 5, 3)))
        # h is a convex mix of 0 and ReLU candidates: never negative.
        assert states.min() >= 0.0
        edited = video.copy()
        edited[:, 2:] += 1.0
        after = keras.ops.convert_to_numpy(gru(edited))
        np.testing.assert_allclose(after[:, :2], states[:, :2], atol=1e-6)
        assert not np.allclose(after[:, 2:], states[:, 2:])

    def test_separable_conv3d_sees_three_frames(self):
        conv = SeparableConv3D(2)
        video = np.zeros((1, 7, 4, 4, 1), "float32")
        base = keras.ops.convert_to_numpy(self.run_layer_test(conv, video, (1, 7, 4, 4, 2)))
        video[:, 3] = 1.0
        response = np.abs(keras.ops.convert_to_numpy(conv(video)) - base).sum(axis=(0, 2, 3, 4))
        assert np.all(response[2:5] > 0) and np.all(response[[0, 1, 5, 6]] == 0)

    def test_resnet_blocks_resample(self):
        up = GeneratorResNetBlock(3, kind="3d", upsample=True, max_frames=4)
        self.run_layer_test(
            up,
            [np.ones((2, 2, 4, 4, 5), "float32"), np.ones((2, 3), "float32")],
            (2, 2, 8, 8, 3),
        )
        down = DiscriminatorResNetBlock(3, kind="2d", downsample=True)
        self.run_layer_test(down, np.ones((2, 2, 4, 4, 5), "float32"), (2, 2, 2, 2, 3))

    def test_block_kind_is_checked(self):
        with pytest.raises(ValueError, match="`kind` must be '2d' or '3d'"):
            GeneratorResNetBlock(3, kind="1d")
