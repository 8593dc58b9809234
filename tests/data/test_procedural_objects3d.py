import math

import numpy as np
import pytest

from keras_dynscene.data.procedural_objects3d import AMBIENT
from keras_dynscene.data.procedural_objects3d import CAMERA_AZIMUTH_DEGREES
from keras_dynscene.data.procedural_objects3d import CAMERA_DISTANCE
from keras_dynscene.data.procedural_objects3d import CAMERA_ELEVATION_DEGREES
from keras_dynscene.data.procedural_objects3d import COLOR_RGB
from keras_dynscene.data.procedural_objects3d import COLORS
from keras_dynscene.data.procedural_objects3d import FIELD_OF_VIEW_DEGREES
from keras_dynscene.data.procedural_objects3d import GROUND_ALBEDO
from keras_dynscene.data.procedural_objects3d import LIGHT_DIRECTION
from keras_dynscene.data.procedural_objects3d import MAX_SIZE
from keras_dynscene.data.procedural_objects3d import MIN_GAP
from keras_dynscene.data.procedural_objects3d import MIN_SIZE
from keras_dynscene.data.procedural_objects3d import POSITION_RANGE
from keras_dynscene.data.procedural_objects3d import SHAPES
from keras_dynscene.data.procedural_objects3d import ProceduralObjects3D
from keras_dynscene.data.procedural_objects3d import project_points
from keras_dynscene.data.procedural_objects3d import subpixel_directions
from keras_dynscene.models.inferno.scene_geometry import orbit_camera
from keras_dynscene.models.inferno.scene_geometry import pixel_directions

OBJECT_KEYS = {"shape", "color", "rgb", "pose", "pixels"}


def _assert_same(first: dict, second: dict) -> None:
    for key in ("image", "segmentation", "num_objects", "camera"):
        np.testing.assert_array_equal(first[key], second[key])
    for key in OBJECT_KEYS:
        np.testing.assert_array_equal(first["objects"][key], second["objects"][key])


def _scenes(generator: ProceduralObjects3D, count: int) -> list[dict]:
    return [generator.example(index) for index in range(count)]


def _pinhole(points: np.ndarray, camera: np.ndarray, image_size: int) -> np.ndarray:
    """(x, y) pixel coordinates of world points, written from the documented convention:
    world -> camera by the inverse matrix, then x right / y down with the fov across W."""
    homogeneous = np.concatenate([points, np.ones_like(points[..., :1])], axis=-1)
    local = homogeneous @ np.linalg.inv(camera.astype(np.float64)).T
    focal = image_size / 2 / math.tan(math.radians(FIELD_OF_VIEW_DEGREES) / 2)
    return focal * local[..., :2] / local[..., 2:3] + image_size / 2


def _interior(mask: np.ndarray) -> np.ndarray:
    """The pixels of `mask` whose 3x3 neighbourhood lies in `mask`."""
    padded = np.pad(mask, 1)
    size = mask.shape[0]
    shifted = [padded[i : i + size, j : j + size] for i in range(3) for j in range(3)]
    return np.logical_and.reduce(shifted)


def test_example_structure():
    scene = ProceduralObjects3D(image_size=32, max_objects=4).example(3)
    assert set(scene) == {"image", "segmentation", "num_objects", "camera", "objects"}
    n = int(scene["num_objects"])
    assert 2 <= n <= 4
    assert scene["image"].shape == (32, 32, 3) and scene["image"].dtype == np.uint8
    assert scene["segmentation"].shape == (32, 32) and scene["segmentation"].dtype == np.uint8
    assert scene["camera"].shape == (4, 4) and scene["camera"].dtype == np.float32
    objects = scene["objects"]
    assert set(objects) == OBJECT_KEYS
    expected = {
        "shape": ((n,), np.int64),
        "color": ((n,), np.int64),
        "rgb": ((n, 3), np.float32),
        "pose": ((n, 7), np.float32),
        "pixels": ((n,), np.int32),
    }
    for key, (shape, dtype) in expected.items():
        assert objects[key].shape == shape, key
        assert objects[key].dtype == dtype, key
    assert ProceduralObjects3D().get_config() == {
        "image_size": 64,
        "min_objects": 2,
        "max_objects": 5,
        "supersampling": 2,
        "seed": 0,
    }
    generator = ProceduralObjects3D(image_size=16, seed=4)
    assert repr(ProceduralObjects3D(**generator.get_config())) == repr(generator)


