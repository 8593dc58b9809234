"""Attention-pose agreement: an auxiliary loss that ties each object's pose to its slot."""

from keras import ops

from keras_dynscene.models.inferno import scene_geometry


def attention_centroids(attention):
    """Centroids `[B, K, 2]` of the object slots' attention `[B, K + 1, H, W]` (background
    first), as `(x, y)` image positions in [0, 1] (x right, y down).

    A slot's weight at a pixel is what it holds beyond an even share `1 / (K + 1)`: attention
    spread evenly over the slots (e.g. on the background) pulls no centroid toward the image
    centre. A slot holding nothing beyond its share gets the image centre.
    """
    attention = ops.convert_to_tensor(attention, "float32")
    num_slots = ops.shape(attention)[1]
    height, width = ops.shape(attention)[2], ops.shape(attention)[3]
    excess = ops.relu(attention[:, 1:] - 1.0 / ops.cast(num_slots, attention.dtype))
    total = ops.sum(excess, axis=(2, 3))
    rows = (ops.arange(height, dtype="float32") + 0.5) / ops.cast(height, "float32")
    columns = (ops.arange(width, dtype="float32") + 0.5) / ops.cast(width, "float32")
    x = ops.sum(excess * columns[None, None, None, :], axis=(2, 3))
    y = ops.sum(excess * rows[None, None, :, None], axis=(2, 3))
    # Empty slots fall back to the centre (0.5 * 1e-6 / 1e-6).
    x = (x + 0.5e-6) / (total + 1e-6)
    y = (y + 0.5e-6) / (total + 1e-6)
    return ops.stack([x, y], axis=-1)


def attention_pose_loss(pose, attention, camera, field_of_view_degrees):
    """Squared image distance `[B]` (summed over objects) between each object's projected
    translation and the centroid of its slot's attention, the centroid held fixed.

    Args:
        pose: object poses `[B, K, 7]` (translation first).
        attention: slot attention `[B, K + 1, H, W]`, background first.
        camera: camera-to-world matrices `[B, 4, 4]`.
        field_of_view_degrees: the camera's full field of view.

    Returns:
        float32 `[B]`, in squared image widths.
    """
    pose = ops.convert_to_tensor(pose, "float32")
    camera = ops.convert_to_tensor(camera, "float32")
    projected = scene_geometry.project_to_image(pose[..., :3], camera, field_of_view_degrees)
    target = ops.stop_gradient(attention_centroids(attention))
    return ops.sum(ops.square(projected - target), axis=(1, 2))
