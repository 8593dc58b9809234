"""A CLEVR-like procedural 3D dataset for INFERNO (thesis 10.4), ray cast offline in numpy.

Conventions, those of the INFERNO model: the camera and its pixel rays come from
`keras_dynscene.models.inferno.scene_geometry` (`orbit_camera`, `pixel_directions`), so the data
and the model cannot drift apart.

- World: right-handed, z up, the ground plane is z = 0. Objects rest on the ground.
- Camera: a 4x4 camera-to-world matrix whose columns are `[right, down, forward, position]`
  (OpenCV: image x grows to the right, image y grows downward, `forward` is the viewing
  direction). A camera-space direction `d` is the world direction `camera[:3, :3] @ d`, and
  every ray starts at `camera[:3, 3]`.
- The camera looks at the world origin from `CAMERA_DISTANCE` away,
  `CAMERA_ELEVATION_DEGREES` above the ground plane; azimuth 0 puts it on the -y side, at
  `(0, -4 cos 33deg, 4 sin 33deg)`, and positive azimuths turn it counter-clockwise seen from
  above (azimuth 90 is the +x side).
- Images are square; `FIELD_OF_VIEW_DEGREES` is the full angle across the image width (and
  height). Pixel `(row i, column j)` covers `[j, j + 1) x [i, i + 1)` in image coordinates, so
  its centre is at `(x, y) = (j + 0.5, i + 0.5)`, and the focal length in pixels is
  `image_size / 2 / tan(fov / 2)`. `pixel_directions` lists the pixels row-major.
- An object pose is `(tx, ty, tz, sx, sy, sz, rotation_z)`: the object's canonical space
  `[-1, 1]^3` is scaled by the half-extents `s`, rotated by `rotation_z` radians
  counter-clockwise about the z axis and translated by `t`. Here `sx = sy = sz` is the
  object's size (sphere radius, cube half-extent, cylinder radius and half-height) and
  `tz = sz` (resting on the ground).
"""

import math

import numpy as np

from keras_dynscene.data.config_checks import check_int
from keras_dynscene.models.inferno.scene_geometry import orbit_camera
from keras_dynscene.models.inferno.scene_geometry import pixel_directions

# === Scene content ===
SHAPES = ("sphere", "cube", "cylinder")
COLORS = ("gray", "red", "blue", "green", "brown", "purple", "cyan", "yellow")
# The eight colours of CLEVR's palette, in [0, 1].
COLOR_RGB = (
    np.array(
        [
            (87, 87, 87),
            (173, 35, 35),
            (42, 75, 215),
            (29, 105, 20),
            (129, 74, 25),
            (129, 38, 192),
            (41, 208, 208),
            (255, 238, 51),
        ],
        dtype=np.float32,
    )
    / 255.0
)
# Object size: the half-extent of cubes, the radius of spheres and the radius and half-height
# of cylinders, drawn uniformly.
MIN_SIZE = 0.18
MAX_SIZE = 0.35
# Object centres are drawn uniformly in [-POSITION_RANGE, POSITION_RANGE]^2 on the ground.
POSITION_RANGE = 1.2
# Ground-plane distance between the bounding circles of two objects.
MIN_GAP = 0.05
# Each object keeps at least this share of the image's pixels in the segmentation.
MIN_VISIBLE_FRACTION = 1.0 / 500.0

# === Camera ===
CAMERA_DISTANCE = 4.0
CAMERA_ELEVATION_DEGREES = 33.0
CAMERA_AZIMUTH_DEGREES = 0.0
FIELD_OF_VIEW_DEGREES = 40.0

# === Lighting ===
# Unit vector from the scene toward the directional light: above, left of and behind the
# default camera (which looks along +y, with +x to its right).
LIGHT_DIRECTION = (np.array([-0.6, -0.8, 1.6]) / np.linalg.norm([-0.6, -0.8, 1.6])).astype(
    np.float32
)
# Shade of a surface: AMBIENT + (1 - AMBIENT) * max(n . l, 0) when lit, AMBIENT in shadow.
AMBIENT = 0.3
GROUND_ALBEDO = 0.6
# Rays that hit nothing (above the horizon; out of view with the default camera).
SKY_RGB = np.array([0.5, 0.5, 0.5], dtype=np.float32)

