import keras
import numpy as np
import pytest

from keras_dynscene.data.procedural_objects3d import ProceduralObjects3D
from keras_dynscene.data.procedural_objects3d import project_points
from keras_dynscene.models.inferno import INFERNO
from keras_dynscene.models.inferno import scene_geometry
from keras_dynscene.models.inferno.attention_pose_loss import attention_centroids
from keras_dynscene.models.inferno.attention_pose_loss import attention_pose_loss
from tests.models.inferno.test_inferno import images
from tests.models.inferno.tiny_config import TINY_INFERNO_CONFIG as TINY


@pytest.mark.backends
def test_projection_matches_the_dataset_projection():
    scene = ProceduralObjects3D(image_size=64, seed=3).example(0)
    centres = scene["objects"]["pose"][:, :3]
    expected, _ = project_points(centres, scene["camera"], 64)
    projected = scene_geometry.project_to_image(
        keras.ops.convert_to_tensor(centres[None]),
        keras.ops.convert_to_tensor(scene["camera"][None]),
        40.0,
    )
    np.testing.assert_allclose(keras.ops.convert_to_numpy(projected)[0] * 64, expected, atol=1e-3)
    # Each object's centre projects onto its own pixels (objects are convex, seen whole).
    for k, (x, y) in enumerate(expected):
        assert scene["segmentation"][int(y), int(x)] == k + 1


@pytest.mark.backends
def test_attention_centroids_weigh_what_a_slot_holds_beyond_an_even_share():
    attention = np.full((1, 3, 4, 4), 1.0 / 3.0, "float32")  # background + 2 object slots
    attention[0, :, 0, 3] = (0.0, 1.0, 0.0)  # slot 1 holds the top-right pixel
    attention[0, :, 3, 0] = (0.0, 0.2, 0.8)  # slot 2 most of the bottom-left one
    centroids = keras.ops.convert_to_numpy(attention_centroids(attention))
    np.testing.assert_allclose(centroids[0, 0], (0.875, 0.125), atol=1e-4)
    np.testing.assert_allclose(centroids[0, 1], (0.125, 0.875), atol=1e-4)
    # A slot that holds nothing beyond its share sits at the image centre.
    even = np.full((1, 3, 4, 4), 1.0 / 3.0, "float32")
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(attention_centroids(even)), 0.5, atol=1e-4
    )


@pytest.mark.backends
def test_attention_pose_loss_is_zero_when_objects_project_onto_their_slots():
    camera = scene_geometry.orbit_camera(4.0, 33.0)[None]
    scene = ProceduralObjects3D(image_size=16, min_objects=2, max_objects=2, seed=5).example(0)
    pose = np.zeros((1, 2, 7), "float32")
    pose[0, :, :6] = scene["objects"]["pose"][:, :6]
    pixels, _ = project_points(pose[0, :, :3], camera[0], 16)
    attention = np.zeros((1, 3, 16, 16), "float32")
    attention[0, 0] = 1.0
    for k, (x, y) in enumerate(pixels):
        attention[0, :, int(y), int(x)] = np.eye(3)[k + 1]
    loss = attention_pose_loss(pose, attention, camera, 40.0)
    # The slot centroids are pixel centres: within half a pixel of the projections.
    assert float(keras.ops.convert_to_numpy(loss)[0]) < 2 * 2 * (0.5 / 16) ** 2
    moved = pose.copy()
    moved[0, 0, 0] += 0.5
    moved_loss = attention_pose_loss(moved, attention, camera, 40.0)
    assert float(keras.ops.convert_to_numpy(moved_loss)[0]) > 0.005


@pytest.mark.backends
def test_training_with_the_attention_pose_loss_and_a_shared_background(tmp_path):
    model = INFERNO(**{**TINY, "attention_pose_weight": 1.0, "scene_dependent_background": False})
    model.compile(optimizer=keras.optimizers.Adam(3e-3))
    history = model.fit({"image": images(8)}, batch_size=4, epochs=3, verbose=0)
    assert "attention_pose" in history.history
    assert np.all(np.isfinite(history.history["loss"]))
    # The background no longer depends on the image.
    scene = model.infer_scene(images(2))
    np.testing.assert_array_equal(scene["background_shape"], 0.0)
    config = model.get_config()
    assert config["attention_pose_weight"] == 1.0
    assert config["scene_dependent_background"] is False
    assert INFERNO.from_config(config).attention_pose_weight == 1.0
    model.save(tmp_path / "model.keras")
    reloaded = keras.saving.load_model(tmp_path / "model.keras")
    assert reloaded.attention_pose_weight == 1.0
    assert reloaded.scene_dependent_background is False
    again = reloaded.infer_scene(images(2))
    np.testing.assert_allclose(again["object_pose"], scene["object_pose"], atol=1e-5)


def test_a_negative_attention_pose_weight_is_refused():
    with pytest.raises(ValueError, match="attention_pose_weight >= 0.*received -1.0"):
        INFERNO(**{**TINY, "attention_pose_weight": -1.0})
