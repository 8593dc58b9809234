"""Structural similarity (SSIM) per image."""

from keras import ops

from keras_dynscene.metrics.image_pair import image_pair


def ssim(
    x,
    y,
    max_val: float = 1.0,
    filter_size: int = 11,
    filter_sigma: float = 1.5,
    k1: float = 0.01,
    k2: float = 0.03,
):
    """Gaussian-window SSIM of each image (Wang et al., 2004), as computed by `tf.image.ssim`.

    Local means, variances and covariance come from a `filter_size` x `filter_size` Gaussian
    window applied in valid mode (no padding); the SSIM map is averaged over positions and
    channels. This wraps `keras.ops.image.ssim`, which implements exactly this definition on every
    backend, and extends it to any number of leading axes. It matches
    `skimage.metrics.structural_similarity(x, y, gaussian_weights=True, sigma=1.5,
    use_sample_covariance=False, data_range=max_val, channel_axis=-1)`.

    Args:
        x: images shaped `[..., H, W, C]` with `H, W >= filter_size`, any number of leading axes.
        y: images with the same shape as `x`.
        max_val: the dynamic range of the pixels (1.0 for floats in [0, 1], 255 for uint8).
        filter_size: side of the Gaussian window.
        filter_sigma: standard deviation of the Gaussian window, in pixels.
        k1: luminance stabilizer; `c1 = (k1 * max_val) ** 2`.
        k2: contrast stabilizer; `c2 = (k2 * max_val) ** 2`.

    Returns:
        A float tensor with the leading shape of `x` (a scalar for a single `[H, W, C]` image).

    Example:
    ```python
    frames = keras.random.uniform((4, 10, 64, 64, 3))  # [B, T, H, W, C]
    values = ssim(frames, frames)  # [4, 10], all ones
    ```
    """
    x, y = image_pair(x, y, "ssim")
    if not isinstance(filter_size, int) or filter_size < 1:
        raise ValueError(
            f"ssim: expected filter_size to be a positive int, received {filter_size!r}. "
            "The standard value is 11."
        )
    if max_val <= 0 or filter_sigma <= 0:
        raise ValueError(
            f"ssim: expected positive max_val and filter_sigma, received max_val={max_val}, "
            f"filter_sigma={filter_sigma}. Use max_val=1.0 for images in [0, 1] (255.0 for uint8)."
        )
    height, width = x.shape[-3:-1]
    if (height is not None and height < filter_size) or (width is not None and width < filter_size):
        raise ValueError(
            f"ssim: expected images of at least {filter_size}x{filter_size} pixels (valid-mode "
            f"filtering with filter_size={filter_size}), received {height}x{width}. Pass a "
            "smaller filter_size or compare larger images."
        )
    leading_shape = ops.shape(x)[:-3]
    flat_shape = (-1, *ops.shape(x)[-3:])
    values = ops.image.ssim(
        ops.reshape(x, flat_shape),
        ops.reshape(y, flat_shape),
        max_val=max_val,
        filter_size=filter_size,
        filter_sigma=filter_sigma,
        k1=k1,
        k2=k2,
        data_format="channels_last",
    )
    return ops.reshape(values, leading_shape)
