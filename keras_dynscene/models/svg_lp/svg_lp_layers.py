"""Building blocks of SVG-LP (Denton & Fergus, 2018): DCGAN frame encoder/decoder and LSTMs."""

import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export

# PyTorch's BatchNorm defaults (momentum 0.1 of the new batch, eps 1e-5), as in the paper's code.
BATCH_NORM_MOMENTUM = 0.9
BATCH_NORM_EPSILON = 1e-5
LEAKY_RELU_SLOPE = 0.2


def _batch_norm(name):
    return keras.layers.BatchNormalization(
        momentum=BATCH_NORM_MOMENTUM, epsilon=BATCH_NORM_EPSILON, name=name
    )


def dcgan_image_size(num_stages: int) -> int:
    """Frame size a DCGAN encoder with `num_stages` stride-2 stages maps to a 4x4 map."""
    return 4 * 2**num_stages


@dynscene_export
class DCGANFrameEncoder(keras.layers.Layer):
    """DCGAN frame encoder with skip features (SVG's `dcgan_64`, generalized in depth).

    Each stage is a 4x4 stride-2 convolution + BatchNorm + LeakyReLU(0.2), halving the
    resolution down to 4x4; a 4x4 valid convolution + BatchNorm + tanh then maps the 4x4 map to
    a `g_dim` vector. Four stages (64 -> 128 -> 256 -> 512 channels) give the paper's 64x64
    encoder, three a 32x32 one, five the 128x128 one.

    Args:
        g_dim: size of the frame embedding.
        stage_filters: channels per stride-2 stage, fine to coarse; the input frames must be
            `4 * 2**len(stage_filters)` pixels wide.
        **kwargs: base layer arguments.

    Example:
    ```python
    encoder = DCGANFrameEncoder(g_dim=128, stage_filters=(64, 128, 256, 512))
    g, skips = encoder(keras.random.uniform((2, 64, 64, 1)))  # [2, 128]; 32, 16, 8, 4 px maps
    ```
    """

    def __init__(self, g_dim: int, stage_filters=(64, 128, 256, 512), **kwargs):
        super().__init__(**kwargs)
        self.g_dim = int(g_dim)
        self.stage_filters = tuple(int(f) for f in stage_filters)
        self.convs = [
            keras.layers.Conv2D(filters, 4, strides=2, padding="same", name=f"conv_{index}")
            for index, filters in enumerate(self.stage_filters)
        ]
        self.norms = [_batch_norm(f"norm_{index}") for index in range(len(self.stage_filters))]
        self.output_conv = keras.layers.Conv2D(self.g_dim, 4, padding="valid", name="output_conv")
        self.output_norm = _batch_norm("output_norm")

    def build(self, input_shape):
        shape = tuple(input_shape)
        for conv, norm in zip(self.convs, self.norms):
            conv.build(shape)
            shape = conv.compute_output_shape(shape)
            norm.build(shape)
        self.output_conv.build(shape)
        self.output_norm.build(self.output_conv.compute_output_shape(shape))
        self.built = True

    def call(self, frames, training=None):
        skips = []
        hidden = frames
        for conv, norm in zip(self.convs, self.norms):
            hidden = norm(conv(hidden), training=training)
            hidden = keras.activations.leaky_relu(hidden, LEAKY_RELU_SLOPE)
            skips.append(hidden)
        embedding = ops.tanh(self.output_norm(self.output_conv(hidden), training=training))
        return ops.reshape(embedding, (-1, self.g_dim)), skips

    def get_config(self):
        config = super().get_config()
        config.update({"g_dim": self.g_dim, "stage_filters": list(self.stage_filters)})
        return config


