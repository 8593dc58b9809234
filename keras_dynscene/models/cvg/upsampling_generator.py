import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.layers.conditional_batch_normalization import ConditionalBatchNormalization
from keras_dynscene.layers.generator_resnet_block import GeneratorResNetBlock
from keras_dynscene.layers.spectral_normalization import SpectralConv3D
from keras_dynscene.layers.spectral_normalization import SpectralDense
from keras_dynscene.layers.video_frames import downsample_nearest
from keras_dynscene.models.cvg.generator_condition import GeneratorCondition


@dynscene_export
class UpsamplingGenerator(GeneratorCondition, keras.layers.Layer):
    """CVG upsampling level: `x^l` from the lower-level video `x^{l-1}`, noise and label (6.A.2).

    Same scheme as the first level with the ConvGRU of each unit replaced by a separable-3D
    ResNet block (temporal k=3 then spatial 3x3), followed by two 2D ResNet blocks. After every
    block whose resolution is at most that of `x^{l-1}`, the lower-level video, resized by
    nearest-neighbour (spatial downsampling, temporal repetition by `temporal_factor`) and mapped
    by a 1x1 convolution, is added to the features. The layer is convolutional in time: it applies
    to an input window of any length `w` and returns `w * temporal_factor` frames.

    Args:
        input_size: side of the lower-level frames.
        spatial_factor: output side / input side.
        temporal_factor: output frames / input frames.
        channels: colour channels (input and output).
        base_channels: `ch` of the paper; unit channels are `ch * multiplier`.
        channel_multipliers: one per unit (paper: `[8, 8, 4, 2, 1]`).
        noise_size: dimension of the noise `z`.
        num_classes: classes of the label (0: unconditional).
        embedding_size: dimension of the class embedding.
        max_frames: frame indices with batch-norm statistics.
        **kwargs: base layer arguments.

    Example:
    ```python
    generator = UpsamplingGenerator(16, 2, 2, 1, 8, [2, 1], noise_size=8)
    low = keras.random.uniform((2, 3, 16, 16, 1), minval=-1, maxval=1)
    high = generator(keras.random.normal((2, 8)), low)  # (2, 6, 32, 32, 1)
    ```

    Reference:
        thesis (Castrejon 2022) 6.2-6.3 and 6.A.2.
    """

    def __init__(
        self,
        input_size,
        spatial_factor,
        temporal_factor,
        channels,
        base_channels,
        channel_multipliers,
        noise_size=128,
        num_classes=0,
        embedding_size=128,
        max_frames=64,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.input_size = input_size
        self.spatial_factor = spatial_factor
        self.temporal_factor = temporal_factor
        self.channels = channels
        self.base_channels = base_channels
        self.channel_multipliers = list(channel_multipliers)
        self.noise_size = noise_size
        self.num_classes = num_classes
        self.embedding_size = embedding_size
        self.max_frames = max_frames
        self.output_size = input_size * spatial_factor
        units = len(self.channel_multipliers)
        self.initial_size = self.output_size // 2 ** (units - 1)
        if self.initial_size * 2 ** (units - 1) != self.output_size or self.initial_size < 1:
            raise ValueError(
                f"UpsamplingGenerator: output size {self.output_size} is not divisible by "
                f"2**(units - 1) = {2 ** (units - 1)} for {units} units; change the sizes or "
                "the number of channel multipliers."
            )
        widths = [base_channels * m for m in self.channel_multipliers]
        self._make_class_embedding()
        self.project = SpectralDense(self.initial_size**2 * widths[0], name="project")
        self.blocks = []
        self.skips = []
        size = self.initial_size
        for i, width in enumerate(widths):
            upsample = i < units - 1
            kinds = [("3d", upsample), ("2d", False), ("2d", False)]
            for j, (kind, up) in enumerate(kinds):
                self.blocks.append(
                    GeneratorResNetBlock(
                        width,
                        kind=kind,
                        upsample=up,
                        max_frames=max_frames,
                        name=f"unit_{i}_block_{j}",
                    )
                )
                size = size * 2 if up else size
                # Residuals from x^{l-1} only where the features are not larger than it.
                self.skips.append(
                    SpectralConv3D(width, 1, name=f"unit_{i}_block_{j}_skip")
                    if size <= input_size
                    else None
                )
        self.head_norm = ConditionalBatchNormalization(max_frames, name="head_norm")
        self.head_conv = SpectralConv3D(channels, (1, 3, 3), padding="same", name="head_conv")

    def build(self, noise_shape, lower_shape=None):
        condition = (None, self.condition_size)
        if self.embedding is not None:
            self.embedding.build((None,))
        self.project.build(condition)
        width = self.base_channels * self.channel_multipliers[0]
        shape = (None, 1, self.initial_size, self.initial_size, width)
        for block, skip in zip(self.blocks, self.skips):
            block.build([shape, condition])
            shape = block.compute_output_shape([shape, condition])
            if skip is not None:
                skip.build((None, 1, shape[2], shape[3], self.channels))
        self.head_norm.build([shape, condition])
        self.head_conv.build(shape)

    def call(self, noise, lower, labels=None, training=None):
        frames = lower.shape[1] * self.temporal_factor
        condition = self.condition(noise, labels)
        width = self.base_channels * self.channel_multipliers[0]
        hidden = self.project(condition, training=training)
        hidden = ops.reshape(hidden, (-1, 1, self.initial_size, self.initial_size, width))
        hidden = ops.repeat(hidden, frames, axis=1)
        lower = ops.repeat(lower, self.temporal_factor, axis=1)
        for block, skip in zip(self.blocks, self.skips):
            hidden = block([hidden, condition], training=training)
            if skip is not None:
                resized = downsample_nearest(lower, self.input_size // hidden.shape[2])
                hidden = hidden + skip(resized, training=training)
        hidden = keras.activations.relu(self.head_norm([hidden, condition], training=training))
        return ops.tanh(self.head_conv(hidden, training=training))

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "input_size": self.input_size,
                "spatial_factor": self.spatial_factor,
                "temporal_factor": self.temporal_factor,
                "channels": self.channels,
                "base_channels": self.base_channels,
                "channel_multipliers": self.channel_multipliers,
                "noise_size": self.noise_size,
                "num_classes": self.num_classes,
                "embedding_size": self.embedding_size,
                "max_frames": self.max_frames,
            }
        )
        return config
