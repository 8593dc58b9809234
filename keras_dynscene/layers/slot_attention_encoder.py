import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.layers.soft_position_embedding import SoftPositionEmbedding


@dynscene_export
class SlotAttentionEncoder(keras.layers.Layer):
    """The CNN encoder of slot attention (thesis table 8.1): size-preserving convolutions, soft
    position embedding, then a per-position LayerNorm and two-layer MLP; returns a feature set.

    Args:
        filters: channels of every convolution and of the output features (64 in table 8.1).
        num_conv_layers: number of `kernel_size` convolutions (4 in table 8.1).
        kernel_size: convolution kernel (5 in table 8.1).
        **kwargs: base layer arguments.

    Call arguments:
        images: `[B, H, W, C]` floats.

    Returns:
        `[B, H * W, filters]` features, one per pixel.

    Example:
    ```python
    features = SlotAttentionEncoder(filters=64)(keras.random.uniform((2, 32, 32, 3)))
    # (2, 1024, 64)
    ```

    Reference:
        Locatello et al., "Object-Centric Learning with Slot Attention", NeurIPS 2020.
    """

    def __init__(self, filters=64, num_conv_layers=4, kernel_size=5, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.num_conv_layers = num_conv_layers
        self.kernel_size = kernel_size
        self.convs = [
            keras.layers.Conv2D(
                filters, kernel_size, padding="same", activation="relu", name=f"conv_{index}"
            )
            for index in range(num_conv_layers)
        ]
        self.position_embedding = SoftPositionEmbedding(name="position_embedding")
        self.norm = keras.layers.LayerNormalization(name="norm")
        self.mlp_hidden = keras.layers.Dense(filters, activation="relu", name="mlp_hidden")
        self.mlp_output = keras.layers.Dense(filters, name="mlp_output")

    def build(self, input_shape):
        shape = tuple(input_shape)
        for conv in self.convs:
            conv.build(shape)
            shape = (*shape[:-1], self.filters)
        self.position_embedding.build(shape)
        flat = (None, self.filters)
        self.norm.build(flat)
        self.mlp_hidden.build(flat)
        self.mlp_output.build(flat)

    def call(self, images):
        x = images
        for conv in self.convs:
            x = conv(x)
        x = self.position_embedding(x)
        height, width = x.shape[1], x.shape[2]
        x = ops.reshape(x, (-1, height * width, self.filters))
        return self.mlp_output(self.mlp_hidden(self.norm(x)))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1] * input_shape[2], self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "num_conv_layers": self.num_conv_layers,
                "kernel_size": self.kernel_size,
            }
        )
        return config
