import keras

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.layers.conditional_batch_normalization import ConditionalBatchNormalization
from keras_dynscene.layers.separable_conv3d import SeparableConv3D
from keras_dynscene.layers.spectral_normalization import SpectralConv2D
from keras_dynscene.layers.spectral_normalization import SpectralConv3D
from keras_dynscene.layers.video_frames import apply_video_conv
from keras_dynscene.layers.video_frames import build_video_conv
from keras_dynscene.layers.video_frames import upsample_nearest


@dynscene_export
class GeneratorResNetBlock(keras.layers.Layer):
    """Conditional norm-act-conv-norm-act-conv residual block of the CVG generators (6.A).

    Input `[video, condition]`, video `[batch, frames, height, width, channels]`. Conditional batch
    norm (per-frame statistics) and ReLU come before each convolution; an optional 2x
    nearest-neighbour upsampling follows the first norm-act (and upsamples the shortcut). The
    convolutions are per-frame 3x3 2D convolutions (`kind="2d"`) or temporal-then-spatial
    separable 3D convolutions (`kind="3d"`, upsampling levels). A 1x1 convolution projects the
    shortcut when the channel count changes.

    Args:
        filters: output channels.
        kind: `"2d"` or `"3d"`.
        upsample: double the spatial resolution.
        max_frames: frame indices with batch-norm statistics.
        **kwargs: base layer arguments.

    Example:
    ```python
    block = GeneratorResNetBlock(32, upsample=True)
    y = block([keras.random.normal((2, 4, 8, 8, 64)), keras.random.normal((2, 16))])
    # (2, 4, 16, 16, 32)
    ```

    Reference:
        thesis (Castrejon 2022) 6.A.1-6.A.2; Brock et al., "Large Scale GAN Training", 2019.
    """

    def __init__(self, filters, kind="2d", upsample=False, max_frames=64, **kwargs):
        super().__init__(**kwargs)
        if kind not in ("2d", "3d"):
            raise ValueError(f"`kind` must be '2d' or '3d'; received {kind!r}.")
        self.filters = filters
        self.kind = kind
        self.upsample = upsample
        self.max_frames = max_frames
        self.norm_1 = ConditionalBatchNormalization(max_frames, name="norm_1")
        self.norm_2 = ConditionalBatchNormalization(max_frames, name="norm_2")
        self.conv_1 = self._conv("conv_1")
        self.conv_2 = self._conv("conv_2")
        self.shortcut = None

    def _conv(self, name):
        if self.kind == "3d":
            return SeparableConv3D(self.filters, name=name)
        return SpectralConv2D(self.filters, 3, padding="same", name=name)

    def build(self, input_shape):
        video_shape, condition_shape = input_shape
        batch, frames, height, width, channels = video_shape
        scale = 2 if self.upsample else 1
        big = (batch, frames, height * scale, width * scale, channels)
        self.norm_1.build([video_shape, condition_shape])
        self._build_conv(self.conv_1, big)
        out = (*big[:-1], self.filters)
        self.norm_2.build([out, condition_shape])
        self._build_conv(self.conv_2, out)
        if channels != self.filters:
            self.shortcut = (
                SpectralConv3D(self.filters, 1, name="shortcut")
                if self.kind == "3d"
                else SpectralConv2D(self.filters, 1, name="shortcut")
            )
            self._build_conv(self.shortcut, big)

    def _build_conv(self, conv, video_shape):
        build_video_conv(conv, self.kind, video_shape)

    def _apply_conv(self, conv, video, training):
        return apply_video_conv(conv, self.kind, video, training)

    def call(self, inputs, training=None):
        video, condition = inputs
        hidden = keras.activations.relu(self.norm_1([video, condition], training=training))
        shortcut = video
        if self.upsample:
            hidden = upsample_nearest(hidden)
            shortcut = upsample_nearest(shortcut)
        hidden = self._apply_conv(self.conv_1, hidden, training)
        hidden = keras.activations.relu(self.norm_2([hidden, condition], training=training))
        hidden = self._apply_conv(self.conv_2, hidden, training)
        if self.shortcut is not None:
            shortcut = self._apply_conv(self.shortcut, shortcut, training)
        return shortcut + hidden

    def compute_output_shape(self, input_shape):
        batch, frames, height, width, _ = input_shape[0]
        scale = 2 if self.upsample else 1
        return (batch, frames, height * scale, width * scale, self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kind": self.kind,
                "upsample": self.upsample,
                "max_frames": self.max_frames,
            }
        )
        return config