_MAX_PLACEMENT_TRIES = 100  # positions tried per object before the layout restarts
_MAX_LAYOUT_RESTARTS = 200  # layouts tried before the object sizes are drawn again
_MAX_SCENE_DRAWS = 50
_EPSILON = 1e-6  # smallest ray distance counted as a hit (shadow rays start on surfaces)
_SHADOW_OFFSET = 1e-4  # shadow rays start this far above the surface, against acne


def subpixel_directions(
    resolution: int, field_of_view_degrees: float, supersampling: int
) -> np.ndarray:
    """Returns unit camera-space ray directions through an `s x s` grid of sub-pixel centres.

    The convention is that of `scene_geometry.pixel_directions`: a square image, the full
    `field_of_view_degrees` across its width, x right, y down, z forward. Pixel `(i, j)`
    (row, column) is split into `s x s` cells of side `1 / s` pixel; cell `(a, b)` has its
    centre at image coordinates `(x, y) = (j + (b + 0.5) / s, i + (a + 0.5) / s)`. With
    `supersampling=1` the directions are those of `pixel_directions`.

    Args:
        resolution: side of the square image in pixels.
        field_of_view_degrees: full horizontal field of view, in (0, 180).
        supersampling: `s`, sub-pixel rays per pixel along each axis.

    Returns:
        float32 `[resolution^2, s^2, 3]`: pixels row-major, then their sub-pixels row-major.

    Example:

    ```python
    directions = subpixel_directions(64, 40.0, 2)  # [4096, 4, 3]
    camera = orbit_camera(4.0, 33.0, 0.0)
    world = directions @ camera[:3, :3].T  # world-space directions
    ```
    """
    check_int("resolution", resolution, minimum=1)
    check_int("supersampling", supersampling, minimum=1)
    if not 0.0 < field_of_view_degrees < 180.0:
        raise ValueError(
            "`field_of_view_degrees` must be in (0, 180). Received: "
            f"field_of_view_degrees={field_of_view_degrees}"
        )
    s = supersampling
    half_width = math.tan(math.radians(field_of_view_degrees) / 2.0)
    # Sub-pixel centres in pixel units, mapped to [-1, 1] across the image width.
    offsets = (np.arange(resolution)[:, None] + (np.arange(s) + 0.5) / s).reshape(-1)
    centres = (offsets / resolution * 2.0 - 1.0) * half_width
    y, x = np.meshgrid(centres, centres, indexing="ij")  # [R s, R s]
    directions = np.stack([x, y, np.ones_like(x)], axis=-1)
    directions /= np.linalg.norm(directions, axis=-1, keepdims=True)
    # [row, a, column, b, 3] -> [row, column, a, b, 3]: the sub-pixels of each pixel together.
    directions = directions.reshape(resolution, s, resolution, s, 3).transpose(0, 2, 1, 3, 4)
    return directions.reshape(resolution * resolution, s * s, 3).astype(np.float32)


def project_points(
    points: np.ndarray,
    camera: np.ndarray,
    image_size: int,
    field_of_view_degrees: float = FIELD_OF_VIEW_DEGREES,
) -> tuple[np.ndarray, np.ndarray]:
    """Projects world points into the image of a camera (the inverse of the ray convention).

    Args:
        points: world points `[..., 3]`.
        camera: camera-to-world matrix `[4, 4]` (see `scene_geometry.orbit_camera`).
        image_size: side of the square image in pixels.
        field_of_view_degrees: full horizontal field of view.

    Returns:
        `(pixels, depth)`: image coordinates `[..., 2]` as `(x, y)` (pixel `(i, j)` has its
        centre at `(j + 0.5, i + 0.5)`) and the depth along `forward` `[...]`.

    Example:

    ```python
    camera = orbit_camera(4.0, 33.0, 0.0)
    pixels, depth = project_points(np.zeros(3), camera, 64)
    pixels  # (32, 32): the camera looks at the origin
    ```
    """
    points = np.asarray(points, dtype=np.float64)
    camera = np.asarray(camera, dtype=np.float64)
    local = (points - camera[:3, 3]) @ camera[:3, :3]  # rotation^T (p - position)
    depth = local[..., 2]
    focal = image_size / 2.0 / math.tan(math.radians(field_of_view_degrees) / 2.0)
    pixels = focal * local[..., :2] / depth[..., None] + image_size / 2.0
    return pixels, depth


