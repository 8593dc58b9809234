"""Pixel-variance annealing schedules of JUMP (Kumar et al. 2018, appendix B)."""

import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export


@dynscene_export
class LinearPixelVariance(keras.optimizers.schedules.LearningRateSchedule):
    """Pixel variance annealed linearly from `initial_variance` to `final_variance`.

    Appendix B: "we linearly anneal the pixel-variance from a value alpha to beta over 100,000
    training steps" (alpha = 2.0, beta = 0.5 for the narrative datasets). A high variance makes
    the KL dominate the ELBO (deterministic predictions); a low one makes the reconstruction
    dominate (good reconstructions, poor samples).

    Args:
        initial_variance: alpha, the variance at step 0.
        final_variance: beta, the variance from `annealing_steps` on.
        annealing_steps: length of the ramp in training steps; 0 means constant `final_variance`.

    Example:
    ```python
    schedule = LinearPixelVariance(2.0, 0.5, 100_000)
    schedule(50_000)  # 1.25
    ```
    """

    def __init__(
        self,
        initial_variance: float = 2.0,
        final_variance: float = 0.5,
        annealing_steps: int = 100_000,
    ):
        if initial_variance <= 0 or final_variance <= 0:
            raise ValueError(
                "LinearPixelVariance: expected positive variances, received initial_variance="
                f"{initial_variance} and final_variance={final_variance}."
            )
        if annealing_steps < 0:
            raise ValueError(
                f"LinearPixelVariance: expected annealing_steps >= 0, received {annealing_steps}."
            )
        self.initial_variance = float(initial_variance)
        self.final_variance = float(final_variance)
        self.annealing_steps = int(annealing_steps)

    def __call__(self, step):
        step = ops.cast(step, "float32")
        if self.annealing_steps == 0:
            return ops.ones_like(step) * self.final_variance
        progress = ops.clip(step / float(self.annealing_steps), 0.0, 1.0)
        return self.initial_variance + (self.final_variance - self.initial_variance) * progress

    def get_config(self):
        return {
            "initial_variance": self.initial_variance,
            "final_variance": self.final_variance,
            "annealing_steps": self.annealing_steps,
        }


@dynscene_export
class PiecewisePixelVariance(keras.optimizers.schedules.LearningRateSchedule):
    """Piecewise-constant pixel variance: `values[i]` for steps in
    `[boundaries[i - 1], boundaries[i])`.

    The default is the MNIST-cube schedule of appendix B: 2.0 for the first 100k steps (good
    deterministic predictions), 0.2 for 50k (capture the stochasticity), 0.4 for 50k, then 0.9
    until the end (prior and posteriors reasonably similar).

    Args:
        boundaries: increasing step counts where the value changes.
        values: `len(boundaries) + 1` positive variances.

    Example:
    ```python
    schedule = PiecewisePixelVariance()
    schedule(120_000)  # 0.2
    ```
    """

    def __init__(
        self,
        boundaries=(100_000, 150_000, 200_000),
        values=(2.0, 0.2, 0.4, 0.9),
    ):
        boundaries = [int(b) for b in boundaries]
        values = [float(v) for v in values]
        if len(values) != len(boundaries) + 1:
            raise ValueError(
                "PiecewisePixelVariance: expected len(values) == len(boundaries) + 1, received "
                f"{len(values)} values for {len(boundaries)} boundaries."
            )
        if any(b >= a for b, a in zip(boundaries, boundaries[1:])) or any(v <= 0 for v in values):
            raise ValueError(
                "PiecewisePixelVariance: expected strictly increasing boundaries and positive "
                f"values, received boundaries={boundaries} and values={values}."
            )
        self.boundaries = boundaries
        self.values = values

    def __call__(self, step):
        step = ops.cast(step, "float32")
        value = ops.ones_like(step) * self.values[0]
        for boundary, previous, current in zip(self.boundaries, self.values, self.values[1:]):
            value = value + ops.cast(step >= float(boundary), "float32") * (current - previous)
        return value

    def get_config(self):
        return {"boundaries": list(self.boundaries), "values": list(self.values)}


def get_pixel_variance(identifier):
    """A pixel-variance schedule from a schedule, its serialized dict, or a constant float."""
    if isinstance(identifier, (LinearPixelVariance, PiecewisePixelVariance)):
        return identifier
    if isinstance(identifier, dict):
        return keras.saving.deserialize_keras_object(identifier)
    if isinstance(identifier, (int, float)) and identifier > 0:
        return LinearPixelVariance(identifier, identifier, 0)
    raise ValueError(
        "Expected pixel_variance as a positive float, a LinearPixelVariance / "
        f"PiecewisePixelVariance, or a serialized schedule dict; received {identifier!r}."
    )
