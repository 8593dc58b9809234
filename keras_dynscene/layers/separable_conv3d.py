import keras

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.layers.spectral_normalization import SpectralConv3D


@dynscene_export
class SeparableConv3D(keras.layers.Layer):
    """Temporal-then-spatial separable 3D convolution (thesis 6.A.2).

    A 1D temporal convolution (kernel `temporal_kernel` x 1 x 1) to `filters` channels, then a 2D
    spatial one (1 x `spatial_kernel` x `spatial_kernel`), both spectrally normalized with
    "same" padding, so every output frame sees `temporal_kernel` input frames and the layer
    applies convolutionally to videos of any length.

    Args:
        filters: output channels.
        temporal_kernel: frames seen by the temporal convolution.
        spatial_kernel: side of the spatial kernel.
        **kwargs: base layer arguments.

    Example:
    ```python
    conv = SeparableConv3D(32)
    y = conv(keras.random.normal((2, 6, 8, 8, 16)))  # (2, 6, 8, 8, 32)
    ```

    Reference:
        Castrejon et al., "Hierarchical Video Generation for Complex Data" (CVG), thesis 6.A.2.
    """

    def __init__(self, filters, temporal_kernel=3, spatial_kernel=3, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.temporal_kernel = temporal_kernel
        self.spatial_kernel = spatial_kernel
        self.temporal = SpectralConv3D(
            filters, (temporal_kernel, 1, 1), padding="same", name="temporal"
        )
        self.spatial = SpectralConv3D(
            filters, (1, spatial_kernel, spatial_kernel), padding="same", name="spatial"
        )

    def build(self, input_shape):
        self.temporal.build(input_shape)
        self.spatial.build((*input_shape[:-1], self.filters))

    def call(self, inputs, training=None):
        return self.spatial(self.temporal(inputs, training=training), training=training)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "temporal_kernel": self.temporal_kernel,
                "spatial_kernel": self.spatial_kernel,
            }
        )
        return config
