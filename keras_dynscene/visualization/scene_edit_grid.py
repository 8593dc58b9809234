"""INFERNO's figure grid: input | reconstruction | objects alone | edits (10.B.1, 10.F)."""

import numpy as np

from keras_dynscene.visualization.uint8_video import to_uint8_rgb
from keras_dynscene.visualization.video_grid import CONTEXT_COLOR
from keras_dynscene.visualization.video_grid import PREDICTED_COLOR
from keras_dynscene.visualization.video_grid import TRUTH_COLOR
from keras_dynscene.visualization.video_grid import frame_cells

EDIT_COLOR = (230, 160, 20)
# Column titles, in order, for captions and model cards.
EDIT_COLUMNS = ("remove", "translate +x", "scale 0.6", "camera +20 deg")


def scene_edits_for_grid(model, scene):
    """The edited scenes of the grid, editing each image's most visible object.

    Returns:
        `(object indices [B], list of edited scenes in EDIT_COLUMNS order, their cameras)`.
    """
    from keras_dynscene.models.inferno import scene_edits

    masks = model.render_scene(scene)["object_masks"]
    if masks.shape[1] == 0:
        return None, [], []
    index = masks.sum(axis=(2, 3)).argmax(axis=1)
    edited = [
        scene_edits.remove_objects(scene, np.eye(masks.shape[1])[index]),
        scene_edits.translate_object(scene, index, (0.5, 0.0, 0.0)),
        scene_edits.scale_object(scene, index, 0.6),
        scene_edits.move_camera(scene, model.camera(azimuth=model.camera_azimuth + 20.0)),
    ]
    return index, edited, EDIT_COLUMNS


def scene_edit_grid(model, images, seed=0, border=2, margin=1) -> np.ndarray:
    """One row per image: input (grey border), reconstruction (green), every object slot
    rendered alone on black (red), then the edits of `EDIT_COLUMNS` applied to the image's most
    visible object (orange).

    Args:
        model: an `INFERNO` (or `NeRFAutoEncoder`: no object or edit columns).
        images: `[B, H, W, C]` uint8 or floats in [0, 1].
        seed: slot initialization seed.
        border, margin: cell frame sizes in pixels.

    Returns:
        uint8 `[B * H', (2 + K + edits) * W', 3]`.
    """
    scene = model.infer_scene(images, seed=seed)
    reconstruction = model.render_scene(scene)["image"]
    columns = [
        frame_cells(to_uint8_rgb(images, 4, "images"), TRUTH_COLOR, border, margin),
        frame_cells(
            to_uint8_rgb(reconstruction, 4, "reconstruction"), CONTEXT_COLOR, border, margin
        ),
    ]
    if scene["object_pose"].shape[1]:
        alone = model.render_objects(scene)
        for k in range(alone.shape[1]):
            cells = to_uint8_rgb(alone[:, k], 4, "objects")
            columns.append(frame_cells(cells, PREDICTED_COLOR, border, margin))
        _, edited, _ = scene_edits_for_grid(model, scene)
        for edit in edited:
            cells = to_uint8_rgb(model.render_scene(edit)["image"], 4, "edits")
            columns.append(frame_cells(cells, EDIT_COLOR, border, margin))
    rows = np.concatenate(columns, axis=2)  # [B, H', W' * columns, 3]
    return np.concatenate(list(rows), axis=0)
