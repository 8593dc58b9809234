import keras
import numpy as np
import pytest

from keras_dynscene.models import CascadedVideoGAN
from keras_dynscene.models import HierarchicalVRNN
from keras_dynscene.models import load_preset
from tests.models.cvg.tiny_config import TINY_CVG_CONFIG
from tests.models.hierarchical_vrnn.tiny_config import TINY_CONFIG
from tests.test_case import TestCase
from tests.test_case import not_on_jax


def numpy_weights(layer):
    return [keras.ops.convert_to_numpy(w) for w in layer.weights]


@pytest.mark.backends
class TestConfigOverrides(TestCase):
    @not_on_jax
    def test_dropping_the_matching_discriminator_keeps_every_other_trained_weight(self, tmp_path):
        trained = CascadedVideoGAN(**TINY_CVG_CONFIG)
        generator = trained.generators[0]
        # Stand-in for training: distinct values a fresh cascade cannot have.
        for variable in generator.weights:
            variable.assign(keras.ops.ones(variable.shape) * 0.5)
        path = str(tmp_path / "cascade.keras")
        trained.save(path)

        ablation = load_preset(path, matching_discriminator=False)

        assert not ablation.matching_discriminator and not ablation.matching_discriminators
        for name in ("level_1_generator", "level_2_generator", "level_2_spatial_discriminator"):
            for before, after in zip(
                numpy_weights(trained.get_layer(name)), numpy_weights(ablation.get_layer(name))
            ):
                np.testing.assert_array_equal(before, after)

    def test_overrides_that_keep_no_weight_shape_change_build_on_a_predictor(self, tmp_path):
        trained = HierarchicalVRNN(**TINY_CONFIG)
        path = str(tmp_path / "predictor.keras")
        trained.save(path)
        longer = HierarchicalVRNN.from_preset(path, future_frames=TINY_CONFIG["future_frames"] + 2)
        assert longer.future_frames == TINY_CONFIG["future_frames"] + 2
        for before, after in zip(trained.get_weights(), longer.get_weights()):
            np.testing.assert_array_equal(before, after)

    @not_on_jax
    def test_overrides_that_change_weight_shapes_or_name_no_key_are_refused(self, tmp_path):
        path = str(tmp_path / "cascade.keras")
        CascadedVideoGAN(**TINY_CVG_CONFIG).save(path)
        with pytest.raises(ValueError, match="change the weights of layer 'level_1_generator'"):
            load_preset(path, noise_size=TINY_CVG_CONFIG["noise_size"] + 1)
        with pytest.raises(ValueError, match=r"no config keys \['noise_dim'\]"):
            load_preset(path, noise_dim=3)
