import keras

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.layers.group_normalization import group_normalization


@dynscene_export
class ResNetBlock(keras.layers.Layer):
    """Residual block of two (ReLU, Conv2D, GroupNorm) groups, thesis section 4.B.

    A 1x1 convolution projects the shortcut when the channel count changes.

    Args:
        filters: output channels.
        kernel_size: kernel of both convolutions ("same" padding).
        groups: GroupNorm groups (see `group_count` for small channel counts).
        **kwargs: base layer arguments.

    Example:
    ```python
    block = ResNetBlock(64)
    y = block(keras.random.normal((2, 16, 16, 32)))  # (2, 16, 16, 64)
    ```

    Reference:
        He et al., "Deep Residual Learning for Image Recognition", CVPR 2016.
    """

    def __init__(self, filters: int, kernel_size: int = 3, groups: int = 16, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.kernel_size = kernel_size
        self.groups = groups
        self.conv_1 = keras.layers.Conv2D(filters, kernel_size, padding="same", name="conv_1")
        self.norm_1 = group_normalization(filters, groups, name="norm_1")
        self.conv_2 = keras.layers.Conv2D(filters, kernel_size, padding="same", name="conv_2")
        self.norm_2 = group_normalization(filters, groups, name="norm_2")
        self.shortcut = None

    def build(self, input_shape):
        if input_shape[-1] != self.filters:
            self.shortcut = keras.layers.Conv2D(self.filters, 1, name="shortcut")
            self.shortcut.build(input_shape)
        output_shape = (*input_shape[:-1], self.filters)
        self.conv_1.build(input_shape)
        self.norm_1.build(output_shape)
        self.conv_2.build(output_shape)
        self.norm_2.build(output_shape)

    def call(self, inputs):
        residual = self.norm_1(self.conv_1(keras.activations.relu(inputs)))
        residual = self.norm_2(self.conv_2(keras.activations.relu(residual)))
        shortcut = inputs if self.shortcut is None else self.shortcut(inputs)
        return shortcut + residual

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(
            {"filters": self.filters, "kernel_size": self.kernel_size, "groups": self.groups}
        )
        return config
