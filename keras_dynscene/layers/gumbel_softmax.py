import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.distribute.replica_seed_generator import ReplicaSeedGenerator

TINY = 1e-10


def gumbel_noise_from_uniform(uniform):
    """Standard Gumbel samples `-log(-log(u))` from uniform samples in (0, 1)."""
    uniform = ops.clip(uniform, TINY, 1.0 - TINY)
    return -ops.log(-ops.log(uniform))


def gumbel_softmax(logits, gumbel_noise, temperature=1.0, hard=False):
    """Relaxed (or straight-through hard) one-hot sample of a categorical from its logits.

    `softmax((logits + g) / temperature)` with Gumbel noise `g`; with `hard=True` the forward
    value is the one-hot argmax and gradients flow through the relaxed sample (straight-through).
    """
    logits = ops.convert_to_tensor(logits)
    gumbel_noise = ops.convert_to_tensor(gumbel_noise, dtype=logits.dtype)
    relaxed = ops.softmax((logits + gumbel_noise) / temperature, axis=-1)
    if not hard:
        return relaxed
    one_hot = ops.one_hot(ops.argmax(relaxed, axis=-1), ops.shape(logits)[-1], dtype=relaxed.dtype)
    return relaxed + ops.stop_gradient(one_hot - relaxed)


@dynscene_export
class GumbelSoftmax(keras.layers.Layer):
    """Samples one-hot categorical vectors with the Gumbel-softmax relaxation.

    In training the relaxed sample at `temperature` is returned (thesis 8.5.1 uses a fixed
    temperature of 1); at inference the sample is hard one-hot (straight-through), so selections
    are categorical. Pass `gumbel_noise` to make sampling a pure function of its inputs (used for
    seeded generation and export); otherwise the layer draws it from its own seed generator.

    Args:
        temperature: softmax temperature of the relaxation.
        hard_at_inference: return hard one-hot samples when `training` is False.
        seed: seed of the layer's `keras.random.SeedGenerator`.
        **kwargs: base layer arguments.

    Example:
    ```python
    layer = GumbelSoftmax(seed=0)
    sample = layer(keras.random.normal((4, 5)), training=False)  # one-hot rows
    ```

    Reference:
        Jang et al., "Categorical Reparameterization with Gumbel-Softmax", ICLR 2017.
    """

    def __init__(self, temperature=1.0, hard_at_inference=True, seed=None, **kwargs):
        super().__init__(**kwargs)
        if temperature <= 0:
            raise ValueError(
                f"GumbelSoftmax: expected a positive temperature, received {temperature}."
            )
        self.temperature = temperature
        self.hard_at_inference = hard_at_inference
        self.seed = seed
        self.seed_generator = ReplicaSeedGenerator(seed)

    def call(self, logits, gumbel_noise=None, training=False):
        if gumbel_noise is None:
            uniform = keras.random.uniform(ops.shape(logits), seed=self.seed_generator)
            gumbel_noise = gumbel_noise_from_uniform(uniform)
        hard = self.hard_at_inference and not training
        return gumbel_softmax(logits, gumbel_noise, self.temperature, hard=hard)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "temperature": self.temperature,
                "hard_at_inference": self.hard_at_inference,
                "seed": self.seed,
            }
        )
        return config
