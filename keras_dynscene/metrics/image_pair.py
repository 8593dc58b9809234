"""Validation shared by the per-image metrics: two equally shaped batches of images."""

import keras
from keras import ops


def image_pair(x, y, metric_name: str):
    """Converts `x` and `y` to float tensors after checking they are comparable image batches.

    Integer inputs (e.g. uint8 frames) are cast to float32 without rescaling, so pass the matching
    `max_val` to the metric; float64 stays float64, every other float becomes float32.

    Args:
        x: images shaped `[..., H, W, C]`.
        y: images with the same shape as `x`.
        metric_name: the calling metric, named in error messages.

    Returns:
        `(x, y)` as float tensors.

    Example:
    ```python
    x, y = image_pair(np.zeros((2, 8, 8, 3)), np.ones((2, 8, 8, 3)), "mse")
    ```
    """
    x = ops.convert_to_tensor(x)
    y = ops.convert_to_tensor(y)
    x_shape, y_shape = tuple(x.shape), tuple(y.shape)
    if len(x_shape) < 3:
        raise ValueError(
            f"{metric_name}: expected images shaped [..., H, W, C] (rank >= 3), received shape "
            f"{x_shape}. Add the missing axes, e.g. a channel axis with x[..., None]."
        )
    if x_shape != y_shape:
        raise ValueError(
            f"{metric_name}: expected x and y with the same shape, received {x_shape} and "
            f"{y_shape}. Compare frames of equal size, e.g. resize or crop one of them first."
        )
    dtype = "float64" if keras.backend.standardize_dtype(x.dtype) == "float64" else "float32"
    return ops.cast(x, dtype), ops.cast(y, dtype)