class ProceduralObjects3D:
    """Generator of CLEVR-like scenes: spheres, cubes and cylinders on a ground plane.

    Each scene holds `min_objects` to `max_objects` objects (count drawn uniformly), each with
    a shape from `SHAPES`, a colour from the 8 CLEVR colours of `COLORS` / `COLOR_RGB`, a size
    uniform in `[MIN_SIZE, MAX_SIZE]` (cube half-extent, sphere radius, cylinder radius and
    half-height), a rotation about z uniform in `[0, 2 pi)` (drawn for every shape, so poses
    are uniform; it only shows on cubes) and a position on the ground uniform in
    `[-POSITION_RANGE, POSITION_RANGE]^2`, resting on the ground (centre z = size). Positions
    are rejection-sampled: the bounding circles of two objects on the ground (radius `size`,
    `sqrt(2) size` for cubes) keep at least `MIN_GAP` between them, every object's bounding
    box projects inside the image (nothing is cut off by the frame), and every object keeps at
    least `MIN_VISIBLE_FRACTION` of the image's pixels in the segmentation (not hidden
    behind other objects).

    Scenes are seen by the fixed camera of the module constants (`orbit_camera` of
    `CAMERA_DISTANCE`, `CAMERA_ELEVATION_DEGREES`, `CAMERA_AZIMUTH_DEGREES`; see the module
    docstring for the conventions) and ray cast in numpy, vectorized over rays:
    analytic intersections with spheres, z-rotated boxes (slabs in object space), upright
    capped cylinders and the ground plane; Lambertian shading under the directional light
    `LIGHT_DIRECTION` with ambient term `AMBIENT` and hard shadows cast by the objects; a
    `supersampling x supersampling` grid of rays per pixel averaged for anti-aliasing. The
    segmentation is cast through the pixel centres, the rays of `pixel_directions`.

    `example(index)` returns a dict of numpy values (`H = W = image_size`, `n` objects):

    - `image`: uint8 `[H, W, 3]`.
    - `segmentation`: uint8 `[H, W]`, 0 on the background (ground and sky), `k + 1` on the
      pixels of object `k`.
    - `num_objects`: int32 scalar, `n`.
    - `camera`: float32 `[4, 4]`, the camera-to-world matrix.
    - `objects`: a dict of per-object arrays: `shape` int64 `[n]` (index into `SHAPES`),
      `color` int64 `[n]` (index into `COLORS`), `rgb` float32 `[n, 3]` (its albedo in
      [0, 1]), `pose` float32 `[n, 7]` `(tx, ty, tz, sx, sy, sz, rotation_z)` and `pixels`
      int32 `[n]` (the object's pixel count in `segmentation`).

    `examples(start, count)` stacks consecutive scenes into arrays padded to `max_objects`
    objects (`images`, `segmentations`, `poses`, ...), for training from memory.

    Example `index` of generator `seed` draws from `np.random.default_rng([seed, index])`
    only, so examples are reproducible one by one, in any order.

    Args:
        image_size: side of the square images in pixels, at least 8.
        min_objects: fewest objects per scene, at least 1.
        max_objects: most objects per scene, from `min_objects` to 10.
        supersampling: rays per pixel along each axis (anti-aliasing), at least 1.
        seed: non-negative int; generators of different seeds give independent streams
            (the TFDS builder uses one per split).

    Raises:
        TypeError: if an argument is not an int.
        ValueError: if an argument is out of range.

    Example:

    ```python
    scenes = ProceduralObjects3D(image_size=64, seed=0)
    scene = scenes.example(0)
    scene["image"].shape  # (64, 64, 3)
    scene["objects"]["pose"].shape  # (num_objects, 7)
    batch = scenes.examples(start=100, count=8)
    batch["images"].shape  # (8, 64, 64, 3)
    batch["poses"].shape  # (8, 5, 7): zero padded, `batch["object_mask"]` marks the objects
    ```

    Reference:
        - Johnson, Hariharan, van der Maaten, Fei-Fei, Zitnick, Girshick, "CLEVR: A Diagnostic
          Dataset for Compositional Language and Elementary Visual Reasoning", CVPR 2017.
        - Castrejon, "Advances in Generative Models for Dynamic Scenes", PhD thesis,
          Universite de Montreal, 2022, section 10.4 (CLEVR2345 for INFERNO).
    """

    def __init__(
        self,
        image_size: int = 64,
        min_objects: int = 2,
        max_objects: int = 5,
        supersampling: int = 2,
        seed: int = 0,
    ):
        check_int("image_size", image_size, minimum=8)
        check_int("min_objects", min_objects, minimum=1)
        check_int(
            "max_objects",
            max_objects,
            minimum=min_objects,
            maximum=10,
            reason=f"from min_objects={min_objects} to 10 objects fit on the ground",
        )
        check_int("supersampling", supersampling, minimum=1)
        check_int("seed", seed, minimum=0)
        self.image_size = int(image_size)
        self.min_objects = int(min_objects)
        self.max_objects = int(max_objects)
        self.supersampling = int(supersampling)
        self.seed = int(seed)

        # === Fixed camera and rays ===
        self.camera = orbit_camera(
            CAMERA_DISTANCE, CAMERA_ELEVATION_DEGREES, CAMERA_AZIMUTH_DEGREES
        )
        rotation = self.camera[:3, :3].astype(np.float64)
        self._origin = self.camera[:3, 3].astype(np.float64)
        # World ray directions, float64 so that hits on touching surfaces stay ordered.
        centre = pixel_directions(self.image_size, FIELD_OF_VIEW_DEGREES).astype(np.float64)
        self._centre_directions = centre @ rotation.T
        fine = subpixel_directions(self.image_size, FIELD_OF_VIEW_DEGREES, self.supersampling)
        self._fine_directions = fine.reshape(-1, 3).astype(np.float64) @ rotation.T
        self._min_pixels = max(1, math.ceil(MIN_VISIBLE_FRACTION * self.image_size**2))

    def get_config(self) -> dict:
        """Returns the constructor arguments: `ProceduralObjects3D(**config)` is a copy."""
        return {
            "image_size": self.image_size,
            "min_objects": self.min_objects,
            "max_objects": self.max_objects,
            "supersampling": self.supersampling,
            "seed": self.seed,
        }

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"

    def example(self, index: int) -> dict:
        """Returns scene `index`: its image, segmentation, camera and objects.

        Args:
            index: non-negative int; the same `(seed, index)` always gives the same scene.

        Returns:
            A dict with `image`, `segmentation`, `num_objects`, `camera` and `objects` (see
            the class docstring).

        Example:

        ```python
        scene = ProceduralObjects3D(image_size=32).example(7)
        scene["segmentation"].max() == scene["num_objects"]  # True
        ```
        """
        check_int("index", index, minimum=0)
        rng = np.random.default_rng([self.seed, int(index)])
        shapes, colors, poses, segmentation = self._sample_scene(rng)
        image = self._render_image(shapes, colors, poses)
        pixels = np.bincount(segmentation.ravel(), minlength=len(shapes) + 1)[1:]
        return {
            "image": image,
            "segmentation": segmentation,
            "num_objects": np.int32(len(shapes)),
            "camera": self.camera.copy(),
            "objects": {
                "shape": shapes.astype(np.int64),
                "color": colors.astype(np.int64),
                "rgb": COLOR_RGB[colors],
                "pose": poses.astype(np.float32),
                "pixels": pixels.astype(np.int32),
            },
        }

    def examples(self, start: int = 0, count: int = 1) -> dict[str, np.ndarray]:
        """Returns scenes `start` to `start + count - 1` stacked, for in-memory training.

        The per-object arrays are padded to `max_objects` slots: `object_mask` marks the
        real ones, padded `poses`, `rgbs` and `pixels` are 0 and padded `shapes` and `colors`
        are -1. Scene `start + n` is `example(start + n)`.

        Args:
            start: index of the first scene, at least 0.
            count: number of scenes `N`, at least 1.

        Returns:
            A dict of numpy arrays (`K = max_objects`): `images` uint8 `[N, H, W, 3]`,
            `segmentations` uint8 `[N, H, W]`, `num_objects` int32 `[N]`, `cameras` float32
            `[N, 4, 4]`, `object_mask` bool `[N, K]`, `shapes` int32 `[N, K]`, `colors` int32
            `[N, K]`, `rgbs` float32 `[N, K, 3]`, `poses` float32 `[N, K, 7]` and `pixels`
            int32 `[N, K]`.

        Example:

        ```python
        data = ProceduralObjects3D(image_size=64).examples(0, 256)
        data["images"].shape  # (256, 64, 64, 3)
        data["poses"].shape  # (256, 5, 7)
        model.fit(data["images"], batch_size=16)
        ```
        """
        check_int("start", start, minimum=0)
        check_int("count", count, minimum=1)
        size, slots = self.image_size, self.max_objects
        data = {
            "images": np.zeros((count, size, size, 3), np.uint8),
            "segmentations": np.zeros((count, size, size), np.uint8),
            "num_objects": np.zeros(count, np.int32),
            "cameras": np.zeros((count, 4, 4), np.float32),
            "object_mask": np.zeros((count, slots), bool),
            "shapes": np.full((count, slots), -1, np.int32),
            "colors": np.full((count, slots), -1, np.int32),
            "rgbs": np.zeros((count, slots, 3), np.float32),
            "poses": np.zeros((count, slots, 7), np.float32),
            "pixels": np.zeros((count, slots), np.int32),
        }
        per_object = {
            "shapes": "shape",
            "colors": "color",
            "rgbs": "rgb",
            "poses": "pose",
            "pixels": "pixels",
        }
        for n in range(count):
            scene = self.example(start + n)
            k = int(scene["num_objects"])
            data["images"][n] = scene["image"]
            data["segmentations"][n] = scene["segmentation"]
            data["num_objects"][n] = k
            data["cameras"][n] = scene["camera"]
            data["object_mask"][n, :k] = True
            for key, name in per_object.items():
                data[key][n, :k] = scene["objects"][name]
        return data

    def render(self, objects: dict) -> np.ndarray:
        """Renders a set of objects with this generator's camera, light and ground.

        Ground truth for scene edits: `example(i)["objects"]` with some objects dropped (or
        moved) renders the scene an edit of an inferred scene should reproduce.

        Args:
            objects: a dict with `shape` `[n]`, `color` `[n]` and `pose` `[n, 7]` (as in
                `example(i)["objects"]`); `n` may be 0.

        Returns:
            uint8 `[H, W, 3]`.

        Example:

        ```python
        scene = scenes.example(3)
        keep = np.arange(scene["num_objects"]) != 0
        without_first = scenes.render({k: v[keep] for k, v in scene["objects"].items()})
        ```
        """
        missing = sorted({"shape", "color", "pose"} - set(objects))
        if missing:
            raise ValueError(
                f"render: expected objects with keys 'shape', 'color' and 'pose' (like "
                f"example(i)['objects']); missing {missing}."
            )
        shapes = np.asarray(objects["shape"], np.int64).reshape(-1)
        colors = np.asarray(objects["color"], np.int64).reshape(-1)
        poses = np.asarray(objects["pose"], np.float64).reshape(-1, 7)
        if not len(shapes) == len(colors) == len(poses):
            raise ValueError(
                f"render: expected as many shapes, colors and poses, received {len(shapes)}, "
                f"{len(colors)} and {len(poses)}."
            )
        return self._render_image(shapes, colors, poses)

    # === Scene sampling ===

    def _sample_scene(
        self, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        num_objects = int(rng.integers(self.min_objects, self.max_objects + 1))
        for _ in range(_MAX_SCENE_DRAWS):
            shapes = rng.integers(0, len(SHAPES), size=num_objects)
            colors = rng.integers(0, len(COLORS), size=num_objects)
            sizes = rng.uniform(MIN_SIZE, MAX_SIZE, size=num_objects)
            rotations = rng.uniform(0.0, 2.0 * np.pi, size=num_objects)
            # A cube's corners reach sqrt(2) times its half-extent from its axis.
            footprints = np.where(shapes == SHAPES.index("cube"), math.sqrt(2.0), 1.0) * sizes
            for _ in range(_MAX_LAYOUT_RESTARTS):
                positions = self._place(shapes, sizes, rotations, footprints, rng)
                if positions is None:
                    continue
                poses = np.concatenate(
                    [
                        positions,
                        sizes[:, None],  # resting on the ground: centre z = half-height
                        np.repeat(sizes[:, None], 3, axis=1),
                        rotations[:, None],
                    ],
                    axis=1,
                )
                _, hit, _ = _trace(shapes, poses, self._origin, self._centre_directions)
                labels = hit + 1  # 0: the ground or the sky
                counts = np.bincount(labels, minlength=num_objects + 1)[1:]
                if counts.min() >= self._min_pixels:
                    segmentation = labels.reshape(self.image_size, self.image_size)
                    return shapes, colors, poses, segmentation.astype(np.uint8)
        raise RuntimeError(
            f"Could not lay out {num_objects} visible, non-overlapping objects in "
            f"{_MAX_SCENE_DRAWS} draws; use fewer objects (max_objects={self.max_objects})."
        )

    def _place(
        self,
        shapes: np.ndarray,
        sizes: np.ndarray,
        rotations: np.ndarray,
        footprints: np.ndarray,
        rng: np.random.Generator,
    ) -> np.ndarray | None:
        """Object positions `[n, 2]` on the ground, one after the other; None if stuck."""
        placed = np.zeros((0, 2))
        for shape, size, rotation, footprint in zip(shapes, sizes, rotations, footprints):
            candidates = rng.uniform(
                -POSITION_RANGE, POSITION_RANGE, size=(_MAX_PLACEMENT_TRIES, 2)
            )
            gaps = np.linalg.norm(candidates[:, None] - placed[None], axis=-1) - (
                footprint + footprints[: len(placed)] + MIN_GAP
            )
            free = (gaps > 0).all(axis=1) & self._in_frame(candidates, shape, size, rotation)
            if not free.any():
                return None
            placed = np.concatenate([placed, candidates[np.argmax(free)][None]])
        return placed

    def _in_frame(
        self, positions: np.ndarray, shape: int, size: float, rotation: float
    ) -> np.ndarray:
        """Whether an object at each position `[N, 2]` projects fully inside the image."""
        if SHAPES[shape] == "cube":
            angles = rotation + np.pi / 4 + np.arange(4) * np.pi / 2
            radius = math.sqrt(2.0) * size
        else:
            # A 16-gon around the circle bounds a sphere's or a cylinder's silhouette.
            angles = np.arange(16) * np.pi / 8
            radius = size / math.cos(np.pi / 16)
        ring = radius * np.stack([np.cos(angles), np.sin(angles)], axis=-1)
        corners = np.concatenate(
            [
                np.concatenate([ring, np.full_like(ring[:, :1], height)], axis=-1)
                for height in (0.0, 2.0 * size)
            ]
        )
        ground = np.concatenate([positions, np.zeros_like(positions[:, :1])], axis=-1)
        pixels, depth = project_points(ground[:, None] + corners, self.camera, self.image_size)
        inside = (pixels >= 0.0).all(axis=-1) & (pixels <= self.image_size).all(axis=-1)
        return (inside & (depth > 0)).all(axis=1)

    # === Rendering ===

    def _render_image(
        self, shapes: np.ndarray, colors: np.ndarray, poses: np.ndarray
    ) -> np.ndarray:
        directions = self._fine_directions
        light = LIGHT_DIRECTION.astype(np.float64)
        distance, hit, normals = _trace(shapes, poses, self._origin, directions)
        points = self._origin + distance[:, None] * directions
        # Everything with finite distance is a surface: an object or the ground.
        surface = np.isfinite(distance)
        lambert = np.clip(normals @ light, 0.0, None)
        lit = surface & (lambert > 0)
        shadow_origins = points[lit] + _SHADOW_OFFSET * normals[lit]
        shadow_directions = np.broadcast_to(light, shadow_origins.shape)
        occluded, _, _ = _trace(
            shapes, poses, shadow_origins, shadow_directions, with_ground=False, with_normals=False
        )
        lit[lit] = ~np.isfinite(occluded)
        shade = AMBIENT + (1.0 - AMBIENT) * np.where(lit, lambert, 0.0)
        # One dummy row keeps the lookup valid for a scene without objects.
        albedos = COLOR_RGB[colors].astype(np.float64) if len(colors) else np.zeros((1, 3))
        albedo = np.where((hit >= 0)[:, None], albedos[np.maximum(hit, 0)], GROUND_ALBEDO)
        rgb = np.where(surface[:, None], albedo * shade[:, None], SKY_RGB)
        size = self.image_size
        # Average the s x s sub-pixel samples of each pixel (anti-aliasing).
        rgb = rgb.reshape(size, size, self.supersampling**2, 3).mean(axis=2)
        return np.round(np.clip(rgb, 0.0, 1.0) * 255.0).astype(np.uint8)


def _trace(
    shapes: np.ndarray,
    poses: np.ndarray,
    origins: np.ndarray,
    directions: np.ndarray,
    with_ground: bool = True,
    with_normals: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Nearest hits of rays from `origins` (`[3]`, shared, or `[R, 3]`) along unit
    `directions [R, 3]`: distance `[R]` (inf: none), object index `[R]` (-1: the ground or
    nothing) and unit world normals `[R, 3]` (None unless `with_normals`)."""
    num_rays = directions.shape[0]
    distance = np.full(num_rays, np.inf)
    hit = np.full(num_rays, -1, dtype=np.int64)
    normals = np.zeros((num_rays, 3)) if with_normals else None
    if with_ground:
        # Rays going down from above the ground meet z = 0.
        with np.errstate(divide="ignore", invalid="ignore"):
            ground = -origins[..., 2] / directions[:, 2]
        ground = np.where((directions[:, 2] < 0) & (ground > _EPSILON), ground, np.inf)
        distance = np.minimum(distance, ground)
        if with_normals:
            normals[np.isfinite(ground)] = (0.0, 0.0, 1.0)
    for index, (shape, pose) in enumerate(zip(shapes, poses)):
        # Each object covers a small part of the image: intersect only the rays that pass
        # through its bounding sphere in front of what they already hit.
        rays = _rays_near(pose, origins, directions, distance)
        if rays.size == 0:
            continue
        ray_origins = origins if origins.ndim == 1 else origins[rays]
        intersect = _INTERSECTIONS[SHAPES[shape]]
        t, normal = intersect(pose, ray_origins, directions[rays], with_normals)
        nearer = t < distance[rays]
        distance[rays[nearer]] = t[nearer]
        hit[rays[nearer]] = index
        if with_normals:
            normals[rays[nearer]] = normal[nearer]
    return distance, hit, normals


def _ray_sphere(offset, directions, radius):
    """`(-b, sqrt(b^2 - c))` of the unit-direction ray-sphere equation `t^2 + 2bt + c = 0`
    for ray origins at `offset` from the centre; the root is NaN where the ray misses."""
    if offset.ndim == 1:
        half_b = directions @ offset
        c = offset @ offset - radius**2
    else:
        half_b = np.einsum("ri,ri->r", offset, directions)
        c = np.einsum("ri,ri->r", offset, offset) - radius**2
    with np.errstate(invalid="ignore"):
        return -half_b, np.sqrt(half_b * half_b - c)


def _rays_near(pose, origins, directions, distance):
    """Indices of the rays meeting the sphere around the object's box before `distance`."""
    middle, root = _ray_sphere(origins - pose[:3], directions, float(np.linalg.norm(pose[3:6])))
    return np.flatnonzero((middle + root > _EPSILON) & (middle - root < distance))


def _sphere(pose, origins, directions, with_normals):
    offset = origins - pose[:3]
    middle, root = _ray_sphere(offset, directions, pose[3])
    t = middle - root
    t = np.where(t > _EPSILON, t, np.inf)  # NaN (a miss) compares False
    if not with_normals:
        return t, None
    with np.errstate(invalid="ignore"):
        normal = (offset + t[:, None] * directions) / pose[3]
    return t, normal


def _box(pose, origins, directions, with_normals):
    cos, sin = math.cos(pose[6]), math.sin(pose[6])
    # R^T for R the rotation by pose[6] about z: world to object axes.
    inverse = np.array([[cos, sin, 0.0], [-sin, cos, 0.0], [0.0, 0.0, 1.0]])
    # Object-space rays, one row per axis ([3, R]: the per-axis reductions run across rows).
    local_directions = inverse @ directions.T
    local_origins = (inverse @ (origins - pose[:3]).T).reshape(3, -1)
    half = pose[3:6, None]
    # Slabs: a direction component of 0 becomes a tiny positive one, so the slab distances
    # stay finite and ordered (no 0 * inf).
    safe = np.where(np.abs(local_directions) < 1e-12, 1e-12, local_directions)
    first = (-half - local_origins) / safe
    second = (half - local_origins) / safe
    near = np.minimum(first, second)
    t_near = near.max(axis=0)
    t_far = np.maximum(first, second).min(axis=0)
    t = np.where((t_near <= t_far) & (t_near > _EPSILON), t_near, np.inf)
    if not with_normals:
        return t, None
    # The face entered last is the one hit; its outward normal opposes the ray.
    axis = near.argmax(axis=0)
    rays = np.arange(t.shape[0])
    local_normal = np.zeros_like(local_directions)
    local_normal[axis, rays] = -np.sign(safe[axis, rays])
    return t, (inverse.T @ local_normal).T


def _cylinder(pose, origins, directions, with_normals):
    # Upright and round: the rotation about z does not change the surface.
    radius, half_height = pose[3], pose[5]
    offset = np.broadcast_to(origins - pose[:3], directions.shape)
    ox, oy, oz = offset[:, 0], offset[:, 1], offset[:, 2]
    dx, dy, dz = directions[:, 0], directions[:, 1], directions[:, 2]
    # Side: |(o + t d)_xy| = radius, with the hit between the caps.
    a = dx * dx + dy * dy
    half_b = ox * dx + oy * dy
    c = ox * ox + oy * oy - radius**2
    discriminant = half_b * half_b - a * c
    with np.errstate(divide="ignore", invalid="ignore"):
        side = (-half_b - np.sqrt(np.maximum(discriminant, 0.0))) / a
    side_valid = (discriminant >= 0) & (a > 1e-12) & (side > _EPSILON)
    side_valid &= np.abs(oz + side * dz) <= half_height
    side = np.where(side_valid, side, np.inf)
    # Caps: a ray going down can only enter through the top cap, one going up the bottom one.
    cap_z = np.where(dz < 0, half_height, -half_height)
    with np.errstate(divide="ignore", invalid="ignore"):
        cap = (cap_z - oz) / dz
        cap_x, cap_y = ox + cap * dx, oy + cap * dy
    cap_valid = (np.abs(dz) > 1e-12) & (cap > _EPSILON)
    cap_valid &= cap_x * cap_x + cap_y * cap_y <= radius**2
    cap = np.where(cap_valid, cap, np.inf)
    t = np.minimum(side, cap)
    if not with_normals:
        return t, None
    normal = np.zeros_like(directions)
    on_side = side <= cap
    with np.errstate(invalid="ignore"):
        normal[:, 0] = np.where(on_side, (ox + t * dx) / radius, 0.0)
        normal[:, 1] = np.where(on_side, (oy + t * dy) / radius, 0.0)
    normal[:, 2] = np.where(on_side, 0.0, np.sign(cap_z))
    return t, normal


_INTERSECTIONS = {"sphere": _sphere, "cube": _box, "cylinder": _cylinder}
