import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.layers.group_normalization import group_normalization


@dynscene_export
class ConvLSTMCell(keras.layers.Layer):
    """One step of a convolutional LSTM whose gate pre-activations are group-normalized.

    The input and the previous hidden state are concatenated and mapped by a single convolution
    to the four gates, as in thesis table notes 4.B ("ConvLSTM layers use 3x3 kernels ... and
    GroupNorm"). The cell is stepped by the model's own time loop, so recurrent models can mix
    levels, latents and skip connections between steps.

    Args:
        filters: channels of the hidden and cell states.
        kernel_size: spatial kernel of the gate convolution.
        groups: GroupNorm groups (see `group_count` for small channel counts).
        **kwargs: base layer arguments.

    Example:
    ```python
    cell = ConvLSTMCell(32)
    x = keras.random.normal((2, 8, 8, 16))
    state = cell.get_initial_state(batch_size=2, height=8, width=8)
    h, (h, c) = cell(x, state)
    ```
    """

    def __init__(self, filters: int, kernel_size: int = 3, groups: int = 16, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.kernel_size = kernel_size
        self.groups = groups
        self.gate_conv = keras.layers.Conv2D(
            4 * filters, kernel_size, padding="same", name="gate_conv"
        )
        self.gate_norm = group_normalization(4 * filters, groups, name="gate_norm")

    def build(self, inputs_shape, states_shape):
        input_channels = inputs_shape[-1] + self.filters
        self.gate_conv.build((*inputs_shape[:-1], input_channels))
        self.gate_norm.build((*inputs_shape[:-1], 4 * self.filters))

    def get_initial_state(self, batch_size, height, width, dtype="float32"):
        zeros = ops.zeros((batch_size, height, width, self.filters), dtype=dtype)
        return [zeros, zeros]

    def call(self, inputs, states):
        hidden, cell = states
        gates = self.gate_norm(self.gate_conv(ops.concatenate([inputs, hidden], axis=-1)))
        input_gate, forget_gate, cell_candidate, output_gate = ops.split(gates, 4, axis=-1)
        cell = ops.sigmoid(forget_gate) * cell + ops.sigmoid(input_gate) * ops.tanh(cell_candidate)
        hidden = ops.sigmoid(output_gate) * ops.tanh(cell)
        return hidden, [hidden, cell]

    def compute_output_spec(self, inputs, states):
        shape = (*inputs.shape[:-1], self.filters)
        spec = keras.KerasTensor(shape, dtype=self.compute_dtype)
        return spec, [spec, keras.KerasTensor(shape, dtype=self.compute_dtype)]

    def get_config(self):
        config = super().get_config()
        config.update(
            {"filters": self.filters, "kernel_size": self.kernel_size, "groups": self.groups}
        )
        return config