def test_examples_are_deterministic_per_index_in_any_order():
    generator = ProceduralObjects3D(image_size=32)
    forward = [generator.example(i) for i in (2, 3, 4)]
    backward = [ProceduralObjects3D(image_size=32).example(i) for i in (4, 3, 2)][::-1]
    for first, second in zip(forward, backward):
        _assert_same(first, second)
    assert not np.array_equal(forward[0]["image"], forward[1]["image"])
    other_seed = ProceduralObjects3D(image_size=32, seed=1).example(2)
    assert not np.array_equal(forward[0]["image"], other_seed["image"])


def test_examples_stacks_padded_scenes():
    generator = ProceduralObjects3D(image_size=16, min_objects=1, max_objects=4, seed=2)
    data = generator.examples(start=3, count=5)
    expected = {
        "images": ((5, 16, 16, 3), np.uint8),
        "segmentations": ((5, 16, 16), np.uint8),
        "num_objects": ((5,), np.int32),
        "cameras": ((5, 4, 4), np.float32),
        "object_mask": ((5, 4), np.bool_),
        "shapes": ((5, 4), np.int32),
        "colors": ((5, 4), np.int32),
        "rgbs": ((5, 4, 3), np.float32),
        "poses": ((5, 4, 7), np.float32),
        "pixels": ((5, 4), np.int32),
    }
    assert set(data) == set(expected)
    for key, (shape, dtype) in expected.items():
        assert data[key].shape == shape, key
        assert data[key].dtype == dtype, key
    assert data["num_objects"].min() < 4  # some scenes are padded
    singular = {"shapes": "shape", "colors": "color", "rgbs": "rgb", "poses": "pose"}
    singular["pixels"] = "pixels"
    for n in range(5):
        scene = generator.example(3 + n)
        k = int(scene["num_objects"])
        assert data["num_objects"][n] == k
        np.testing.assert_array_equal(data["images"][n], scene["image"])
        np.testing.assert_array_equal(data["segmentations"][n], scene["segmentation"])
        np.testing.assert_array_equal(data["cameras"][n], scene["camera"])
        np.testing.assert_array_equal(data["object_mask"][n], np.arange(4) < k)
        for key, name in singular.items():
            np.testing.assert_array_equal(data[key][n, :k], scene["objects"][name], err_msg=key)
        assert (data["poses"][n, k:] == 0).all() and (data["rgbs"][n, k:] == 0).all()
        assert (data["pixels"][n, k:] == 0).all()
        assert (data["shapes"][n, k:] == -1).all() and (data["colors"][n, k:] == -1).all()
    with pytest.raises(ValueError, match=r"`count` must be >= 1\. Received: count=0"):
        generator.examples(0, 0)


def test_segmentation_labels_and_pixel_counts():
    generator = ProceduralObjects3D(image_size=32, min_objects=1, max_objects=6)
    for scene in _scenes(generator, 12):
        n = int(scene["num_objects"])
        labels = np.unique(scene["segmentation"])
        assert labels.min() == 0 and labels.max() <= n
        counts = np.bincount(scene["segmentation"].ravel(), minlength=n + 1)[1:]
        np.testing.assert_array_equal(scene["objects"]["pixels"], counts)
        # Every object is at least partly visible.
        assert (counts >= 1).all()
        assert set(labels) == set(range(n + 1))


