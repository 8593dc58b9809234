"""Scene geometry of INFERNO: object poses, cameras and rays.

Conventions (shared with `keras_dynscene.data.procedural_objects3d`): the world is z-up with the
ground plane at z = 0; a camera is a 4x4 camera-to-world matrix whose columns are the camera's
right, down and forward axes and its position (OpenCV: image x to the right, image y downward).
An object pose is 7 numbers `(tx, ty, tz, sx, sy, sz, rotation)`: the object's canonical space
`[-1, 1]^3` is scaled by `s` (half-extents), rotated by `rotation` radians about one axis and
translated by `t` into the scene.
"""

import math

import numpy as np
from keras import ops

ROTATION_AXES = ("x", "y", "z")


def rotation_matrix(angle, axis="x"):
    """Rotations `[..., 3, 3]` by `angle [...]` radians about a coordinate axis."""
    if axis not in ROTATION_AXES:
        raise ValueError(f"expected a rotation axis in {ROTATION_AXES}, received {axis!r}.")
    cos, sin = ops.cos(angle), ops.sin(angle)
    one, zero = ops.ones_like(angle), ops.zeros_like(angle)
    rows = {
        "x": ((one, zero, zero), (zero, cos, -sin), (zero, sin, cos)),
        "y": ((cos, zero, sin), (zero, one, zero), (-sin, zero, cos)),
        "z": ((cos, -sin, zero), (sin, cos, zero), (zero, zero, one)),
    }[axis]
    return ops.stack([ops.stack(row, axis=-1) for row in rows], axis=-2)


def pose_to_matrix(pose, rotation_axis="x"):
    """Object-to-scene affine matrices `[..., 4, 4]` of poses `[..., 7]`: T @ R @ S."""
    translation, scale, angle = pose[..., :3], pose[..., 3:6], pose[..., 6]
    linear = rotation_matrix(angle, rotation_axis) * scale[..., None, :]
    top = ops.concatenate([linear, translation[..., :, None]], axis=-1)
    bottom = ops.zeros_like(top[..., :1, :]) + ops.convert_to_tensor([0.0, 0.0, 0.0, 1.0])
    return ops.concatenate([top, bottom], axis=-2)


def scene_to_object(points, pose, rotation_axis="x"):
    """Scene points `[B, P, 3]` in the canonical space of every object of `pose [B, K, 7]`:
    `[B, K, P, 3]`, by the inverse pose `S^-1 R^T (p - t)` (one einsum over all objects)."""
    translation, scale, angle = pose[..., :3], pose[..., 3:6], pose[..., 6]
    rotation = rotation_matrix(angle, rotation_axis)  # [B, K, 3, 3]
    centred = points[:, None] - translation[:, :, None, :]
    rotated = ops.einsum("bkpj,bkji->bkpi", centred, rotation)  # R^T (p - t)
    return rotated / scale[:, :, None, :]


def directions_to_object(directions, pose, rotation_axis="x"):
    """Unit viewing directions `[B, P, 3]` in every object's space, `[B, K, P, 3]` (only the
    rotation acts: NeRF colour depends on the direction, not on the object's scale)."""
    rotation = rotation_matrix(pose[..., 6], rotation_axis)
    return ops.einsum("bpj,bkji->bkpi", directions, rotation)


def orbit_camera(distance, elevation_degrees, azimuth_degrees=0.0):
    """Camera-to-world `[4, 4]` float32 numpy matrix of a camera looking at the origin.

    The camera sits `distance` from the origin, `elevation_degrees` above the ground plane; at
    azimuth 0 it is on the -y side, and positive azimuths turn it counter-clockwise seen from
    above. Columns: right, down, forward, position.
    """
    elevation, azimuth = math.radians(elevation_degrees), math.radians(azimuth_degrees)
    position = distance * np.array(
        [
            math.sin(azimuth) * math.cos(elevation),
            -math.cos(azimuth) * math.cos(elevation),
            math.sin(elevation),
        ]
    )
    forward = -position / np.linalg.norm(position)
    right = np.cross(forward, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    down = np.cross(forward, right)
    matrix = np.eye(4)
    matrix[:3, 0], matrix[:3, 1], matrix[:3, 2], matrix[:3, 3] = right, down, forward, position
    return matrix.astype("float32")


def pixel_directions(resolution, field_of_view_degrees):
    """Unit ray directions `[resolution^2, 3]` (numpy, camera space) through the pixel centres
    of a square image whose full horizontal field of view is `field_of_view_degrees`."""
    half = math.tan(math.radians(field_of_view_degrees) / 2.0)
    centres = (np.arange(resolution) + 0.5) / resolution * 2.0 - 1.0
    y, x = np.meshgrid(centres * half, centres * half, indexing="ij")
    directions = np.stack([x, y, np.ones_like(x)], axis=-1).reshape(-1, 3)
    return (directions / np.linalg.norm(directions, axis=-1, keepdims=True)).astype("float32")


def camera_rays(camera, directions):
    """World-space ray origins and directions `[B, R, 3]` of cameras `[B, 4, 4]` for
    camera-space directions `[R, 3]` (or `[B, R, 3]`)."""
    rotation, position = camera[:, :3, :3], camera[:, :3, 3]
    if len(directions.shape) == 2:
        world = ops.einsum("bij,rj->bri", rotation, directions)
    else:
        world = ops.einsum("bij,brj->bri", rotation, directions)
    origins = ops.zeros_like(world) + position[:, None, :]
    return origins, world


def project_to_image(points, camera, field_of_view_degrees):
    """Image positions `[B, K, 2]` of scene points `[B, K, 3]` seen by cameras `[B, 4, 4]`.

    Positions are `(x, y)` in image-width units, `(0, 0)` at the top-left corner and `(1, 1)`
    at the bottom-right one (x right, y down: the pixel convention of `pixel_directions`).
    Depths are floored at a tenth of a unit, so points behind the camera stay finite.
    """
    rotation, position = camera[:, :3, :3], camera[:, :3, 3]
    # Camera-space coordinates: R^T (p - o).
    local = ops.einsum("bkj,bji->bki", points - position[:, None, :], rotation)
    depth = ops.maximum(local[..., 2:], 0.1)
    half = math.tan(math.radians(field_of_view_degrees) / 2.0)
    return 0.5 + 0.5 * local[..., :2] / depth / half
