"""TF SavedModel export of the video-prediction models, with named TF Serving signatures.

Any model with the video-prediction interface (`context_frames`, `future_frames`, `image_size`,
`channels`, `noise_shapes(batch, steps)` and `generate(context, noise)`; e.g. HierarchicalVRNN
and SVG-LP) exports the same way. The SavedModel serves:

- `serving_default` and `predict`: `(context float32 [B, D, H, W, C] in [0, 1], seed int32 [2])
  -> {"frames": float32 [B, horizon, H, W, C] in [0, 1]}`
- `predict_uint8`: the same with `context_uint8` uint8 frames in [0, 255].

The latent noise is drawn inside the graph from the stateless `seed`, so a request is a pure
function of its inputs: the same context and seed give the same frames on every replica.
"""

import os
from pathlib import Path

import keras

DEFAULT_ENDPOINT = "serving_default"
PREDICT_ENDPOINT = "predict"
UINT8_ENDPOINT = "predict_uint8"
OUTPUT_KEY = "frames"
REQUIRED_ATTRIBUTES = (
    "context_frames",
    "future_frames",
    "image_size",
    "channels",
    "noise_shapes",
    "generate",
)


def _require_tensorflow_backend(what: str):
    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise ValueError(
            f"{what} writes a TensorFlow SavedModel and needs the TensorFlow backend; the current "
            f"Keras backend is '{backend}'. Run with KERAS_BACKEND=tensorflow (the `.keras` "
            "file of a model trained on any backend loads there), e.g. "
            "`KERAS_BACKEND=tensorflow dynscene export --preset P --out DIR`."
        )


def _check_video_predictor(model):
    missing = [name for name in REQUIRED_ATTRIBUTES if not hasattr(model, name)]
    if missing:
        raise ValueError(
            f"{type(model).__name__} is not a video-prediction model: it lacks {missing}. "
            f"Expected the attributes/methods {list(REQUIRED_ATTRIBUTES)} (as HierarchicalVRNN "
            "and SVGLP have)."
        )
    if not getattr(model, "built", True):
        raise ValueError(
            f"{type(model).__name__} is not built; build it (or load a trained preset) before "
            "exporting."
        )


def unit_range_checks(frames, name: str, uint8_endpoint: str) -> list:
    """In-graph assertions that float `frames` lie in [0, 1], naming the uint8 endpoint."""
    import tensorflow as tf

    message = (
        f"`{name}` must be float frames in [0, 1]; send uint8 frames to `{uint8_endpoint}` or "
        "divide them by 255"
    )
    return [
        tf.debugging.assert_greater_equal(frames, 0.0, message=message),
        tf.debugging.assert_less_equal(frames, 1.0, message=message),
    ]


def stateless_noise(model, batch_size, horizon: int, seed):
    """The per-level standard-normal noise of the exported endpoints.

    Level `l` draws `tf.random.stateless_normal(noise_shapes(B, horizon)[l],
    seed=stateless_fold_in(seed, l))`: a distinct, reproducible stream per level.

    Args:
        model: a video-prediction model (provides `noise_shapes`).
        batch_size: int or scalar int32 tensor (dynamic batch inside a graph).
        horizon: number of predicted frames.
        seed: int32/int64 tensor of shape [2].

    Returns:
        A list of float32 tensors shaped as `model.noise_shapes(batch_size, horizon)`.
    """
    import tensorflow as tf

    seed = tf.convert_to_tensor(seed)
    return [
        tf.random.stateless_normal(
            shape, seed=tf.random.experimental.stateless_fold_in(seed, level), dtype=tf.float32
        )
        for level, shape in enumerate(model.noise_shapes(batch_size, horizon))
    ]


