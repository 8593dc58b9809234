import keras

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.layers.spectral_normalization import SpectralConv2D
from keras_dynscene.layers.spectral_normalization import SpectralConv3D
from keras_dynscene.layers.video_frames import apply_video_conv
from keras_dynscene.layers.video_frames import build_video_conv
from keras_dynscene.layers.video_frames import downsample_average


@dynscene_export
class DiscriminatorResNetBlock(keras.layers.Layer):
    """relu-conv-relu-conv residual block of the CVG discriminators, no normalization (6.A.1).

    Video in, video out (`[batch, frames, height, width, channels]`). Convolutions are per-frame
    3x3 2D (`kind="2d"`) or 3x3x3 3D (`kind="3d"`), spectrally normalized; an optional 2x2
    spatial average pooling follows the last convolution (and pools the shortcut, projected by a
    1x1 convolution when the channel count changes).

    Args:
        filters: output channels.
        kind: `"2d"` or `"3d"`.
        downsample: halve the spatial resolution.
        input_activation: apply the first ReLU (off for the first block, which sees pixels).
        **kwargs: base layer arguments.

    Example:
    ```python
    block = DiscriminatorResNetBlock(32, kind="3d", downsample=True)
    y = block(keras.random.normal((2, 4, 16, 16, 3)))  # (2, 4, 8, 8, 32)
    ```

    Reference:
        thesis (Castrejon 2022) 6.A.1; Clark et al., "Adversarial Video Generation on Complex
        Datasets", 2019.
    """

    def __init__(self, filters, kind="2d", downsample=True, input_activation=True, **kwargs):
        super().__init__(**kwargs)
        if kind not in ("2d", "3d"):
            raise ValueError(f"`kind` must be '2d' or '3d'; received {kind!r}.")
        self.filters = filters
        self.kind = kind
        self.downsample = downsample
        self.input_activation = input_activation
        conv = SpectralConv3D if kind == "3d" else SpectralConv2D
        self.conv_1 = conv(filters, 3, padding="same", name="conv_1")
        self.conv_2 = conv(filters, 3, padding="same", name="conv_2")
        self.shortcut = None

    def build(self, input_shape):
        channels = input_shape[-1]
        out = (*input_shape[:-1], self.filters)
        self._build_conv(self.conv_1, input_shape)
        self._build_conv(self.conv_2, out)
        if channels != self.filters:
            conv = SpectralConv3D if self.kind == "3d" else SpectralConv2D
            self.shortcut = conv(self.filters, 1, name="shortcut")
            self._build_conv(self.shortcut, input_shape)

    def _build_conv(self, conv, video_shape):
        build_video_conv(conv, self.kind, video_shape)

    def _apply_conv(self, conv, video, training):
        return apply_video_conv(conv, self.kind, video, training)

    def call(self, inputs, training=None):
        hidden = keras.activations.relu(inputs) if self.input_activation else inputs
        hidden = self._apply_conv(self.conv_1, hidden, training)
        hidden = self._apply_conv(self.conv_2, keras.activations.relu(hidden), training)
        shortcut = inputs
        if self.shortcut is not None:
            shortcut = self._apply_conv(self.shortcut, shortcut, training)
        if self.downsample:
            hidden = downsample_average(hidden)
            shortcut = downsample_average(shortcut)
        return shortcut + hidden

    def compute_output_shape(self, input_shape):
        batch, frames, height, width, _ = input_shape
        scale = 2 if self.downsample else 1
        return (batch, frames, height // scale, width // scale, self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kind": self.kind,
                "downsample": self.downsample,
                "input_activation": self.input_activation,
            }
        )
        return config
