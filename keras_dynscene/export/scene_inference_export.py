"""TF SavedModel export of INFERNO (and NeRF-AE) with named TF Serving signatures.

The SavedModel serves, for any batch size:

- `serving_default` and `infer_scene`: `image float32 [B, H, W, C] in [0, 1]` -> the scene:
  `object_pose [B, K, 7]`, `object_shape` / `object_appearance [B, K, code_size]`,
  `object_presence [B, K]`, `background_shape` / `background_appearance [B, D_bg]`,
  `camera [B, 4, 4]`, and the slot attention masks `attention [B, K + 1, H, W]`.
- `infer_scene_uint8`: the same from `image_uint8` uint8 images in [0, 255].
- `render_scene`: the seven scene tensors (any number of objects, e.g. after edits) ->
  `image [B, H, W, C]` in [0, 1], `object_masks [B, K, H, W]`, `background_mask [B, H, W]`,
  rendered in the model's `render_stage`.

Slot attention starts from random slots; the exported inference uses one fixed draw (seed 0,
shared by every image), so a request is a pure function of its inputs, like
`model.infer_scene(images, seed=0)`.
"""

import os

import keras

from keras_dynscene.export.video_prediction_export import _require_tensorflow_backend
from keras_dynscene.export.video_prediction_export import unit_range_checks
from keras_dynscene.models.inferno.inferno import SCENE_KEYS

DEFAULT_ENDPOINT = "serving_default"
INFER_ENDPOINT = "infer_scene"
UINT8_ENDPOINT = "infer_scene_uint8"
RENDER_ENDPOINT = "render_scene"
SLOT_NOISE_SEED = 0


def export_scene_inference(model, path, ray_chunk_size=1024, verbose: bool = False) -> str:
    """Writes an INFERNO / NeRF-AE model as a TF SavedModel with the endpoints
    `serving_default`, `infer_scene`, `infer_scene_uint8` and `render_scene` (signatures in the
    module docstring).

    Args:
        model: a built `INFERNO` or `NeRFAutoEncoder`.
        path: SavedModel folder to write.
        ray_chunk_size: rays per NeRF evaluation when rendering at full resolution.
        verbose: print Keras' listing of the endpoints and variables.

    Returns:
        The SavedModel folder as a string.

    Example:
    ```python
    export_scene_inference(INFERNO.from_preset("inferno_objects3d"), "exported/1")
    ```
    """
    _require_tensorflow_backend("export_scene_inference")
    if not hasattr(model, "encode_scene"):
        raise ValueError(
            f"{type(model).__name__} is not a scene inference model (no `encode_scene`). Export "
            "INFERNO / NeRF-AE here, JUMP / GQN with `export_scene_renderer`."
        )
    import tensorflow as tf

    size, channels = int(model.image_size), int(model.channels)
    image_shape = (size, size, channels)
    noise = keras.ops.convert_to_numpy(
        model.slot_noise(1, seed=keras.random.SeedGenerator(SLOT_NOISE_SEED))
    )

    def infer(images):
        images = tf.ensure_shape(tf.cast(images, tf.float32), (None, *image_shape))
        slot_noise = tf.tile(tf.constant(noise), [tf.shape(images)[0], 1, 1])
        scene, attention = model.encode_scene(images, slot_noise=slot_noise)
        outputs = {key: tf.cast(value, tf.float32) for key, value in scene.items()}
        outputs["attention"] = tf.cast(attention, tf.float32)
        return outputs

    def check_images(images, name):
        check = tf.debugging.assert_equal(
            tf.shape(images)[1:],
            tf.constant(image_shape),
            message=f"`{name}` must have shape [batch, {size}, {size}, {channels}]",
        )
        with tf.control_dependencies([check]):
            return tf.identity(images)

    def infer_scene(image):
        with tf.control_dependencies(unit_range_checks(image, "image", UINT8_ENDPOINT)):
            return infer(check_images(image, "image"))

    def infer_scene_uint8(image_uint8):
        return infer(tf.cast(check_images(image_uint8, "image_uint8"), tf.float32) / 255.0)

    def render_scene(
        object_pose,
        object_shape,
        object_appearance,
        object_presence,
        background_shape,
        background_appearance,
        camera,
    ):
        scene = dict(
            zip(
                SCENE_KEYS,
                (
                    object_pose,
                    object_shape,
                    object_appearance,
                    object_presence,
                    background_shape,
                    background_appearance,
                    camera,
                ),
            )
        )
        rendered = model.render_image(scene, ray_chunk_size=ray_chunk_size)
        rendered["image"] = tf.clip_by_value(rendered["image"], 0.0, 1.0)
        return {key: tf.cast(value, tf.float32) for key, value in rendered.items()}

    code, background = int(model.code_size), int(model.background_code_size)
    scene_specs = [
        tf.TensorSpec((None, None, 7), tf.float32, name="object_pose"),
        tf.TensorSpec((None, None, code), tf.float32, name="object_shape"),
        tf.TensorSpec((None, None, code), tf.float32, name="object_appearance"),
        tf.TensorSpec((None, None), tf.float32, name="object_presence"),
        tf.TensorSpec((None, background), tf.float32, name="background_shape"),
        tf.TensorSpec((None, background), tf.float32, name="background_appearance"),
        tf.TensorSpec((None, 4, 4), tf.float32, name="camera"),
    ]
    archive = keras.export.ExportArchive()
    archive.track(model)
    serving_fn = archive.add_endpoint(
        DEFAULT_ENDPOINT,
        infer_scene,
        input_signature=[tf.TensorSpec((None, *image_shape), tf.float32, name="image")],
    )
    serving_fn.get_concrete_function()
    archive.add_endpoint(INFER_ENDPOINT, serving_fn)
    archive.add_endpoint(
        UINT8_ENDPOINT,
        infer_scene_uint8,
        input_signature=[tf.TensorSpec((None, *image_shape), tf.uint8, name="image_uint8")],
    )
    archive.add_endpoint(RENDER_ENDPOINT, render_scene, input_signature=scene_specs)
    path = os.fspath(path)
    archive.write_out(path, verbose=verbose)
    return path