@dynscene_export
class DCGANFrameDecoder(keras.layers.Layer):
    """Mirrored DCGAN decoder reading a `g_dim` vector and the encoder's skip features.

    A 4x4 valid transposed convolution maps the vector to a 4x4 map with the encoder's last
    stage channels; each following stage concatenates the encoder skip of the same resolution
    and runs a 4x4 stride-2 transposed convolution + BatchNorm + LeakyReLU(0.2); the last one
    outputs `output_channels` logits (SVG applies a sigmoid to them).

    Args:
        stage_filters: the encoder's `stage_filters` (fine to coarse).
        output_channels: channels of the output frame.
        **kwargs: base layer arguments.

    Example:
    ```python
    encoder = DCGANFrameEncoder(128, (64, 128, 256, 512))
    decoder = DCGANFrameDecoder((64, 128, 256, 512), output_channels=1)
    g, skips = encoder(frames)
    logits = decoder(g, skips=skips)  # [B, 64, 64, 1]
    ```
    """

    def __init__(self, stage_filters=(64, 128, 256, 512), output_channels: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.stage_filters = tuple(int(f) for f in stage_filters)
        self.output_channels = int(output_channels)
        self.input_deconv = keras.layers.Conv2DTranspose(
            self.stage_filters[-1], 4, padding="valid", name="input_deconv"
        )
        self.input_norm = _batch_norm("input_norm")
        # Stage i upsamples from the resolution of encoder stage i to that of stage i - 1.
        self.deconvs, self.norms = [], []
        for index in range(len(self.stage_filters) - 1, 0, -1):
            self.deconvs.append(
                keras.layers.Conv2DTranspose(
                    self.stage_filters[index - 1],
                    4,
                    strides=2,
                    padding="same",
                    name=f"deconv_{index}",
                )
            )
            self.norms.append(_batch_norm(f"norm_{index}"))
        self.output_deconv = keras.layers.Conv2DTranspose(
            self.output_channels, 4, strides=2, padding="same", name="output_deconv"
        )

    def build(self, input_shape):
        batch = input_shape[0]
        self.input_deconv.build((batch, 1, 1, input_shape[-1]))
        shape = (batch, 4, 4, self.stage_filters[-1])
        self.input_norm.build(shape)
        # Each stage reads its input concatenated with the encoder skip of that resolution.
        for index, deconv, norm in zip(
            range(len(self.stage_filters) - 1, 0, -1), self.deconvs, self.norms
        ):
            shape = (*shape[:-1], shape[-1] + self.stage_filters[index])
            deconv.build(shape)
            shape = deconv.compute_output_shape(shape)
            norm.build(shape)
        self.output_deconv.build((*shape[:-1], shape[-1] + self.stage_filters[0]))
        self.built = True

    def call(self, embedding, skips, training=None):
        hidden = ops.reshape(embedding, (-1, 1, 1, ops.shape(embedding)[-1]))
        hidden = self.input_norm(self.input_deconv(hidden), training=training)
        hidden = keras.activations.leaky_relu(hidden, LEAKY_RELU_SLOPE)
        coarse_to_fine_skips = skips[::-1]
        for skip, deconv, norm in zip(coarse_to_fine_skips, self.deconvs, self.norms):
            hidden = norm(deconv(ops.concatenate([hidden, skip], axis=-1)), training=training)
            hidden = keras.activations.leaky_relu(hidden, LEAKY_RELU_SLOPE)
        return self.output_deconv(ops.concatenate([hidden, coarse_to_fine_skips[-1]], axis=-1))

    def get_config(self):
        config = super().get_config()
        config.update(
            {"stage_filters": list(self.stage_filters), "output_channels": self.output_channels}
        )
        return config


class EmbeddedLSTM(keras.layers.Layer):
    """A linear embedding followed by stacked `LSTMCell`s, stepped one time step per call.

    The shared trunk of SVG's frame predictor, prior and posterior. States are a list with one
    `[hidden, cell]` pair per layer; `initial_states` gives SVG's zero states.

    Args:
        units: LSTM units (and embedding size).
        num_layers: stacked LSTM layers.
        **kwargs: base layer arguments.
    """

    def __init__(self, units: int = 256, num_layers: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.num_layers = int(num_layers)
        self.embed = keras.layers.Dense(self.units, name="embed")
        self.cells = [
            keras.layers.LSTMCell(self.units, name=f"lstm_{index}")
            for index in range(self.num_layers)
        ]

    def build(self, input_shape):
        self.embed.build(input_shape)
        hidden_shape = (input_shape[0], self.units)
        for cell in self.cells:
            cell.build(hidden_shape)
        self._build_head(hidden_shape)
        self.built = True

    def _build_head(self, hidden_shape):
        raise NotImplementedError

    def initial_states(self, batch_size):
        return [
            [ops.zeros((batch_size, self.units)), ops.zeros((batch_size, self.units))]
            for _ in range(self.num_layers)
        ]

    def _run_cells(self, inputs, states, training=None):
        hidden = self.embed(inputs)
        new_states = []
        for cell, state in zip(self.cells, states):
            hidden, state = cell(hidden, list(state), training=training)
            new_states.append(list(state))
        return hidden, new_states

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "num_layers": self.num_layers})
        return config