def test_object_attributes_follow_the_sampling_rules():
    generator = ProceduralObjects3D(image_size=32, min_objects=5, max_objects=8)
    seen_shapes, seen_colors = set(), set()
    for scene in _scenes(generator, 10):
        objects = scene["objects"]
        pose = objects["pose"].astype(np.float64)
        translation, half, rotation = pose[:, :3], pose[:, 3:6], pose[:, 6]
        assert (half >= MIN_SIZE - 1e-6).all() and (half <= MAX_SIZE + 1e-6).all()
        # One size per object, resting on the ground.
        np.testing.assert_allclose(half[:, 0], half[:, 1])
        np.testing.assert_allclose(half[:, 0], half[:, 2])
        np.testing.assert_allclose(translation[:, 2], half[:, 2], rtol=1e-6)
        assert (np.abs(translation[:, :2]) <= POSITION_RANGE).all()
        assert ((rotation >= 0) & (rotation < 2 * np.pi)).all()
        np.testing.assert_array_equal(objects["rgb"], COLOR_RGB[objects["color"]])
        # Bounding circles on the ground keep MIN_GAP between them.
        footprint = np.where(objects["shape"] == SHAPES.index("cube"), math.sqrt(2), 1) * half[:, 0]
        distance = np.linalg.norm(translation[:, None, :2] - translation[None, :, :2], axis=-1)
        gap = distance - footprint[:, None] - footprint[None, :]
        np.fill_diagonal(gap, np.inf)
        assert gap.min() > MIN_GAP
        seen_shapes.update(objects["shape"].tolist())
        seen_colors.update(objects["color"].tolist())
    assert seen_shapes == set(range(len(SHAPES)))
    assert len(seen_colors) >= 6 and seen_colors <= set(range(len(COLORS)))


def test_camera_follows_the_documented_convention():
    camera = orbit_camera(CAMERA_DISTANCE, CAMERA_ELEVATION_DEGREES, CAMERA_AZIMUTH_DEGREES)
    assert (CAMERA_DISTANCE, CAMERA_ELEVATION_DEGREES) == (4.0, 33.0)
    assert (CAMERA_AZIMUTH_DEGREES, FIELD_OF_VIEW_DEGREES) == (0.0, 40.0)
    # The dataset's camera is the model's.
    np.testing.assert_array_equal(ProceduralObjects3D(image_size=8).camera, camera)
    np.testing.assert_array_equal(ProceduralObjects3D(image_size=8).example(0)["camera"], camera)
    assert camera.dtype == np.float32
    elevation = math.radians(33.0)
    np.testing.assert_allclose(
        camera[:3, 3], [0, -4 * math.cos(elevation), 4 * math.sin(elevation)], atol=1e-6
    )
    right, down, forward = camera[:3, 0], camera[:3, 1], camera[:3, 2]
    np.testing.assert_allclose(right, [1, 0, 0], atol=1e-6)  # image x to the right
    assert down[2] < 0 and down[1] < 0  # image y toward the ground
    np.testing.assert_allclose(forward, -camera[:3, 3] / 4, atol=1e-6)  # looks at the origin
    np.testing.assert_allclose(camera[:3, :3].T @ camera[:3, :3], np.eye(3), atol=1e-6)
    assert np.linalg.det(camera[:3, :3]) == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_array_equal(camera[3], [0, 0, 0, 1])
    # Positive azimuths turn counter-clockwise seen from above: 90 degrees is the +x side.
    side = orbit_camera(2.0, 0.0, 90.0)
    np.testing.assert_allclose(side[:3, 3], [2, 0, 0], atol=1e-6)
    np.testing.assert_allclose(side[:3, 0], [0, 1, 0], atol=1e-6)

    directions = pixel_directions(8, 40.0).reshape(8, 8, 3)  # row-major pixels
    np.testing.assert_allclose(np.linalg.norm(directions, axis=-1), 1.0, atol=1e-6)
    focal = 4 / math.tan(math.radians(20.0))
    centres = np.arange(8) + 0.5 - 4
    np.testing.assert_allclose(directions[0, :, 0] / directions[0, :, 2], centres / focal)
    np.testing.assert_allclose(directions[:, 0, 1] / directions[:, 0, 2], centres / focal)
    # A point along each pixel's world ray projects back onto that pixel's centre.
    world = directions.astype(np.float64) @ camera[:3, :3].T.astype(np.float64)
    points = camera[:3, 3] + 3.0 * world
    pixels, depth = project_points(points, camera, 8)
    rows, columns = np.mgrid[:8, :8]
    np.testing.assert_allclose(pixels, np.stack([columns, rows], axis=-1) + 0.5, atol=1e-4)
    np.testing.assert_allclose(pixels, _pinhole(points, camera, 8), atol=1e-4)
    assert (depth > 0).all()
    origin, _ = project_points(np.zeros(3), camera, 64)
    np.testing.assert_allclose(origin, [32, 32], atol=1e-4)
    # The light comes from above, to the camera's left and from behind it.
    light = LIGHT_DIRECTION.astype(np.float64)
    np.testing.assert_allclose(np.linalg.norm(light), 1.0, atol=1e-6)
    assert light[2] > 0.5 and light @ right < 0 and light @ forward < 0