def export_video_predictor(model, path, horizon: int | None = None, verbose: bool = False) -> str:
    """Writes `model` as a TF SavedModel with the endpoints `serving_default`, `predict` and
    `predict_uint8` (see the module docstring for their signatures).

    Args:
        model: a built video-prediction model (HierarchicalVRNN, SVGLP, ...).
        path: SavedModel folder to write.
        horizon: number of predicted frames of the exported endpoints (fixed in the signature);
            defaults to `model.future_frames`.
        verbose: print Keras' listing of the endpoints and variables.

    Returns:
        The SavedModel folder as a string.

    Raises:
        ValueError: on a non-TensorFlow backend, a model without the video-prediction
            interface, or an invalid horizon.
    """
    _require_tensorflow_backend("export_video_predictor")
    _check_video_predictor(model)
    import tensorflow as tf

    horizon = int(model.future_frames) if horizon is None else horizon
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise ValueError(f"`horizon` must be a positive integer; received {horizon!r}.")
    context_frames = int(model.context_frames)
    size, channels = int(model.image_size), int(model.channels)
    frame_shape = (size, size, channels)
    context_shape = (None, context_frames, *frame_shape)

    def checked(context, seed, name, checks=()):
        # Serving signatures do not check shapes before running the graph; check them here so a
        # bad request fails with this message rather than deep inside the model.
        checks = [
            tf.debugging.assert_equal(
                tf.shape(context)[1:],
                tf.constant([context_frames, *frame_shape]),
                message=f"`{name}` must have shape [batch, {context_frames}, {size}, {size}, "
                f"{channels}] (context_frames, image_size and channels of the model)",
            ),
            tf.debugging.assert_equal(
                tf.size(seed), 2, message="`seed` must hold two integers (a stateless seed)"
            ),
            *checks,
        ]
        with tf.control_dependencies(checks):
            return tf.identity(context), tf.identity(seed)

    def sample_frames(context, seed):
        batch = tf.shape(context)[0]
        noise = stateless_noise(model, batch, horizon, seed)
        frames = model.generate(context, noise)
        frames = tf.cast(frames, tf.float32)
        return {OUTPUT_KEY: tf.ensure_shape(frames, (None, horizon, *frame_shape))}

    def predict(context, seed):
        range_checks = unit_range_checks(context, "context", UINT8_ENDPOINT)
        return sample_frames(*checked(context, seed, "context", range_checks))

    def predict_uint8(context_uint8, seed):
        context_uint8, seed = checked(context_uint8, seed, "context_uint8")
        return sample_frames(tf.cast(context_uint8, tf.float32) / 255.0, seed)

    seed_spec = tf.TensorSpec((2,), tf.int32, name="seed")
    archive = keras.export.ExportArchive()
    # No `archive.track(model)`: endpoints track the variables they use, and tracking the model
    # as well would store every weight twice in the SavedModel.
    serving_fn = archive.add_endpoint(
        DEFAULT_ENDPOINT,
        predict,
        input_signature=[tf.TensorSpec(context_shape, tf.float32, name="context"), seed_spec],
    )
    # `predict` names the same function explicitly (traced once, saved once).
    serving_fn.get_concrete_function()
    archive.add_endpoint(PREDICT_ENDPOINT, serving_fn)
    archive.add_endpoint(
        UINT8_ENDPOINT,
        predict_uint8,
        input_signature=[tf.TensorSpec(context_shape, tf.uint8, name="context_uint8"), seed_spec],
    )
    path = os.fspath(path)
    archive.write_out(path, verbose=verbose)
    return path


def export_preset(preset: str, out_dir, horizon: int | None = None) -> str:
    """Loads a preset (name or `.keras` path), exports it to `out_dir` and prints a summary.

    Backs `dynscene export --preset P --out DIR [--horizon N]`.

    Returns:
        The SavedModel folder as a string.
    """
    _require_tensorflow_backend("export_preset")
    from keras_dynscene.export.serving_check import signature_specs
    from keras_dynscene.models import load_preset

    model = load_preset(preset)
    if hasattr(model, "encode_scene"):
        from keras_dynscene.export.scene_inference_export import export_scene_inference

        path = export_scene_inference(model, out_dir)
    elif hasattr(model, "generate_from_noise"):
        from keras_dynscene.export.video_generator_export import export_video_generator

        path = export_video_generator(model, out_dir)
    elif hasattr(model, "sample_scene"):
        from keras_dynscene.export.scene_renderer_export import export_scene_renderer

        path = export_scene_renderer(model, out_dir)
    else:
        path = export_video_predictor(model, out_dir, horizon)
    import tensorflow as tf

    specs = signature_specs(tf.saved_model.load(path))
    size_mb = sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 2**20
    print(f"Exported '{preset}' ({type(model).__name__}) to {path} ({size_mb:.1f} MB)")
    for name, spec in specs.items():
        inputs = ", ".join(f"{k}: {v['dtype']} {v['shape']}" for k, v in spec["inputs"].items())
        outputs = ", ".join(f"{k}: {v['dtype']} {v['shape']}" for k, v in spec["outputs"].items())
        print(f"  signature '{name}': ({inputs}) -> ({outputs})")
    print(
        "Serve it with TF Serving (tensorflow_model_server --model_base_path=<abs dir containing "
        "a numbered version folder>), or check it here: dynscene serve-check --model-dir "
        f"{path}"
    )
    return path
