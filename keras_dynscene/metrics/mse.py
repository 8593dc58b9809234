"""Mean squared error per image."""

from keras import ops

from keras_dynscene.metrics.image_pair import image_pair


def mse(x, y):
    """Mean squared error of each image, averaged over height, width and channels.

    Args:
        x: images shaped `[..., H, W, C]`, any number of leading axes.
        y: images with the same shape as `x`.

    Returns:
        A float tensor with the leading shape of `x` (a scalar for a single `[H, W, C]` image).

    Example:
    ```python
    frames = keras.random.uniform((4, 10, 64, 64, 3))  # [B, T, H, W, C]
    errors = mse(frames, ops.zeros_like(frames))  # [4, 10]
    ```
    """
    x, y = image_pair(x, y, "mse")
    return ops.mean(ops.square(x - y), axis=(-3, -2, -1))
