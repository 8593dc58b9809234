"""TF SavedModel export of the scene models (JUMP, GQN) with named TF Serving signatures.

The SavedModel serves, for any batch size and any numbers of context and query frames:

- `serving_default` and `render`: `(context_frames float32 [B, M, H, W, C] in [0, 1],
  context_views float32 [B, M, V], query_views float32 [B, Q, V], seed int32 [2])
  -> {"frames": float32 [B, Q, H, W, C] in [0, 1]}`, one sampled set of frames per scene (for
  JUMP one latent renders every query, so the frames of a response form one coherent scene).
- `render_uint8`: the same with `context_frames_uint8` uint8 frames in [0, 255].

The latent noise is drawn inside the graph from the stateless `seed`, so a request is a pure
function of its inputs; send several seeds for several sampled sets.
"""

import os

import keras

from keras_dynscene.export.video_prediction_export import _require_tensorflow_backend
from keras_dynscene.export.video_prediction_export import unit_range_checks

DEFAULT_ENDPOINT = "serving_default"
RENDER_ENDPOINT = "render"
UINT8_ENDPOINT = "render_uint8"
OUTPUT_KEY = "frames"


def export_scene_renderer(model, path, verbose: bool = False) -> str:
    """Writes a JUMP / GQN model as a TF SavedModel with the endpoints `serving_default`,
    `render` and `render_uint8` (signatures in the module docstring).

    Args:
        model: a built `JUMP` or `GQN`.
        path: SavedModel folder to write.
        verbose: print Keras' listing of the endpoints and variables.

    Returns:
        The SavedModel folder as a string.

    Example:
    ```python
    export_scene_renderer(JUMP.from_preset("jump_traveling_salesman"), "exported/1")
    ```
    """
    _require_tensorflow_backend("export_scene_renderer")
    if not hasattr(model, "sample_scene"):
        raise ValueError(
            f"{type(model).__name__} is not a scene model: it has no `sample_scene`. Export "
            "JUMP / GQN here and video-prediction models with `export_video_predictor`."
        )
    import tensorflow as tf

    size, channels, view = int(model.image_size), int(model.channels), int(model.viewpoint_size)
    frame_shape = (size, size, channels)

    def checked(frames, context_views, query_views, seed, name, checks=()):
        # Signatures do not check shapes before running the graph: fail here, with this message.
        frame_count = tf.shape(frames)[1]
        checks = [
            tf.debugging.assert_equal(
                tf.shape(frames)[2:],
                tf.constant(frame_shape),
                message=f"`{name}` must have shape [batch, frames, {size}, {size}, {channels}]",
            ),
            tf.debugging.assert_greater(
                frame_count, 0, message="at least one context frame is needed"
            ),
            tf.debugging.assert_equal(
                tf.shape(context_views),
                tf.stack([tf.shape(frames)[0], frame_count, view]),
                message=f"`context_views` must have shape [batch, frames, {view}], one per frame",
            ),
            tf.debugging.assert_equal(
                tf.shape(query_views)[::2],
                tf.stack([tf.shape(frames)[0], view]),
                message=f"`query_views` must have shape [batch, queries, {view}]",
            ),
            tf.debugging.assert_equal(
                tf.size(seed), 2, message="`seed` must hold two integers (a stateless seed)"
            ),
            *checks,
        ]
        with tf.control_dependencies(checks):
            return [tf.identity(t) for t in (frames, context_views, query_views, seed)]

    def sample(frames, context_views, query_views, seed):
        batch, num_queries = tf.shape(frames)[0], tf.shape(query_views)[1]
        noise_batch = model.scene_noise_batch(batch, num_queries)
        noise = tf.random.stateless_normal(
            model.latent_noise_shape(noise_batch), seed=seed, dtype=tf.float32
        )
        mask = tf.ones(tf.shape(frames)[:2], tf.float32)
        rendered = model.sample_scene(frames, context_views, mask, query_views, noise)
        rendered = tf.ensure_shape(tf.cast(rendered, tf.float32), (None, None, *frame_shape))
        return {OUTPUT_KEY: rendered}

    def render(context_frames, context_views, query_views, seed):
        ranges = unit_range_checks(context_frames, "context_frames", UINT8_ENDPOINT)
        args = checked(context_frames, context_views, query_views, seed, "context_frames", ranges)
        return sample(*args)

    def render_uint8(context_frames_uint8, context_views, query_views, seed):
        frames, *rest = checked(
            context_frames_uint8, context_views, query_views, seed, "context_frames_uint8"
        )
        return sample(tf.cast(frames, tf.float32) / 255.0, *rest)

    view_specs = [
        tf.TensorSpec((None, None, view), tf.float32, name="context_views"),
        tf.TensorSpec((None, None, view), tf.float32, name="query_views"),
        tf.TensorSpec((2,), tf.int32, name="seed"),
    ]
    archive = keras.export.ExportArchive()
    serving_fn = archive.add_endpoint(
        DEFAULT_ENDPOINT,
        render,
        input_signature=[
            tf.TensorSpec((None, None, *frame_shape), tf.float32, name="context_frames"),
            *view_specs,
        ],
    )
    serving_fn.get_concrete_function()
    archive.add_endpoint(RENDER_ENDPOINT, serving_fn)
    archive.add_endpoint(
        UINT8_ENDPOINT,
        render_uint8,
        input_signature=[
            tf.TensorSpec((None, None, *frame_shape), tf.uint8, name="context_frames_uint8"),
            *view_specs,
        ],
    )
    path = os.fspath(path)
    archive.write_out(path, verbose=verbose)
    return path
