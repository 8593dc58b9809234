"""TF SavedModel export of CVG (`CascadedVideoGAN`) with named TF Serving signatures.

- `serving_default` and `generate`: `(noise float32 [levels, B, noise_size], label int32 [B],
  num_frames int32 [])` -> `{"video": float32 [B, T, S, S, C] in [0, 1]}`, the last level's video
  with `T = num_frames * prod(temporal_factors)`. `num_frames` (first-level frames) must be one
  of the exported `frame_counts`: each count is its own traced branch (the generators unroll
  over a static number of frames), picked in the graph with `tf.switch_case`.
- Unconditional cascades have no `label` input.

Upsampling levels unroll over windows (`generate(unroll="windows")`); a request is a pure
function of its inputs.
"""

import os

import keras

from keras_dynscene.export.video_prediction_export import _require_tensorflow_backend

DEFAULT_ENDPOINT = "serving_default"
GENERATE_ENDPOINT = "generate"
OUTPUT_KEY = "video"


def default_frame_counts(model) -> list[int]:
    """The trained first-level length and the one the batch-norm statistics cover."""
    return sorted({model.frames[0], model.frames_with_statistics("windows")})


def export_video_generator(model, path, frame_counts=None, verbose: bool = False) -> str:
    """Writes a `CascadedVideoGAN` as a TF SavedModel with `serving_default` and `generate`.

    Args:
        model: a built `CascadedVideoGAN`.
        path: SavedModel folder to write.
        frame_counts: first-level frame counts the endpoint serves (default: the trained one and,
            after `recompute_batch_norm_statistics(n)`, `n`: the lengths with fitted per-frame
            statistics).
        verbose: print Keras' listing of the endpoints and variables.

    Returns:
        The SavedModel folder as a string.

    Example:
    ```python
    export_video_generator(CascadedVideoGAN.from_preset("cvg_smmnist"), "exported_cvg/1")
    ```
    """
    _require_tensorflow_backend("export_video_generator")
    if not hasattr(model, "generate_from_noise"):
        raise ValueError(
            f"{type(model).__name__} is not a cascaded video GAN: it has no "
            "`generate_from_noise`. Export CVG here; video predictors with "
            "`export_video_predictor`, scene models with `export_scene_renderer`."
        )
    import tensorflow as tf

    frame_counts = sorted(set(frame_counts or default_frame_counts(model)))
    for count in frame_counts:
        model._check_unroll_frames(int(count), "windows")
    levels, size, channels = model.num_levels, model.image_size, model.channels
    output_shape = (None, None, size, size, channels)

    def branch(noise, labels, count):
        def run():
            videos = model.generate_from_noise(
                [noise[i] for i in range(levels)], labels, count, unroll="windows"
            )
            video = (tf.cast(videos[-1], tf.float32) + 1.0) / 2.0
            return tf.ensure_shape(video, output_shape)

        return run

    def checked_generate(noise, labels, num_frames):
        known = tf.constant(frame_counts, tf.int32)
        matches = tf.cast(tf.equal(known, num_frames), tf.int32)
        checks = [
            tf.debugging.assert_equal(
                tf.shape(noise)[::2],
                tf.constant([levels, model.noise_size]),
                message=f"`noise` must have shape [{levels}, batch, {model.noise_size}]",
            ),
            tf.debugging.assert_equal(
                tf.reduce_sum(matches),
                1,
                message=f"`num_frames` must be one of the exported first-level counts "
                f"{frame_counts}; export with more `frame_counts` for other lengths",
            ),
        ]
        if labels is not None:
            checks += [
                tf.debugging.assert_equal(
                    tf.shape(labels)[0],
                    tf.shape(noise)[1],
                    message="`label` needs one class per video (noise batch)",
                ),
                tf.debugging.assert_greater_equal(
                    labels, 0, message=f"`label` must lie in [0, {model.num_classes - 1}]"
                ),
                tf.debugging.assert_less(
                    labels,
                    model.num_classes,
                    message=f"`label` must lie in [0, {model.num_classes - 1}]",
                ),
            ]
        with tf.control_dependencies(checks):
            noise = tf.identity(noise)
            index = tf.argmax(matches, output_type=tf.int32)
        video = tf.switch_case(index, [branch(noise, labels, count) for count in frame_counts])
        return {OUTPUT_KEY: video}

    noise_spec = tf.TensorSpec((levels, None, model.noise_size), tf.float32, name="noise")
    frames_spec = tf.TensorSpec((), tf.int32, name="num_frames")
    archive = keras.export.ExportArchive()
    archive.track(model)
    if model.num_classes:

        def generate(noise, label, num_frames):
            return checked_generate(noise, label, num_frames)

        specs = [noise_spec, tf.TensorSpec((None,), tf.int32, name="label"), frames_spec]
    else:

        def generate(noise, num_frames):
            return checked_generate(noise, None, num_frames)

        specs = [noise_spec, frames_spec]
    serving_fn = archive.add_endpoint(DEFAULT_ENDPOINT, generate, input_signature=specs)
    serving_fn.get_concrete_function()
    archive.add_endpoint(GENERATE_ENDPOINT, serving_fn)
    path = os.fspath(path)
    archive.write_out(path, verbose=verbose)
    return path
