import keras
import numpy as np
import pytest

from keras_dynscene.schedules import LinearWarmup


@pytest.mark.backends
def test_ramp_then_constant_and_serialization():
    schedule = LinearWarmup(2e-5, 1.6e-4, warmup_steps=10)
    values = [float(keras.ops.convert_to_numpy(schedule(step))) for step in (0, 5, 10, 50)]
    np.testing.assert_allclose(values, [2e-5, 9e-5, 1.6e-4, 1.6e-4], rtol=1e-5)
    revived = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(schedule))
    assert revived.get_config() == schedule.get_config()
    optimizer = keras.optimizers.Adam(schedule)
    # Before any step the optimizer reads the schedule at iteration 0.
    np.testing.assert_allclose(keras.ops.convert_to_numpy(optimizer.learning_rate), 2e-5, rtol=1e-5)


def test_zero_warmup_is_constant_and_negative_rejected():
    assert float(keras.ops.convert_to_numpy(LinearWarmup(0.0, 1.0, 0)(3))) == 1.0
    with pytest.raises(ValueError, match="warmup_steps"):
        LinearWarmup(0.0, 1.0, -1)
