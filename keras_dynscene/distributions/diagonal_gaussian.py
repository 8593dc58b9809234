import math

import keras
import numpy as np
from keras import ops

LOG_2PI = math.log(2.0 * math.pi)


class DiagonalGaussian:
    """A diagonal Gaussian N(mean, exp(log_var)) written in `keras.ops`.

    Works on every backend and under `jit`: sampling uses the reparameterization trick so
    gradients flow to `mean` and `log_var`.

    Args:
        mean: tensor of means.
        log_var: tensor of log-variances, broadcastable to `mean`.

    Example:
    ```python
    q = DiagonalGaussian(mean=keras.ops.zeros((2, 4)), log_var=keras.ops.zeros((2, 4)))
    z = q.sample(seed=keras.random.SeedGenerator(1))
    kl = q.kl_divergence(DiagonalGaussian(keras.ops.ones((2, 4)), keras.ops.zeros((2, 4))))
    ```
    """

    def __init__(self, mean, log_var):
        # NumPy inputs become backend tensors (torch cannot add ndarrays to its tensors).
        self.mean = ops.convert_to_tensor(mean) if isinstance(mean, np.ndarray) else mean
        self.log_var = (
            ops.convert_to_tensor(log_var) if isinstance(log_var, np.ndarray) else log_var
        )

    @classmethod
    def from_params(cls, params, axis=-1):
        """Splits `params` in two halves along `axis` into mean and log-variance."""
        mean, log_var = ops.split(params, 2, axis=axis)
        return cls(mean, log_var)

    @property
    def stddev(self):
        return ops.exp(0.5 * self.log_var)

    def sample(self, seed=None, noise=None):
        """Draws `mean + stddev * eps`; `eps` is `noise` when given, else drawn with `seed`."""
        if noise is None:
            noise = keras.random.normal(ops.shape(self.mean), dtype=self.mean.dtype, seed=seed)
        return self.mean + self.stddev * noise

    def log_prob(self, x):
        """Elementwise log-density (no reduction)."""
        return -0.5 * (LOG_2PI + self.log_var + ops.square(x - self.mean) * ops.exp(-self.log_var))

    def kl_divergence(self, other):
        """Elementwise KL(self || other) in closed form (no reduction)."""
        return 0.5 * (
            other.log_var
            - self.log_var
            + (ops.exp(self.log_var) + ops.square(self.mean - other.mean)) * ops.exp(-other.log_var)
            - 1.0
        )

    def to_tfp(self):
        """The equivalent `tfp.distributions.Normal` (TensorFlow backend only)."""
        if keras.backend.backend() != "tensorflow":
            raise ValueError(
                "`to_tfp()` needs the TensorFlow backend; received backend "
                f"'{keras.backend.backend()}'. Set KERAS_BACKEND=tensorflow to use TFP."
            )
        import tensorflow_probability as tfp

        return tfp.distributions.Normal(loc=self.mean, scale=self.stddev)
