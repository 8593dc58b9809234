import keras
import numpy as np
import pytest

from keras_dynscene.models.inferno import INFERNO
from keras_dynscene.models.inferno.slot_to_object import SlotToObject
from tests.models.inferno.tiny_config import TINY_INFERNO_CONFIG as TINY
from tests.test_case import TestCase


@pytest.mark.backends
class TestSlotToObject(TestCase):
    def test_poses_stay_in_the_translation_box_and_scale_bounds(self):
        layer = SlotToObject(
            code_size=8,
            hidden_size=8,
            translation_range=(1.3, 1.3, 0.2),
            translation_center=(0.5, -0.5, 0.25),
            min_scale=0.1,
            max_scale=0.6,
        )
        slots = np.random.default_rng(0).normal(size=(64, 3, 16)).astype("float32")
        outputs = layer(slots)
        pose = keras.ops.convert_to_numpy(outputs["pose"])
        assert pose.shape == (64, 3, 7)
        assert tuple(outputs["shape"].shape) == (64, 3, 8)
        low = np.array([0.5 - 1.3, -0.5 - 1.3, 0.05])
        high = np.array([0.5 + 1.3, -0.5 + 1.3, 0.45])
        assert np.all(pose[..., :3] >= low - 1e-5) and np.all(pose[..., :3] <= high + 1e-5)
        assert np.all(pose[..., 3:6] >= 0.1 - 1e-6) and np.all(pose[..., 3:6] <= 0.6 + 1e-6)
        np.testing.assert_array_equal(pose[..., 6], 0.0)
        # Saturated raw outputs reach the faces of the box, zero ones its centre.
        raw = np.stack([np.full(7, 30.0), np.full(7, -30.0), np.zeros(7)]).astype("float32")
        extremes = keras.ops.convert_to_numpy(layer.pose_from_raw(raw))
        np.testing.assert_allclose(extremes[0, :3], high, atol=1e-5)
        np.testing.assert_allclose(extremes[1, :3], low, atol=1e-5)
        np.testing.assert_allclose(extremes[2, :3], [0.5, -0.5, 0.25], atol=1e-6)
        np.testing.assert_allclose(extremes[:, 3:6].max(), 0.6, atol=1e-6)
        np.testing.assert_allclose(extremes[:, 3:6].min(), 0.1, atol=1e-6)

    def test_config_round_trip_keeps_the_translation_box(self):
        layer = SlotToObject(translation_range=(1.0, 2.0, 0.5), translation_center=(0, 0, 0.5))
        self.run_serialization_test(layer)
        revived = SlotToObject.from_config(layer.get_config())
        assert revived.translation_center == (0.0, 0.0, 0.5)
        model = INFERNO(**{**TINY, "translation_center": (0.0, 0.0, 0.3)})
        assert INFERNO.from_config(model.get_config()).translation_center == (0.0, 0.0, 0.3)

    def test_errors_name_expected_and_received_values(self):
        with pytest.raises(ValueError, match="translation_center as 3 numbers.*received \\(0.0"):
            SlotToObject(translation_center=(0.0, 0.0))
        with pytest.raises(ValueError, match="translation_range as 3 positive numbers"):
            SlotToObject(translation_range=(1.0, 0.0, 1.0))
        with pytest.raises(ValueError, match="0 < min_scale < max_scale.*min_scale=0.5"):
            SlotToObject(min_scale=0.5, max_scale=0.2)
        # A scalar is not broadcast to the three axes: the error says so instead of a TypeError.
        with pytest.raises(ValueError, match="SlotToObject: expected translation_range as 3"):
            SlotToObject(translation_range=1.5)
        with pytest.raises(ValueError, match="INFERNO: expected translation_center as 3.*0.25"):
            INFERNO(**{**TINY, "translation_center": 0.25})
