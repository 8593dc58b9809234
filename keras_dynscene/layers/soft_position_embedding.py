import keras
import numpy as np
from keras import ops

from keras_dynscene.api_export import dynscene_export


def position_grid(height: int, width: int) -> np.ndarray:
    """`[H, W, 4]` grid of (row, col, 1 - row, 1 - col) with coordinates in [0, 1]."""
    rows = np.linspace(0.0, 1.0, height, dtype="float32")
    cols = np.linspace(0.0, 1.0, width, dtype="float32")
    grid = np.stack(np.meshgrid(rows, cols, indexing="ij"), axis=-1)
    return np.concatenate([grid, 1.0 - grid], axis=-1)


@dynscene_export
class SoftPositionEmbedding(keras.layers.Layer):
    """Adds a learned linear projection of a 4-channel coordinate grid to feature maps.

    The grid holds each position's distance to the four image borders (row, col, 1 - row,
    1 - col), projected to the feature channels by a dense layer, as in Slot Attention.

    Args:
        **kwargs: base layer arguments.

    Example:
    ```python
    features = keras.random.normal((2, 32, 32, 64))
    embedded = SoftPositionEmbedding()(features)  # (2, 32, 32, 64)
    ```

    Reference:
        Locatello et al., "Object-Centric Learning with Slot Attention", NeurIPS 2020.
    """

    def build(self, input_shape):
        self.height, self.width, channels = input_shape[-3:]
        self.projection = keras.layers.Dense(channels, name="projection")
        self.projection.build((None, 4))

    def call(self, inputs):
        grid = ops.convert_to_tensor(position_grid(self.height, self.width), dtype=inputs.dtype)
        return inputs + self.projection(grid)

    def compute_output_shape(self, input_shape):
        return input_shape