@dynscene_export
class FramePredictorLSTM(EmbeddedLSTM):
    """SVG's frame predictor: embedding -> LSTMs -> linear + tanh to the next frame embedding.

    Args:
        output_dim: size of the predicted embedding (`g_dim`).
        units: LSTM units (256 in the paper).
        num_layers: stacked LSTM layers (2 in the paper).
        **kwargs: base layer arguments.

    Example:
    ```python
    predictor = FramePredictorLSTM(output_dim=128, units=256, num_layers=2)
    states = predictor.initial_states(batch_size=4)
    g_next, states = predictor(keras.ops.concatenate([g, z], -1), states=states)
    ```
    """

    def __init__(self, output_dim: int, units: int = 256, num_layers: int = 2, **kwargs):
        super().__init__(units=units, num_layers=num_layers, **kwargs)
        self.output_dim = int(output_dim)
        self.output_dense = keras.layers.Dense(self.output_dim, name="output_dense")

    def _build_head(self, hidden_shape):
        self.output_dense.build(hidden_shape)

    def call(self, inputs, states, training=None):
        hidden, states = self._run_cells(inputs, states, training=training)
        return ops.tanh(self.output_dense(hidden)), states

    def get_config(self):
        config = super().get_config()
        config.update({"output_dim": self.output_dim})
        return config


@dynscene_export
class GaussianLSTM(EmbeddedLSTM):
    """SVG's prior / posterior network: embedding -> LSTMs -> Gaussian parameters.

    Returns `[B, 2 * latent_dim]` parameters (mean, then log-variance; read them with
    `DiagonalGaussian.from_params`) and the new states.

    Args:
        latent_dim: size of z (`z_dim`).
        units: LSTM units (256 in the paper).
        num_layers: stacked LSTM layers (1 in the paper).
        **kwargs: base layer arguments.

    Example:
    ```python
    prior = GaussianLSTM(latent_dim=10, units=256)
    params, states = prior(g_previous, states=prior.initial_states(4))
    z = DiagonalGaussian.from_params(params).sample(seed=0)
    ```
    """

    def __init__(self, latent_dim: int, units: int = 256, num_layers: int = 1, **kwargs):
        super().__init__(units=units, num_layers=num_layers, **kwargs)
        self.latent_dim = int(latent_dim)
        self.mean_dense = keras.layers.Dense(self.latent_dim, name="mean_dense")
        self.log_var_dense = keras.layers.Dense(self.latent_dim, name="log_var_dense")

    def _build_head(self, hidden_shape):
        self.mean_dense.build(hidden_shape)
        self.log_var_dense.build(hidden_shape)

    def call(self, inputs, states, training=None):
        hidden, states = self._run_cells(inputs, states, training=training)
        params = ops.concatenate([self.mean_dense(hidden), self.log_var_dense(hidden)], axis=-1)
        return params, states

    def get_config(self):
        config = super().get_config()
        config.update({"latent_dim": self.latent_dim})
        return config
