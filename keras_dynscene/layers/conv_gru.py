import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.layers.spectral_normalization import SpectralConv2D


@dynscene_export
class ConvGRU(keras.layers.Layer):
    """Convolutional GRU over a video, with a ReLU candidate state (DVD-GAN, thesis 6.A.1).

    For every frame `x_t` of `[batch, frames, height, width, channels]`, with `h_0 = 0`:
    `r, u = sigmoid(conv([x_t, h]))`, `c = relu(conv([x_t, r * h]))`, `h = u * h + (1 - u) * c`.
    Convolutions are 3x3, "same" padding, spectrally normalized. Returns every state,
    `[batch, frames, height, width, filters]`. The loop over frames is a Python loop over the
    static frame count; the spectral normalization runs once per call.

    Args:
        filters: state channels.
        kernel_size: kernel of the gate and candidate convolutions.
        **kwargs: base layer arguments.

    Example:
    ```python
    gru = ConvGRU(32)
    states = gru(keras.random.normal((2, 6, 4, 4, 64)))  # (2, 6, 4, 4, 32)
    ```

    Reference:
        Ballas et al., "Delving Deeper into Convolutional Networks for Learning Video
        Representations", ICLR 2016; Clark et al., "Adversarial Video Generation on Complex
        Datasets", 2019.
    """

    def __init__(self, filters, kernel_size=3, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.kernel_size = kernel_size
        self.gates = SpectralConv2D(2 * filters, kernel_size, padding="same", name="gates")
        self.candidate = SpectralConv2D(filters, kernel_size, padding="same", name="candidate")

    def build(self, input_shape):
        _, _, height, width, channels = input_shape
        joint = (None, height, width, channels + self.filters)
        self.gates.build(joint)
        self.candidate.build(joint)

    def call(self, inputs, training=None):
        frames = inputs.shape[1]
        # One power iteration per call, not per frame: the loop body stays small.
        gates_kernel = self.gates._normalized_kernel(training)
        candidate_kernel = self.candidate._normalized_kernel(training)
        state = ops.zeros_like(inputs[:, 0, :, :, :1]) * ops.zeros((self.filters,))
        states = []
        for t in range(frames):
            frame = inputs[:, t]
            joint = ops.concatenate([frame, state], axis=-1)
            gates = self.gates.convolution_op(joint, gates_kernel) + self.gates.bias
            reset, update = ops.split(ops.sigmoid(gates), 2, axis=-1)
            joint = ops.concatenate([frame, reset * state], axis=-1)
            candidate = self.candidate.convolution_op(joint, candidate_kernel)
            candidate = ops.relu(candidate + self.candidate.bias)
            state = update * state + (1.0 - update) * candidate
            states.append(state)
        return ops.stack(states, axis=1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        config = super().get_config()
        config.update({"filters": self.filters, "kernel_size": self.kernel_size})
        return config
