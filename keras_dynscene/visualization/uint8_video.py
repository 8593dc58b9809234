"""Conversion of frames from models or datasets to displayable uint8 RGB arrays."""

import keras
import numpy as np

# Floats this far outside [0, 1] are taken as rounding noise and clipped; further out is an error.
RANGE_TOLERANCE = 1e-3


def to_uint8_rgb(frames, ndim: int, name: str = "video") -> np.ndarray:
    """Converts uint8 or float-in-[0, 1] frames with 1 or 3 channels to a uint8 RGB numpy array.

    Args:
        frames: an array shaped `[..., H, W, C]` with `C` in {1, 3}: numpy, a tensor of the active
            Keras backend, or anything `np.asarray` accepts. Floats must lie in [0, 1].
        ndim: the rank `frames` must have (3 for an image, 4 for a video, 5 for several videos).
        name: the argument's name, used in error messages.

    Returns:
        A uint8 numpy array with the shape of `frames` and 3 channels (grayscale is repeated).

    Example:
    ```python
    video = to_uint8_rgb(keras.random.uniform((10, 64, 64, 1)), ndim=4)  # (10, 64, 64, 3) uint8
    ```
    """
    array = keras.ops.convert_to_numpy(frames) if keras.ops.is_tensor(frames) else frames
    array = np.asarray(array)
    if array.ndim != ndim or array.shape[-1] not in (1, 3):
        raise ValueError(
            f"{name}: expected an array of rank {ndim} with 1 or 3 channels last, received shape "
            f"{array.shape}. Frames are [H, W, C] images, videos [T, H, W, C]."
        )
    if array.dtype != np.uint8:
        if not np.issubdtype(array.dtype, np.floating):
            raise ValueError(
                f"{name}: expected uint8 or float values in [0, 1], received dtype {array.dtype}. "
                "Cast to uint8, or to float and divide by 255."
            )
        low, high = float(np.min(array)), float(np.max(array))
        if not (low >= -RANGE_TOLERANCE and high <= 1 + RANGE_TOLERANCE):
            raise ValueError(
                f"{name}: expected float values in [0, 1], received the range [{low}, {high}]. "
                "Divide 0-255 floats by 255, or map [-1, 1] outputs with (x + 1) / 2."
            )
        array = np.round(np.clip(array, 0.0, 1.0) * 255.0).astype(np.uint8)
    if array.shape[-1] == 1:
        array = np.repeat(array, 3, axis=-1)
    return array
