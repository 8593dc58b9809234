import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export


@dynscene_export
class ConditionalLayerNormalization(keras.layers.Layer):
    """Layer normalization whose scale and offset are a linear function of a condition.

    The features are normalized over their last axis without learned parameters, then scaled
    by `1 + gamma(c)` and shifted by `beta(c)`, with `gamma` and `beta` one linear layer each
    (no activation or normalization; thesis 10.A). Zero-initialized, so training starts from a
    plain LayerNorm. INFERNO conditions its shape and appearance MLP on the object pose this way.

    Args:
        epsilon: added to the variance.
        **kwargs: base layer arguments.

    Call arguments:
        inputs: `[..., D]` features.
        condition: `[..., C]`, same leading shape.

    Returns:
        `[..., D]` normalized features.

    Example:
    ```python
    norm = ConditionalLayerNormalization()
    out = norm(keras.random.normal((2, 5, 128)), keras.random.normal((2, 5, 7)))
    ```

    Reference:
        Dumoulin, Perez, Schucher et al., "Feature-wise transformations", Distill 2018; thesis
        10.A (slot to object net).
    """

    def __init__(self, epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon
        self.gamma = None
        self.beta = None

    def build(self, inputs_shape, condition_shape):
        units = inputs_shape[-1]
        self.gamma = keras.layers.Dense(units, kernel_initializer="zeros", name="gamma")
        self.beta = keras.layers.Dense(units, kernel_initializer="zeros", name="beta")
        self.gamma.build(condition_shape)
        self.beta.build(condition_shape)

    def call(self, inputs, condition):
        mean = ops.mean(inputs, axis=-1, keepdims=True)
        variance = ops.var(inputs, axis=-1, keepdims=True)
        normalized = (inputs - mean) * ops.rsqrt(variance + self.epsilon)
        return normalized * (1.0 + self.gamma(condition)) + self.beta(condition)

    def compute_output_shape(self, inputs_shape, condition_shape):
        return inputs_shape

    def get_config(self):
        config = super().get_config()
        config.update({"epsilon": self.epsilon})
        return config
