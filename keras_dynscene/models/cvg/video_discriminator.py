import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.layers.discriminator_resnet_block import DiscriminatorResNetBlock
from keras_dynscene.layers.spectral_normalization import SpectralDense
from keras_dynscene.layers.video_frames import downsample_average

KINDS = ("spatial", "temporal", "matching")


@dynscene_export
class VideoDiscriminator(keras.layers.Layer):
    """One CVG discriminator; returns a logit per input frame, `[batch, frames]` (thesis 6.A).

    - `"spatial"`: 2D ResNet blocks on individual frames (the caller passes the `k` randomly
      sampled frames).
    - `"temporal"`: the video spatially downsampled by `input_downsample` (2), the first two
      blocks 3D (3x3x3 convolutions over time), the rest per-frame 2D blocks.
    - `"matching"`: the temporal architecture on `concat([x^{l-1}, f(x^l)], channels)`, the pair
      of a lower-level video and the output downsampled to its size (the caller builds the pair).

    Blocks are relu-conv-relu-conv without normalization, 2x2 average pooling in every block but
    the last; then ReLU, a sum over space and a linear logit, plus the class projection
    `<embed(y), h>` when the model is class-conditional (Miyato & Koyama, 2018).

    Args:
        kind: `"spatial"`, `"temporal"` or `"matching"`.
        base_channels: base channels (paper: 128 / 96).
        channel_multipliers: one per block (paper: `[1, 2, 4, 8, 16, 16]`).
        num_classes: classes of the label (0: unconditional).
        input_downsample: spatial downsampling of the input (temporal discriminator: 2).
        **kwargs: base layer arguments.

    Example:
    ```python
    discriminator = VideoDiscriminator("temporal", 8, [1, 2, 4], input_downsample=2)
    logits = discriminator(keras.random.normal((2, 8, 32, 32, 3)))  # (2, 8)
    ```

    Reference:
        thesis (Castrejon 2022) 6.A.1-6.A.2; Clark et al. (DVD-GAN), 2019.
    """

    def __init__(
        self,
        kind,
        base_channels,
        channel_multipliers,
        num_classes=0,
        input_downsample=1,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if kind not in KINDS:
            raise ValueError(f"`kind` must be one of {KINDS}; received {kind!r}.")
        self.kind = kind
        self.base_channels = base_channels
        self.channel_multipliers = list(channel_multipliers)
        self.num_classes = num_classes
        self.input_downsample = input_downsample
        count = len(self.channel_multipliers)
        self.blocks = [
            DiscriminatorResNetBlock(
                base_channels * m,
                kind="3d" if kind != "spatial" and i < 2 else "2d",
                downsample=i < count - 1,
                input_activation=i > 0,
                name=f"block_{i}",
            )
            for i, m in enumerate(self.channel_multipliers)
        ]
        width = base_channels * self.channel_multipliers[-1]
        self.logit = SpectralDense(1, name="logit")
        self.projection = (
            keras.layers.Embedding(num_classes, width, name="class_projection")
            if num_classes
            else None
        )

    def build(self, input_shape):
        batch, frames, height, width, channels = input_shape
        size = height // self.input_downsample
        shape = (batch, frames, size, size, channels)
        for block in self.blocks:
            block.build(shape)
            shape = block.compute_output_shape(shape)
        self.logit.build((None, shape[-1]))
        if self.projection is not None:
            self.projection.build((None,))

    def call(self, video, labels=None, training=None):
        hidden = downsample_average(video, self.input_downsample)
        for block in self.blocks:
            hidden = block(hidden, training=training)
        features = ops.sum(keras.activations.relu(hidden), axis=(2, 3))
        logits = ops.squeeze(self.logit(features, training=training), axis=-1)
        if self.projection is not None:
            logits = logits + ops.sum(features * self.projection(labels)[:, None, :], axis=-1)
        return logits

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "kind": self.kind,
                "base_channels": self.base_channels,
                "channel_multipliers": self.channel_multipliers,
                "num_classes": self.num_classes,
                "input_downsample": self.input_downsample,
            }
        )
        return config
