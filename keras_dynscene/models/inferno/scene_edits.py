"""Edits of INFERNO scenes (thesis 10.B.1): remove, add, swap, translate, scale, move camera.

A scene is the dict of numpy arrays returned by `INFERNO.infer_scene` (`[B, K, ...]` per
object); every edit returns a new scene and leaves its input unchanged. Object indices are one
int for the whole batch or one per scene (`[B]`).

Example:
```python
scene = model.infer_scene(images)
fewer = remove_objects(scene, [0, 2])
moved = translate_object(fewer, 1, (0.5, 0.0, 0.0))  # +x: to the right of the default camera
added = add_object(scene, other_scene, 3)
view = model.render_scene(moved, camera=model.camera(azimuth=15.0))
```
"""

import numpy as np

OBJECT_KEYS = ("object_pose", "object_shape", "object_appearance", "object_presence")


def _copy(scene):
    if not isinstance(scene, dict) or "object_pose" not in scene:
        received = sorted(scene) if isinstance(scene, dict) else type(scene).__name__
        raise ValueError(
            f"expected a scene dict from INFERNO.infer_scene (with 'object_pose', ...), "
            f"received {received}."
        )
    return {key: np.array(value, dtype="float32", copy=True) for key, value in scene.items()}


def _object_indices(scene, index, name="index"):
    batch, count = scene["object_pose"].shape[:2]
    indices = np.broadcast_to(np.asarray(index), (batch,)) if np.ndim(index) == 0 else index
    indices = np.asarray(indices)
    if indices.shape != (batch,) or not np.issubdtype(indices.dtype, np.integer):
        raise ValueError(
            f"expected {name} as one int or {batch} ints (one per scene), received "
            f"{np.asarray(index).tolist()!r}."
        )
    if np.any(indices < 0) or np.any(indices >= count):
        raise ValueError(
            f"expected {name} in [0, {count - 1}] (the scene has {count} object slots), "
            f"received {indices.tolist()}."
        )
    return indices


def _per_scene_vector(value, batch, size, name):
    array = np.asarray(value, dtype="float32")
    if array.ndim == 0:
        array = np.full((size,), float(array), "float32")
    if array.shape == (size,):
        array = np.broadcast_to(array, (batch, size))
    if array.shape != (batch, size):
        raise ValueError(
            f"expected {name} shaped [{size}] or [{batch}, {size}] (one per scene), received "
            f"{list(array.shape)}."
        )
    return array


def remove_objects(scene, indices):
    """Removes objects: their presence becomes 0, so they render nowhere (10.B.1 subtraction).

    Args:
        scene: a scene dict.
        indices: object slot indices removed in every scene, or a `[B, K]` 0/1 array of the
            objects to remove per scene.
    """
    edited = _copy(scene)
    presence = edited["object_presence"]
    indices = np.asarray(indices)
    if indices.shape == presence.shape and indices.dtype != object:
        edited["object_presence"] = presence * (1.0 - indices.astype("float32"))
        return edited
    count = presence.shape[1]
    flat = indices.reshape(-1)
    if not np.issubdtype(flat.dtype, np.integer) or np.any(flat < 0) or np.any(flat >= count):
        raise ValueError(
            f"expected object indices in [0, {count - 1}] or a {list(presence.shape)} 0/1 "
            f"mask, received {indices.tolist()!r}."
        )
    presence[:, flat] = 0.0
    return edited


def add_object(scene, source_scene, source_index):
    """Appends an object of another scene (pose, shape and appearance) as a new slot (10.B.1
    addition); the result has K + 1 objects.

    Args:
        scene: the scene that receives the object.
        source_scene: a scene with the same batch size.
        source_index: the object slot of `source_scene` (an int or one per scene).
    """
    edited, source = _copy(scene), _copy(source_scene)
    batch = edited["object_pose"].shape[0]
    if source["object_pose"].shape[0] != batch:
        raise ValueError(
            f"expected source_scene with the same batch size ({batch}), received "
            f"{source['object_pose'].shape[0]}."
        )
    indices = _object_indices(source, source_index, "source_index")
    rows = np.arange(batch)
    for key in OBJECT_KEYS:
        added = source[key][rows, indices][:, None]
        edited[key] = np.concatenate([edited[key], added], axis=1)
    return edited


def swap_identity(scene, index, source_scene, source_index):
    """Gives object `index` the shape and appearance of an object of another scene, keeping its
    pose (the *Swap* of table 10.1)."""
    edited, source = _copy(scene), _copy(source_scene)
    if source["object_pose"].shape[0] != edited["object_pose"].shape[0]:
        raise ValueError(
            "expected source_scene with the same batch size, received "
            f"{source['object_pose'].shape[0]} and {edited['object_pose'].shape[0]}."
        )
    targets = _object_indices(edited, index)
    sources = _object_indices(source, source_index, "source_index")
    rows = np.arange(len(targets))
    for key in ("object_shape", "object_appearance"):
        edited[key][rows, targets] = source[key][rows, sources]
    return edited


def translate_object(scene, index, offset):
    """Moves object `index` by `offset` (scene units, `[3]` or `[B, 3]`; 10.B.1 forward and
    right). With the default camera +x is to the right and +y away from the camera."""
    edited = _copy(scene)
    indices = _object_indices(edited, index)
    offset = _per_scene_vector(offset, len(indices), 3, "offset")
    edited["object_pose"][np.arange(len(indices)), indices, :3] += offset
    return edited


def scale_object(scene, index, factor):
    """Scales object `index` by `factor` (a number, `[3]` per axis or `[B, 3]`; 10.B.1 scale).
    The object keeps touching the ground: its height above z = 0 scales with it."""
    edited = _copy(scene)
    indices = _object_indices(edited, index)
    factor = _per_scene_vector(factor, len(indices), 3, "factor")
    if np.any(factor <= 0):
        raise ValueError(f"expected positive scale factors, received {factor.tolist()}.")
    rows = np.arange(len(indices))
    edited["object_pose"][rows, indices, 3:6] *= factor
    edited["object_pose"][rows, indices, 2] *= factor[:, 2]
    return edited


def move_camera(scene, camera):
    """Replaces the scenes' camera by `camera` (`[4, 4]` or `[B, 4, 4]` camera-to-world, e.g.
    `model.camera(azimuth=15)`; 10.D novel views)."""
    edited = _copy(scene)
    batch = edited["camera"].shape[0]
    camera = np.asarray(camera, dtype="float32")
    if camera.shape == (4, 4):
        camera = np.broadcast_to(camera, (batch, 4, 4))
    if camera.shape != (batch, 4, 4):
        raise ValueError(
            f"expected camera shaped [4, 4] or [{batch}, 4, 4], received {list(camera.shape)}."
        )
    edited["camera"] = np.array(camera)
    return edited
