"""The transition machinery of VIM (thesis 8.3, tables 8.3 and 8.A.1)."""

import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export


@dynscene_export
class TransitionModules(keras.layers.Layer):
    """M independently parametrized MLPs applied to every slot at once (thesis table 8.3).

    Each module maps a slot `h` to a candidate update: Dense(hidden) + ReLU -> Dense(hidden) ->
    LayerNorm -> Dense(hidden) + ReLU -> Dense(slot_size). The modules' weights are stacked on a
    leading module axis and applied with one einsum per layer, so all modules and slots run in a
    single batched matmul.

    Args:
        num_modules: number of modules M.
        hidden_size: hidden width (128 in table 8.3).
        **kwargs: base layer arguments.

    Call arguments:
        slots: `[B, K, D]`.

    Returns:
        Candidates `[B, K, M, D]`.

    Example:
    ```python
    candidates = TransitionModules(num_modules=5)(keras.random.normal((2, 4, 64)))  # (2,4,5,64)
    ```

    Reference:
        Castrejon, "Advances in Generative Models for Dynamic Scenes", thesis 2022, chapter 8;
        Goyal et al., "Object Files and Schemata", 2020.
    """

    def __init__(self, num_modules, hidden_size=128, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(num_modules, int) or num_modules < 1:
            raise ValueError(
                f"TransitionModules: expected a positive int num_modules, received {num_modules!r}."
            )
        self.num_modules = num_modules
        self.hidden_size = hidden_size

    def build(self, input_shape):
        slot_size = input_shape[-1]
        sizes = [(slot_size, self.hidden_size)] + [(self.hidden_size, self.hidden_size)] * 2
        sizes.append((self.hidden_size, slot_size))
        self.kernels, self.biases = [], []
        for index, (fan_in, fan_out) in enumerate(sizes):
            self.kernels.append(
                self.add_weight(
                    shape=(self.num_modules, fan_in, fan_out),
                    initializer="glorot_uniform",
                    name=f"kernel_{index}",
                )
            )
            self.biases.append(
                self.add_weight(
                    shape=(self.num_modules, fan_out), initializer="zeros", name=f"bias_{index}"
                )
            )
        self.norm_scale = self.add_weight(
            shape=(self.num_modules, self.hidden_size), initializer="ones", name="norm_scale"
        )
        self.norm_offset = self.add_weight(
            shape=(self.num_modules, self.hidden_size), initializer="zeros", name="norm_offset"
        )

    def dense(self, x, index):
        return ops.einsum("bkmi,mio->bkmo", x, self.kernels[index]) + self.biases[index]

    def call(self, slots):
        x = ops.broadcast_to(
            ops.expand_dims(slots, 2),
            (ops.shape(slots)[0], ops.shape(slots)[1], self.num_modules, slots.shape[-1]),
        )
        x = ops.relu(self.dense(x, 0))
        x = self.dense(x, 1)
        mean = ops.mean(x, axis=-1, keepdims=True)
        variance = ops.var(x, axis=-1, keepdims=True)
        x = (x - mean) * ops.rsqrt(variance + 1e-3) * self.norm_scale + self.norm_offset
        x = ops.relu(self.dense(x, 2))
        return self.dense(x, 3)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:2], self.num_modules, input_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update({"num_modules": self.num_modules, "hidden_size": self.hidden_size})
        return config


def two_layer_mlp(hidden_size, output_size, name):
    """Dense(hidden) + ReLU -> Dense(output): the key / query networks of thesis 8.A.1."""
    return keras.Sequential(
        [
            keras.layers.Dense(hidden_size, activation="relu", name="hidden"),
            keras.layers.Dense(output_size, name="output"),
        ],
        name=name,
    )


@dynscene_export
class EntityAttention(keras.layers.Layer):
    """Slot-wise attention to a frame (thesis eq. 8.4): the entity-centric encoding `x_t^k`.

    Keys come from the slot states, queries and values from the encoded target frame; the
    attention is a softmax over *slots* (slots compete for pixels), and each slot's encoding is
    the attention-weighted mean of the values (the weights are normalized over pixels, as in slot
    attention, so the scale does not grow with the image size).

    Args:
        key_size: projection size of keys and queries.
        value_size: size of the entity-centric encodings.
        epsilon: added to the attention before normalizing over pixels.
        **kwargs: base layer arguments.

    Call arguments:
        slots: `[B, K, D]` slot states.
        features: `[B, N, F]` frame features (CNN + positional encoding).

    Returns:
        `(encodings [B, K, value_size], attention [B, K, N])`.

    Example:
    ```python
    encodings, attention = EntityAttention(64, 64)(
        keras.random.normal((2, 4, 64)), keras.random.normal((2, 1024, 64))
    )
    ```
    """

    def __init__(self, key_size=64, value_size=64, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.key_size = key_size
        self.value_size = value_size
        self.epsilon = epsilon
        self.slot_norm = keras.layers.LayerNormalization(name="slot_norm")
        self.feature_norm = keras.layers.LayerNormalization(name="feature_norm")
        self.project_key = keras.layers.Dense(key_size, use_bias=False, name="key")
        self.project_query = keras.layers.Dense(key_size, use_bias=False, name="query")
        self.project_value = keras.layers.Dense(value_size, use_bias=False, name="value")

    def build(self, slots_shape, features_shape):
        self.slot_norm.build(slots_shape)
        self.project_key.build(slots_shape)
        self.feature_norm.build(features_shape)
        self.project_query.build(features_shape)
        self.project_value.build(features_shape)

    def call(self, slots, features):
        keys = self.project_key(self.slot_norm(slots))
        features = self.feature_norm(features)
        queries = self.project_query(features)
        values = self.project_value(features)
        logits = ops.einsum("bkd,bnd->bkn", keys, queries) * self.key_size**-0.5
        attention = ops.softmax(logits, axis=1)
        weights = attention + self.epsilon
        weights = weights / ops.sum(weights, axis=-1, keepdims=True)
        return ops.einsum("bkn,bnd->bkd", weights, values), attention

    def compute_output_shape(self, slots_shape, features_shape):
        return (
            (slots_shape[0], slots_shape[1], self.value_size),
            (slots_shape[0], slots_shape[1], features_shape[1]),
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {"key_size": self.key_size, "value_size": self.value_size, "epsilon": self.epsilon}
        )
        return config
