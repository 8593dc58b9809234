import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.layers.conditional_batch_normalization import ConditionalBatchNormalization
from keras_dynscene.layers.conv_gru import ConvGRU
from keras_dynscene.layers.generator_resnet_block import GeneratorResNetBlock
from keras_dynscene.layers.spectral_normalization import SpectralConv2D
from keras_dynscene.layers.spectral_normalization import SpectralDense
from keras_dynscene.layers.video_frames import fold_frames
from keras_dynscene.layers.video_frames import unfold_frames
from keras_dynscene.models.cvg.generator_condition import GeneratorCondition


@dynscene_export
class FirstLevelGenerator(GeneratorCondition, keras.layers.Layer):
    """First CVG level: a low-resolution, temporally subsampled video from noise (thesis 6.A.1).

    The class embedding (if any) and the noise are mapped by a linear layer to a
    `[4x4 x 8ch]`-style tensor that is replicated over time; then units of a ConvGRU and two 2D
    ResNet blocks (conditional batch norm on `[noise, embedding]`; every unit but the last doubles
    the resolution in its first block); then norm-relu-conv-tanh to pixels in [-1, 1].

    Args:
        image_size: side of the output frames; `image_size / 2**(units - 1)` must be an int.
        channels: output colour channels.
        base_channels: `ch` of the paper (128); unit channels are `ch * multiplier`.
        channel_multipliers: one per unit (paper: `[8, 8, 4, 2]`).
        noise_size: dimension of the noise `z`.
        num_classes: classes of the label (0: unconditional).
        embedding_size: dimension of the class embedding.
        max_frames: frame indices with batch-norm statistics.
        **kwargs: base layer arguments.

    Example:
    ```python
    generator = FirstLevelGenerator(16, 1, 8, [2, 2, 1], noise_size=8, num_classes=10)
    video = generator(keras.random.normal((2, 8)), labels=ops.array([1, 2]), frames=4)
    # (2, 4, 16, 16, 1) in [-1, 1]
    ```

    Reference:
        thesis (Castrejon 2022) 6.3 and 6.A.1; Clark et al. (DVD-GAN), 2019.
    """

    def __init__(
        self,
        image_size,
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
        self.image_size = image_size
        self.channels = channels
        self.base_channels = base_channels
        self.channel_multipliers = list(channel_multipliers)
        self.noise_size = noise_size
        self.num_classes = num_classes
        self.embedding_size = embedding_size
        self.max_frames = max_frames
        units = len(self.channel_multipliers)
        self.initial_size = image_size // 2 ** (units - 1)
        if self.initial_size * 2 ** (units - 1) != image_size:
            raise ValueError(
                f"FirstLevelGenerator: image_size={image_size} is not divisible by "
                f"2**(units - 1) = {2 ** (units - 1)} for {units} units; change the image size "
                "or the number of channel multipliers."
            )
        widths = [base_channels * m for m in self.channel_multipliers]
        self._make_class_embedding()
        self.project = SpectralDense(self.initial_size**2 * widths[0], name="project")
        self.recurrent = [ConvGRU(w, name=f"unit_{i}_gru") for i, w in enumerate(widths)]
        self.blocks = []
        for i, width in enumerate(widths):
            self.blocks.append(
                GeneratorResNetBlock(
                    width, upsample=i < units - 1, max_frames=max_frames, name=f"unit_{i}_block_0"
                )
            )
            self.blocks.append(
                GeneratorResNetBlock(width, max_frames=max_frames, name=f"unit_{i}_block_1")
            )
        self.head_norm = ConditionalBatchNormalization(max_frames, name="head_norm")
        self.head_conv = SpectralConv2D(channels, 3, padding="same", name="head_conv")

    def build(self, input_shape):
        condition = (None, self.condition_size)
        if self.embedding is not None:
            self.embedding.build((None,))
        self.project.build(condition)
        frames = 1
        size = self.initial_size
        width = self.base_channels * self.channel_multipliers[0]
        shape = (None, frames, size, size, width)
        for i, gru in enumerate(self.recurrent):
            gru.build(shape)
            shape = (*shape[:-1], gru.filters)
            for block in self.blocks[2 * i : 2 * i + 2]:
                block.build([shape, condition])
                shape = block.compute_output_shape([shape, condition])
        self.head_norm.build([shape, condition])
        self.head_conv.build((None, *shape[2:]))

    def call(self, noise, labels=None, frames=8, training=None):
        condition = self.condition(noise, labels)
        width = self.base_channels * self.channel_multipliers[0]
        hidden = self.project(condition, training=training)
        hidden = ops.reshape(hidden, (-1, 1, self.initial_size, self.initial_size, width))
        hidden = ops.repeat(hidden, frames, axis=1)
        for i, gru in enumerate(self.recurrent):
            hidden = gru(hidden, training=training)
            for block in self.blocks[2 * i : 2 * i + 2]:
                hidden = block([hidden, condition], training=training)
        hidden = keras.activations.relu(self.head_norm([hidden, condition], training=training))
        pixels = self.head_conv(fold_frames(hidden), training=training)
        return ops.tanh(unfold_frames(pixels, frames))

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "image_size": self.image_size,
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
