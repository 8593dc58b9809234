"""Image FID with a pluggable feature network (InceptionV3 pool features by default)."""

import os

import keras
import numpy as np
from keras import ops

from keras_dynscene.metrics.frechet_distance import frechet_distance
from keras_dynscene.utils.checksums import file_sha256

INCEPTION_INPUT_SIZE = 299


def inception_v3_feature_network(weights="imagenet", input_size: int = INCEPTION_INPUT_SIZE):
    """InceptionV3 without its classifier, average-pooled to 2048 features (the FID network).

    ImageNet weights cannot be downloaded offline: pass the path of an InceptionV3 weights file
    (`.weights.h5` or `.h5`, e.g. saved once where `keras.applications` could download them)
    instead of `"imagenet"`.

    Args:
        weights: `"imagenet"` (downloaded by `keras.applications`, needs network access), a path
            to a weights file of the same architecture, or `None` (random, for tests only).
        input_size: square input side (299 for FID).

    Returns:
        A `keras.Model` mapping images `[N, input_size, input_size, 3]` in [-1, 1] to `[N, 2048]`.

    Example:
    ```python
    network = inception_v3_feature_network("/data/weights/inception_v3_notop.weights.h5")
    ```
    """
    if isinstance(weights, (str, os.PathLike)) and weights != "imagenet":
        if not os.path.isfile(weights):
            raise FileNotFoundError(
                f"inception_v3_feature_network: no weights file at {os.fspath(weights)!r}. Pass "
                "the path of InceptionV3 (include_top=False) weights, e.g. saved with "
                "keras.applications.InceptionV3(include_top=False, pooling='avg')"
                ".save_weights('inception_v3.weights.h5') on a machine with network access."
            )
    try:
        return keras.applications.InceptionV3(
            include_top=False,
            weights=weights,
            input_shape=(input_size, input_size, 3),
            pooling="avg",
        )
    except Exception as error:
        if weights == "imagenet":
            raise RuntimeError(
                "inception_v3_feature_network: could not download the ImageNet InceptionV3 "
                f"weights ({error}). Offline, pass weights=<path of a saved weights file>."
            ) from error
        raise


class ImageFeatureExtractor:
    """Batched image features for FID: resize (bilinear), scale [0, 1] -> [-1, 1], run a network.

    Args:
        network: a `keras.Model` mapping `[N, input_size, input_size, 3]` images in [-1, 1] to
            `[N, D]` features, e.g. `inception_v3_feature_network(...)` or any small network.
        input_size: the square side the network expects.
        batch_size: images per forward pass.
        weights_path: the weights file of `network`, recorded (with its SHA-256) in results.

    Example:
    ```python
    extractor = ImageFeatureExtractor(inception_v3_feature_network(path), weights_path=path)
    features = extractor(images)  # images [N, H, W, C] in [0, 1]
    ```
    """

    def __init__(self, network, input_size=INCEPTION_INPUT_SIZE, batch_size=32, weights_path=None):
        self.network = network
        self.input_size = input_size
        self.batch_size = batch_size
        self.weights_path = weights_path
        self.weights_sha256 = file_sha256(weights_path) if weights_path else None

    def description(self) -> dict:
        return {
            "network": self.network.name,
            "input_size": self.input_size,
            "resize_method": "bilinear",
            "weights_path": self.weights_path,
            "weights_sha256": self.weights_sha256,
        }

    def __call__(self, images, progress: bool = False) -> np.ndarray:
        images = np.asarray(keras.ops.convert_to_numpy(images))
        if images.ndim != 4 or images.shape[-1] not in (1, 3):
            raise ValueError(
                "ImageFeatureExtractor: expected images shaped [N, H, W, C] with C in (1, 3), "
                f"received shape {images.shape}. Flatten video frames to images first."
            )
        if images.dtype == np.uint8:
            images = images.astype("float32") / 255.0
        elif images.min() < -1e-3 or images.max() > 1.0 + 1e-3:
            raise ValueError(
                f"ImageFeatureExtractor: expected float images in [0, 1], received values in "
                f"[{images.min():.3f}, {images.max():.3f}]. Map [-1, 1] images with (x + 1) / 2."
            )
        if images.shape[-1] == 1:
            images = np.repeat(images, 3, axis=-1)
        bar = keras.utils.Progbar(images.shape[0], unit_name="image") if progress else None
        features = []
        for start in range(0, images.shape[0], self.batch_size):
            batch = ops.image.resize(
                images[start : start + self.batch_size].astype("float32"),
                (self.input_size, self.input_size),
                interpolation="bilinear",
            )
            features.append(ops.convert_to_numpy(self.network(batch * 2.0 - 1.0, training=False)))
            if bar is not None:
                bar.add(len(features[-1]))
        return np.concatenate(features).reshape(images.shape[0], -1)


def frechet_inception_distance(real_images, generated_images, extractor) -> dict:
    """FID (Heusel et al., 2017) between two image sets with a given `ImageFeatureExtractor`.

    Args:
        real_images: `[N, H, W, C]` images in [0, 1] (or uint8).
        generated_images: `[M, H, W, C]` images in [0, 1] (or uint8).
        extractor: an `ImageFeatureExtractor` (InceptionV3 pool features for the standard FID).

    Returns:
        A dict with `"value"`, `"num_real"`, `"num_generated"` and `"extractor"`.

    Example:
    ```python
    extractor = ImageFeatureExtractor(inception_v3_feature_network(path), weights_path=path)
    frechet_inception_distance(real, generated, extractor)["value"]
    ```

    Reference:
        - [Heusel et al., GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash
          Equilibrium, NeurIPS 2017](https://arxiv.org/abs/1706.08500)
    """
    real = extractor(real_images)
    generated = extractor(generated_images)
    return {
        "value": frechet_distance(real, generated),
        "num_real": int(real.shape[0]),
        "num_generated": int(generated.shape[0]),
        "extractor": extractor.description(),
    }
