import math

import keras

from keras_dynscene.api_export import dynscene_export


@dynscene_export
class NeuralUpscaler(keras.layers.Layer):
    """INFERNO's neural upscaler (thesis table 10.9): low-resolution rendered features to RGB.

    Per factor of 2 between `input_size` and `output_size`: a 3x3 convolution with `filters`
    channels, instance normalization and ReLU, then a nearest-neighbour 2x upsampling (two
    stages for 16 -> 64 px, three for 16 -> 128 px); a last 3x3 convolution maps to the
    `channels` colour channels, with no activation (table 10.9).

    Args:
        input_size: side of the rendered feature image (16 in the thesis).
        output_size: side of the output image, `input_size * 2^k`.
        filters: channels of the hidden convolutions (64).
        channels: output channels (3).
        **kwargs: base layer arguments.

    Call arguments:
        features: `[B, input_size, input_size, F]`.

    Returns:
        `[B, output_size, output_size, channels]`.

    Example:
    ```python
    upscaler = NeuralUpscaler(input_size=16, output_size=64)
    image = upscaler(keras.random.normal((2, 16, 16, 128)))  # (2, 64, 64, 3)
    ```

    Reference:
        Thesis 10.A, table 10.9; Niemeyer & Geiger, "GIRAFFE", CVPR 2021 (neural rendering).
    """

    def __init__(self, input_size=16, output_size=64, filters=64, channels=3, **kwargs):
        super().__init__(**kwargs)
        factor = output_size / input_size if input_size > 0 else 0
        stages = math.log2(factor) if factor >= 1 else -1
        if stages < 0 or stages != int(stages):
            raise ValueError(
                f"NeuralUpscaler: expected output_size = input_size * 2^k, received "
                f"input_size={input_size} and output_size={output_size}. Use an image size of "
                f"{input_size * 2}, {input_size * 4} or {input_size * 8}."
            )
        self.input_size = input_size
        self.output_size = output_size
        self.filters = filters
        self.channels = channels
        self.num_stages = int(stages)
        self.convs, self.norms = [], []
        for index in range(self.num_stages):
            self.convs.append(keras.layers.Conv2D(filters, 3, padding="same", name=f"conv_{index}"))
            # groups=-1: one group per channel, i.e. instance normalization.
            self.norms.append(keras.layers.GroupNormalization(groups=-1, name=f"norm_{index}"))
        self.upsample = keras.layers.UpSampling2D(2, interpolation="nearest", name="upsample")
        self.output_conv = keras.layers.Conv2D(channels, 3, padding="same", name="to_rgb")

    def build(self, input_shape):
        shape = tuple(input_shape)
        for conv, norm in zip(self.convs, self.norms):
            conv.build(shape)
            shape = (shape[0], shape[1], shape[2], self.filters)
            norm.build(shape)
            shape = (shape[0], None, None, self.filters)
        self.output_conv.build(shape)

    def call(self, features):
        x = features
        for conv, norm in zip(self.convs, self.norms):
            x = self.upsample(keras.activations.relu(norm(conv(x))))
        return self.output_conv(x)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_size, self.output_size, self.channels)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "input_size": self.input_size,
                "output_size": self.output_size,
                "filters": self.filters,
                "channels": self.channels,
            }
        )
        return config