def test_subpixel_directions_follow_the_pixel_convention():
    for size in (1, 8, 13):
        np.testing.assert_allclose(
            subpixel_directions(size, 40.0, 1)[:, 0], pixel_directions(size, 40.0), atol=1e-7
        )
    s, size = 3, 8
    directions = subpixel_directions(size, 40.0, s).astype(np.float64)
    assert directions.shape == (size * size, s * s, 3) and directions.dtype.kind == "f"
    np.testing.assert_allclose(np.linalg.norm(directions, axis=-1), 1.0, atol=1e-6)
    # Sub-pixel (a, b) of pixel (i, j) is centred at (x, y) = (j + (b + 0.5) / s, i + ...).
    focal = size / 2 / math.tan(math.radians(20.0))
    image = focal * directions[..., :2] / directions[..., 2:] + size / 2
    rows, columns = np.divmod(np.arange(size * size), size)
    sub_rows, sub_columns = np.divmod(np.arange(s * s), s)
    expected_x = columns[:, None] + (sub_columns[None] + 0.5) / s
    expected_y = rows[:, None] + (sub_rows[None] + 0.5) / s
    np.testing.assert_allclose(image[..., 0], expected_x, atol=1e-4)
    np.testing.assert_allclose(image[..., 1], expected_y, atol=1e-4)
    # The sub-pixels of a pixel average to its centre ray's image point.
    centre = pixel_directions(size, 40.0).astype(np.float64)
    centre_image = focal * centre[:, :2] / centre[:, 2:] + size / 2
    np.testing.assert_allclose(image.mean(axis=1), centre_image, atol=1e-4)


@pytest.mark.parametrize(
    ("min_objects", "max_objects", "tolerance"),
    [
        # Alone, an object's silhouette is centred on its projected centre (up to perspective).
        (1, 1, 0.15),
        # Occluded objects show part of their silhouette: the centroid stays on the object.
        (2, 5, 0.6),
    ],
)
def test_mask_centroids_project_near_the_object_centres(min_objects, max_objects, tolerance):
    size = 64
    generator = ProceduralObjects3D(size, min_objects, max_objects, supersampling=1, seed=3)
    focal = size / 2 / math.tan(math.radians(FIELD_OF_VIEW_DEGREES) / 2)
    rows, columns = np.mgrid[:size, :size] + 0.5
    for scene in _scenes(generator, 6):
        pose = scene["objects"]["pose"].astype(np.float64)
        projected = _pinhole(pose[:, :3], scene["camera"], size)
        depth = np.linalg.norm(pose[:, :3] - scene["camera"][:3, 3], axis=-1)
        for k in range(int(scene["num_objects"])):
            mask = scene["segmentation"] == k + 1
            centroid = np.array([columns[mask].mean(), rows[mask].mean()])
            # Bound by the projected radius of the object's bounding sphere.
            radius = math.sqrt(3) * pose[k, 3] * focal / depth[k]
            assert np.linalg.norm(centroid - projected[k]) <= tolerance * radius + 0.5


def test_object_pixels_are_shaded_albedo():
    generator = ProceduralObjects3D(image_size=64)
    checked = 0
    for scene in _scenes(generator, 4):
        image = scene["image"].astype(np.float64) / 255
        for k, rgb in enumerate(scene["objects"]["rgb"].astype(np.float64)):
            inside = _interior(scene["segmentation"] == k + 1)
            if inside.sum() < 4:
                continue
            pixels = image[inside]  # [P, 3]
            # Each pixel is its object's albedo times one shade factor.
            shade = pixels @ rgb / (rgb @ rgb)
            np.testing.assert_allclose(pixels, shade[:, None] * rgb, atol=2.5 / 255)
            assert (shade >= AMBIENT - 0.02).all() and (shade <= 1.0 + 0.02).all()
            # Lit faces are brighter than faces turned away from the light.
            assert shade.max() - shade.min() > 0.2
            checked += 1
    assert checked >= 8


