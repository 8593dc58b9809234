"""Peak signal-to-noise ratio per image."""

from keras import ops

from keras_dynscene.metrics.mse import mse


def psnr(x, y, max_val: float = 1.0):
    """Peak signal-to-noise ratio of each image in decibels: `10 log10(max_val**2 / mse)`.

    The mean squared error is taken over height, width and channels of each image, as in
    `skimage.metrics.peak_signal_noise_ratio`. Identical images give `inf`.

    Args:
        x: images shaped `[..., H, W, C]`, any number of leading axes.
        y: images with the same shape as `x`.
        max_val: the dynamic range of the pixels (1.0 for floats in [0, 1], 255 for uint8).

    Returns:
        A float tensor with the leading shape of `x` (a scalar for a single `[H, W, C]` image).

    Example:
    ```python
    frames = keras.random.uniform((4, 10, 64, 64, 3))  # [B, T, H, W, C]
    values = psnr(frames, ops.clip(frames + 0.05, 0.0, 1.0))  # [4, 10]
    ```
    """
    if max_val <= 0:
        raise ValueError(
            f"psnr: expected a positive max_val, received {max_val}. Use 1.0 for images in "
            "[0, 1] or 255.0 for uint8 images."
        )
    return 10.0 * ops.log10(max_val**2 / mse(x, y))
