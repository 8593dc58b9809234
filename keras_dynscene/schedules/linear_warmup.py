import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export


@dynscene_export
class LinearWarmup(keras.optimizers.schedules.LearningRateSchedule):
    """Linear ramp from `initial_value` to `final_value` over `warmup_steps`, then constant.

    Serves both warmups of thesis section 4.5: the learning rate (2e-5 -> 1.6e-4 over 5 epochs,
    Goyal et al. 2017) and the KL weight beta (0 -> 1, Sønderby et al. 2016).

    Args:
        initial_value: value at step 0.
        final_value: value from `warmup_steps` on.
        warmup_steps: length of the ramp in optimizer steps; 0 means constant `final_value`.

    Example:
    ```python
    lr = LinearWarmup(2e-5, 1.6e-4, warmup_steps=5 * steps_per_epoch)
    optimizer = keras.optimizers.Adam(lr, beta_1=0.5, beta_2=0.9)
    ```
    """

    def __init__(self, initial_value: float, final_value: float, warmup_steps: int):
        if warmup_steps < 0:
            raise ValueError(f"`warmup_steps` must be >= 0; received {warmup_steps}.")
        self.initial_value = float(initial_value)
        self.final_value = float(final_value)
        self.warmup_steps = int(warmup_steps)

    def __call__(self, step):
        step = ops.cast(step, "float32")
        if self.warmup_steps == 0:
            return ops.ones_like(step) * self.final_value
        progress = ops.clip(step / float(self.warmup_steps), 0.0, 1.0)
        return self.initial_value + (self.final_value - self.initial_value) * progress

    def get_config(self):
        return {
            "initial_value": self.initial_value,
            "final_value": self.final_value,
            "warmup_steps": self.warmup_steps,
        }