def test_shadows_darken_the_ground():
    generator = ProceduralObjects3D(image_size=64)
    lit = 255 * GROUND_ALBEDO * (AMBIENT + (1 - AMBIENT) * LIGHT_DIRECTION[2])
    shadow = 255 * GROUND_ALBEDO * AMBIENT
    for scene in _scenes(generator, 4):
        ground = _interior(scene["segmentation"] == 0)
        values = scene["image"][ground].astype(np.float64)
        # The ground is gray: equal channels.
        assert np.abs(values - values.mean(axis=1, keepdims=True)).max() <= 0.5
        brightness = values[:, 0]
        assert np.mean(np.abs(brightness - lit) <= 1) > 0.7  # mostly unshadowed
        assert (np.abs(brightness - shadow) <= 1).sum() >= 5  # fully in shadow
        assert brightness.max() <= lit + 1


def test_supersampling_antialiases_the_same_scene():
    single = ProceduralObjects3D(image_size=32, supersampling=1).example(5)
    multi = ProceduralObjects3D(image_size=32, supersampling=3).example(5)
    for key in ("segmentation", "num_objects"):
        np.testing.assert_array_equal(single[key], multi[key])
    np.testing.assert_array_equal(single["objects"]["pose"], multi["objects"]["pose"])
    difference = np.abs(single["image"].astype(int) - multi["image"].astype(int))
    assert difference.max() > 20  # edges are blended
    assert difference.mean() < 6  # the rest is the same picture


def test_many_objects_fit():
    scene = ProceduralObjects3D(image_size=32, min_objects=10, max_objects=10).example(0)
    assert scene["num_objects"] == 10
    assert (scene["objects"]["pixels"] >= 3).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"image_size": 4}, r"`image_size` must be >= 8\. Received: image_size=4"),
        ({"min_objects": 0}, r"`min_objects` must be >= 1\. Received: min_objects=0"),
        ({"min_objects": 3, "max_objects": 2}, r"`max_objects` must be >= 3.*max_objects=2"),
        ({"max_objects": 11}, r"`max_objects` must be <= 10.*max_objects=11"),
        ({"supersampling": 0}, r"`supersampling` must be >= 1\. Received: supersampling=0"),
        ({"seed": -1}, r"`seed` must be >= 0\. Received: seed=-1"),
    ],
)
def test_bad_arguments_raise_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ProceduralObjects3D(**kwargs)


def test_bad_types_and_camera_arguments():
    with pytest.raises(TypeError, match="`image_size` must be an int"):
        ProceduralObjects3D(image_size=64.0)
    with pytest.raises(ValueError, match=r"`index` must be >= 0"):
        ProceduralObjects3D(image_size=16).example(-1)
    with pytest.raises(ValueError, match=r"`field_of_view_degrees` must be in \(0, 180\)"):
        subpixel_directions(16, 180.0, 2)
    with pytest.raises(ValueError, match=r"`supersampling` must be >= 1"):
        subpixel_directions(16, 40.0, 0)


def test_render_reproduces_examples_and_removes_objects():
    generator = ProceduralObjects3D(image_size=32, min_objects=3, max_objects=3)
    scene = generator.example(5)
    np.testing.assert_array_equal(generator.render(scene["objects"]), scene["image"])
    first = scene["segmentation"] == 1
    keep = np.arange(3) != 0
    without = generator.render({key: value[keep] for key, value in scene["objects"].items()})
    changed = (without != scene["image"]).any(axis=-1)
    # The removed object's pixels (and its shadow) change; the other objects' stay.
    assert changed[first].all()
    np.testing.assert_array_equal(
        without[scene["segmentation"] >= 2], scene["image"][scene["segmentation"] >= 2]
    )
    empty = generator.render({"shape": [], "color": [], "pose": np.zeros((0, 7))})
    assert empty.shape == (32, 32, 3) and not (empty == scene["image"]).all()
    with pytest.raises(ValueError, match=r"missing \['pose'\]"):
        generator.render({"shape": [0], "color": [0]})
    with pytest.raises(ValueError, match="as many shapes, colors and poses"):
        generator.render({"shape": [0, 1], "color": [0], "pose": np.zeros((1, 7))})
