import math
import warnings

import keras
import numpy as np
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.distribute.replica_context import scale_loss_for_replicas
from keras_dynscene.distribute.replica_seed_generator import ReplicaSeedGenerator
from keras_dynscene.layers.conditional_nerf import ConditionalNeRF
from keras_dynscene.layers.neural_upscaler import NeuralUpscaler
from keras_dynscene.layers.slot_attention import SlotAttention
from keras_dynscene.layers.slot_attention_encoder import SlotAttentionEncoder
from keras_dynscene.models.inferno import scene_geometry
from keras_dynscene.models.inferno.attention_pose_loss import attention_pose_loss
from keras_dynscene.models.inferno.inferno_presets import INFERNO_PRESETS
from keras_dynscene.models.inferno.inferno_presets import NERF_AUTOENCODER_PRESETS
from keras_dynscene.models.inferno.slot_to_object import SlotToBackground
from keras_dynscene.models.inferno.slot_to_object import SlotToObject
from keras_dynscene.models.inferno.slot_to_object import xyz_numbers
from keras_dynscene.models.inferno.volume_rendering import sample_weights
from keras_dynscene.models.inferno.volume_rendering import soft_box_mask
from keras_dynscene.models.inferno.volume_rendering import stratified_depths
from keras_dynscene.models.preset_mixin import PresetMixin

RENDER_STAGES = ("upscaler", "full")
# Full-resolution rendering leaves the upscaler and the feature heads without gradients, by
# design (10.2.1); Keras would warn at every compiled step.
warnings.filterwarnings(
    "ignore", message=r"Gradients do not exist for variables .*upscaler", category=UserWarning
)
# Likewise the background slot's code MLP when the background is shared by all scenes.
warnings.filterwarnings(
    "ignore",
    message=r"Gradients do not exist for variables .*slot_to_background",
    category=UserWarning,
)
# Keys of a scene (`infer_scene`'s output, `render_scene`'s input) and their trailing shapes.
SCENE_KEYS = (
    "object_pose",
    "object_shape",
    "object_appearance",
    "object_presence",
    "background_shape",
    "background_appearance",
    "camera",
)


@dynscene_export
class INFERNO(PresetMixin, keras.Model):
    """INFERNO (Infer NeRF Objects): object-centric 3D scene inference from a single image.

    An image is encoded by the size-preserving CNN of table 10.5 and bound by slot attention
    (table 10.6, 3 iterations) to one background slot (its own learned Gaussian) and K object
    slots. Each object slot is mapped (table 10.7, `SlotToObject`) to a pose (translation,
    scale and rotation: 7 numbers, a 4x4 affine matrix) and, by an MLP with pose-conditioned
    LayerNorm, to a shape and an appearance code; the background slot to background codes. The
    scene `(o_1..o_K, o_bg, c)` is rendered by volume rendering (10.2.1): rays of the camera `c`
    (fixed: centred, `camera_elevation` degrees above the ground plane) are sampled at
    stratified depths in `[near, far]`, jittered in training; the points are mapped into every
    object's canonical space by its inverse pose and evaluated by one object NeRF shared by all
    objects (table 10.8: 8 x 64, skip at layer 4; density from the shape code, colour from the
    appearance code), and in scene space by the background NeRF (4 x 16); densities are summed
    and colours density-averaged (eq. 10.4), then alpha-composited. Rendering is vectorized over
    the batch, objects, rays and samples.

    Two stages (10.2.1, 10.E): in `render_stage="upscaler"` 128-channel features are rendered at
    16x16 and decoded to the image by the `NeuralUpscaler` of table 10.9; a `RenderStageSwitch`
    callback later switches to `"full"`, where the NeRFs render RGB at the image resolution
    (in training on `full_resolution_training_rays` random rays per image, the loss on those
    pixels). The loss is the mean squared error of eq. 10.1, plus an optional LPIPS term
    (AlexNet, weight 100 in 10.B.1).

    Deviations, all config values: object densities are multiplied by a soft indicator of the
    object's canonical box (`object_box_sharpness`; 0 turns it off) so an object's field cannot
    spread over the scene; during the upscaler stage the NeRFs' RGB head is also trained
    against the image downsampled to 16x16 (`low_resolution_rgb_weight`), so the full-resolution
    stage starts from fields that already render colours (and per-object renders work in both
    stages); densities use a softplus (`density_activation`).

    Args:
        image_size: image side, `feature_resolution * 2^k` (64 or 128 in the thesis).
        channels: image channels.
        num_objects: object slots K (5 for CLEVR2345, 6 for CLEVR6, 10 for CATER).
        encoder_filters, encoder_layers, encoder_kernel_size: the CNN encoder (64, 4, 5).
        slot_size: slot dimension (128, table 10.6).
        slot_mlp_hidden_size: hidden units of slot attention's MLP.
        slot_iterations: slot attention iterations (3).
        code_size: shape and appearance code size of objects (128).
        code_hidden_size: hidden units of the shape / appearance MLP (128).
        pose_hidden_size: hidden units of the pose MLP (7).
        background_code_size: background code size (128).
        object_nerf_layers, object_nerf_units, object_nerf_skip_layer: object NeRF (8, 64, 4).
        background_nerf_layers, background_nerf_units: background NeRF (4, 16).
        feature_size: channels of the rendered low-resolution features (128).
        feature_resolution: side of the feature rendering (16).
        upscaler_filters: channels of the upscaler's convolutions (64).
        num_position_frequencies, num_direction_frequencies: Fourier encoding octaves.
        density_activation: `"softplus"` or `"relu"`.
        num_samples: samples per ray.
        near, far: depth range of the samples along each ray.
        scene_extent: half side of the scene cube (the background NeRF's coordinates are
            scene coordinates divided by it).
        translation_range: `(x, y, z)` half widths of the box object translations lie in.
        translation_center: `(x, y, z)` centre of that box (the origin). The thesis does not
            give its bounds. A box over the visible ground, above it (e.g. centre
            `(0, 0, 0.25)`, half widths `(1.3, 1.3, 0.2)` for `procedural_objects3d`), keeps
            objects in view: with the default box the slots of the shipped CPU run left the
            view together (below the ground, past the frame edge).
        min_object_scale, max_object_scale: bounds of object half extents.
        model_rotation: infer object rotations (off in the thesis' experiments).
        rotation_axis: axis of the pose's rotation (`"x"` in table 10.7's parametrization).
        object_box_sharpness: sharpness of the soft object box mask (0 disables it).
        camera_distance, camera_elevation, camera_azimuth, field_of_view: the default camera.
        render_stage: `"upscaler"` or `"full"`.
        full_resolution_training_rays: rays per image in full-resolution training (None: all).
        low_resolution_rgb_weight: weight of the 16x16 RGB loss in the upscaler stage.
        lpips_weight: weight of the LPIPS loss (0: off; 100 in 10.B.1), on full images only.
        lpips_network: LPIPS backbone.
        scene_dependent_background: condition the background NeRF on the background slot
            (the thesis). False gives every scene the same background (zero codes): on
            datasets whose ground and sky never change (`procedural_objects3d`, CLEVR), what
            differs between images can then only be drawn by the object slots, where a
            conditioned background paints the objects as a blur and the objects vanish.
        attention_pose_weight: weight of the attention-pose loss (0: off, the thesis): the
            squared image distance between each object's projected translation and the
            centroid of its slot's attention (held fixed). Not in the thesis; it gives the pose
            MLP a signal from the first step, when poses do not depend on the image yet.
        image_key: key of the images in TFDS example dicts.
        seed: seed of the slot initialization and ray jitter.
        **kwargs: `keras.Model` arguments.

    Example:
    ```python
    model = INFERNO.from_preset("inferno_cpu")
    model.compile(optimizer=keras.optimizers.Adam(1e-4))
    model.fit(
        tfds.load("procedural_objects3d", split="train").batch(16),
        callbacks=[RenderStageSwitch(switch_step=2000)],
    )
    scene = model.infer_scene(images)
    edited = remove_objects(scene, [0])
    frames = model.render_scene(edited)["image"]
    ```

    Reference:
        Castrejon, "Advances in Generative Models for Dynamic Scenes", PhD thesis, 2022,
        chapter 10; Locatello et al., "Object-Centric Learning with Slot Attention", 2020;
        Niemeyer & Geiger, "GIRAFFE", CVPR 2021.
    """

    architecture_presets = INFERNO_PRESETS
    min_objects = 1

    def __init__(
        self,
        image_size=64,
        channels=3,
        num_objects=5,
        encoder_filters=64,
        encoder_layers=4,
        encoder_kernel_size=5,
        slot_size=128,
        slot_mlp_hidden_size=128,
        slot_iterations=3,
        code_size=128,
        code_hidden_size=128,
        pose_hidden_size=7,
        background_code_size=128,
        object_nerf_layers=8,
        object_nerf_units=64,
        object_nerf_skip_layer=4,
        background_nerf_layers=4,
        background_nerf_units=16,
        feature_size=128,
        feature_resolution=16,
        upscaler_filters=64,
        num_position_frequencies=10,
        num_direction_frequencies=4,
        density_activation="softplus",
        num_samples=32,
        near=2.0,
        far=6.0,
        scene_extent=2.0,
        translation_range=(2.0, 2.0, 1.0),
        translation_center=(0.0, 0.0, 0.0),
        min_object_scale=0.1,
        max_object_scale=0.6,
        model_rotation=False,
        rotation_axis="x",
        object_box_sharpness=20.0,
        camera_distance=4.0,
        camera_elevation=33.0,
        camera_azimuth=0.0,
        field_of_view=40.0,
        render_stage="upscaler",
        full_resolution_training_rays=None,
        low_resolution_rgb_weight=1.0,
        lpips_weight=0.0,
        lpips_network="alexnet",
        scene_dependent_background=True,
        attention_pose_weight=0.0,
        image_key="image",
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        name = type(self).__name__
        if not isinstance(num_objects, (int, np.integer)) or num_objects < self.min_objects:
            raise ValueError(
                f"{name}: expected num_objects >= {self.min_objects} object slots (K), received "
                f"{num_objects!r}. Use the largest object count of the dataset (5 for "
                "CLEVR2345, 6 for CLEVR6)."
            )
        positive = {
            "image_size": image_size,
            "channels": channels,
            "slot_size": slot_size,
            "slot_iterations": slot_iterations,
            "feature_size": feature_size,
            "feature_resolution": feature_resolution,
            "num_samples": num_samples,
        }
        for key, value in positive.items():
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name}: expected a positive int {key}, received {value!r}.")
        factor = image_size / feature_resolution
        if factor < 1 or factor != 2 ** round(math.log2(factor)):
            sizes = [feature_resolution * 2**k for k in range(4)]
            raise ValueError(
                f"{name}: expected image_size = feature_resolution * 2^k so the neural upscaler "
                f"can map the {feature_resolution}x{feature_resolution} features to the image, "
                f"received image_size={image_size}. Resize the images to one of {sizes}."
            )
        if not attention_pose_weight >= 0:
            raise ValueError(
                f"{name}: expected attention_pose_weight >= 0 (0 turns the attention-pose loss "
                f"off), received {attention_pose_weight!r}."
            )
        if render_stage not in RENDER_STAGES:
            raise ValueError(
                f"{name}: expected render_stage in {RENDER_STAGES}, received {render_stage!r}."
            )
        if not 0 < near < far:
            raise ValueError(f"{name}: expected 0 < near < far, received {near} and {far}.")
        if full_resolution_training_rays is not None and not (
            0 < full_resolution_training_rays <= image_size**2
        ):
            raise ValueError(
                f"{name}: expected full_resolution_training_rays in [1, {image_size**2}] or "
                f"None, received {full_resolution_training_rays!r}."
            )
        # === Config ===
        self.image_size = int(image_size)
        self.channels = int(channels)
        self.num_objects = int(num_objects)
        self.encoder_filters = encoder_filters
        self.encoder_layers = encoder_layers
        self.encoder_kernel_size = encoder_kernel_size
        self.slot_size = slot_size
        self.slot_mlp_hidden_size = slot_mlp_hidden_size
        self.slot_iterations = slot_iterations
        self.code_size = code_size
        self.code_hidden_size = code_hidden_size
        self.pose_hidden_size = pose_hidden_size
        self.background_code_size = background_code_size
        self.object_nerf_layers = object_nerf_layers
        self.object_nerf_units = object_nerf_units
        self.object_nerf_skip_layer = object_nerf_skip_layer
        self.background_nerf_layers = background_nerf_layers
        self.background_nerf_units = background_nerf_units
        self.feature_size = feature_size
        self.feature_resolution = int(feature_resolution)
        self.upscaler_filters = upscaler_filters
        self.num_position_frequencies = num_position_frequencies
        self.num_direction_frequencies = num_direction_frequencies
        self.density_activation = density_activation
        self.num_samples = int(num_samples)
        self.near = float(near)
        self.far = float(far)
        self.scene_extent = float(scene_extent)
        self.translation_range = xyz_numbers("INFERNO", "translation_range", translation_range)
        self.translation_center = xyz_numbers("INFERNO", "translation_center", translation_center)
        self.min_object_scale = float(min_object_scale)
        self.max_object_scale = float(max_object_scale)
        self.model_rotation = bool(model_rotation)
        self.rotation_axis = rotation_axis
        self.object_box_sharpness = float(object_box_sharpness)
        self.camera_distance = float(camera_distance)
        self.camera_elevation = float(camera_elevation)
        self.camera_azimuth = float(camera_azimuth)
        self.field_of_view = float(field_of_view)
        self.render_stage = render_stage
        self.full_resolution_training_rays = full_resolution_training_rays
        self.low_resolution_rgb_weight = float(low_resolution_rgb_weight)
        self.lpips_weight = float(lpips_weight)
        self.lpips_network = lpips_network
        self.scene_dependent_background = bool(scene_dependent_background)
        self.attention_pose_weight = float(attention_pose_weight)
        self.image_key = image_key
        self.seed = seed
        self.seed_generator = ReplicaSeedGenerator(seed)

        # === Layers ===
        self.encoder = SlotAttentionEncoder(
            filters=encoder_filters,
            num_conv_layers=encoder_layers,
            kernel_size=encoder_kernel_size,
            name="encoder",
        )
        self.slot_attention = SlotAttention(
            num_slots=self.num_objects + 1,
            slot_size=slot_size,
            num_iterations=slot_iterations,
            mlp_hidden_size=slot_mlp_hidden_size,
            background_slot=self.num_objects > 0,
            seed=seed,
            name="slot_attention",
        )
        if self.num_objects:
            self.slot_to_object = SlotToObject(
                code_size=code_size,
                hidden_size=code_hidden_size,
                pose_hidden_size=pose_hidden_size,
                translation_range=self.translation_range,
                translation_center=self.translation_center,
                min_scale=min_object_scale,
                max_scale=max_object_scale,
                model_rotation=model_rotation,
                name="slot_to_object",
            )
            self.object_nerf = ConditionalNeRF(
                num_layers=object_nerf_layers,
                units=object_nerf_units,
                skip_layer=object_nerf_skip_layer,
                shape_code_size=code_size,
                appearance_code_size=code_size,
                feature_size=feature_size,
                num_position_frequencies=num_position_frequencies,
                num_direction_frequencies=num_direction_frequencies,
                density_activation=density_activation,
                name="object_nerf",
            )
        self.slot_to_background = SlotToBackground(
            code_size=background_code_size, hidden_size=code_hidden_size, name="slot_to_background"
        )
        background_skip = object_nerf_skip_layer if background_nerf_layers > 4 else None
        self.background_nerf = ConditionalNeRF(
            num_layers=background_nerf_layers,
            units=background_nerf_units,
            skip_layer=background_skip,
            shape_code_size=background_code_size,
            appearance_code_size=background_code_size,
            feature_size=feature_size,
            num_position_frequencies=num_position_frequencies,
            num_direction_frequencies=num_direction_frequencies,
            density_activation=density_activation,
            # Nearly transparent at first: the closing last segment still gives the background
            # every ray's leftover light, and the objects are not hidden behind a fog.
            initial_density_bias=-4.0 if self.num_objects else 0.0,
            name="background_nerf",
        )
        self.upscaler = NeuralUpscaler(
            input_size=self.feature_resolution,
            output_size=self.image_size,
            filters=upscaler_filters,
            channels=self.channels,
            name="upscaler",
        )
        self.lpips = None
        if self.lpips_weight > 0:
            from keras_dynscene.metrics.lpips import LPIPS

            self.lpips = LPIPS(lpips_network, name="lpips")
        self.mse_tracker = keras.metrics.Mean(name="mse")
        self.low_resolution_tracker = keras.metrics.Mean(name="low_resolution_mse")
        self.lpips_tracker = keras.metrics.Mean(name="lpips")
        self.attention_pose_tracker = keras.metrics.Mean(name="attention_pose")
        self.build()

    # --- construction -----------------------------------------------------------------------

    def build(self, input_shape=None):
        if self.built:
            return
        size = self.image_size
        self.encoder.build((None, size, size, self.channels))
        self.slot_attention.build((None, size * size, self.encoder_filters))
        if self.num_objects:
            self.slot_to_object.build((None, self.num_objects, self.slot_size))
            self.object_nerf.build()
        self.slot_to_background.build((None, self.slot_size))
        self.background_nerf.build()
        self.upscaler.build(
            (None, self.feature_resolution, self.feature_resolution, self.feature_size)
        )
        self.built = True

    @property
    def metrics(self):
        trackers = [self.mse_tracker]
        if self.low_resolution_rgb_weight > 0:
            trackers.append(self.low_resolution_tracker)
        if self.lpips is not None:
            trackers.append(self.lpips_tracker)
        if self.uses_attention_pose_loss:
            trackers.append(self.attention_pose_tracker)
        return [*super().metrics[:1], *trackers]

    @property
    def uses_attention_pose_loss(self):
        return self.attention_pose_weight > 0 and self.num_objects > 0

    @property
    def upscale_factor(self):
        return self.image_size // self.feature_resolution

    # --- input adapter ----------------------------------------------------------------------

    def images_from_inputs(self, inputs):
        """TFDS dict (`image_key` or `"image"`) or an image batch -> float `[B, H, W, C]` in
        [0, 1]."""
        name = type(self).__name__
        if isinstance(inputs, dict):
            key = next((k for k in (self.image_key, "image") if k in inputs), None)
            if key is None:
                raise ValueError(
                    f"{name}: expected the images under '{self.image_key}' or 'image'; received "
                    f"keys {sorted(inputs)}."
                )
            inputs = inputs[key]
        self.check_image_shape(tuple(inputs.shape), "images")
        if keras.backend.standardize_dtype(inputs.dtype) == "uint8":
            return ops.cast(inputs, "float32") / 255.0
        return ops.cast(inputs, "float32")

    def check_image_shape(self, shape, name):
        size, channels = self.image_size, self.channels
        if len(shape) != 4 or tuple(shape[1:]) != (size, size, channels):
            raise ValueError(
                f"{type(self).__name__}: expected {name} shaped [batch, {size}, {size}, "
                f"{channels}], received {shape}. Resize the images (the neural upscaler maps "
                f"{self.feature_resolution}px features to {size}px) or build the model with a "
                f"matching image_size."
            )

    # --- inference ----------------------------------------------------------------------------

    def slot_noise(self, batch_size, seed=None):
        shape = (batch_size, self.num_objects + 1, self.slot_size)
        return keras.random.normal(shape, seed=self.seed_generator if seed is None else seed)

    def default_camera(self, batch_size=1):
        """The model's camera `[batch_size, 4, 4]` (camera-to-world) as a tensor."""
        matrix = scene_geometry.orbit_camera(
            self.camera_distance, self.camera_elevation, self.camera_azimuth
        )
        return ops.zeros((batch_size, 1, 1)) + ops.convert_to_tensor(matrix)

    def camera(self, azimuth=None, elevation=None, distance=None):
        """A camera-to-world matrix `[4, 4]` (numpy) around the model's default camera: the
        default azimuth / elevation (degrees) / distance, each replaceable."""
        return scene_geometry.orbit_camera(
            self.camera_distance if distance is None else distance,
            self.camera_elevation if elevation is None else elevation,
            self.camera_azimuth if azimuth is None else azimuth,
        )

    def encode_scene(self, images, slot_noise=None):
        """Images `[B, H, W, C]` in [0, 1] -> (scene dict of tensors, slot attention
        `[B, K + 1, H, W]`, background first)."""
        features = self.encoder(images)
        slots, attention = self.slot_attention(features, slot_noise=slot_noise)
        batch_size = ops.shape(images)[0]
        if self.scene_dependent_background:
            background = self.slot_to_background(slots[:, 0])
        else:
            codes = ops.zeros((batch_size, self.background_code_size))
            background = {"shape": codes, "appearance": codes}
        scene = {
            "background_shape": background["shape"],
            "background_appearance": background["appearance"],
            "camera": self.default_camera(batch_size),
        }
        if self.num_objects:
            objects = self.slot_to_object(slots[:, 1:])
            scene.update(
                object_pose=objects["pose"],
                object_shape=objects["shape"],
                object_appearance=objects["appearance"],
                object_presence=ops.ones((batch_size, self.num_objects)),
            )
        else:
            scene.update(
                object_pose=ops.zeros((batch_size, 0, 7)),
                object_shape=ops.zeros((batch_size, 0, self.code_size)),
                object_appearance=ops.zeros((batch_size, 0, self.code_size)),
                object_presence=ops.zeros((batch_size, 0)),
            )
        size = self.image_size
        attention = ops.reshape(attention, (batch_size, self.num_objects + 1, size, size))
        return scene, attention

    # --- rendering ----------------------------------------------------------------------------

    def render_rays(
        self, scene, directions, jitter=None, with_features=False, with_background=True
    ):
        """Renders rays of the scene's camera.

        Args:
            scene: dict of tensors (see `SCENE_KEYS`).
            directions: camera-space unit directions `[R, 3]` or `[B, R, 3]`.
            jitter: optional uniform `[B, R, S]` offsets of the stratified samples.
            with_features: also render the `feature_size`-channel features.
            with_background: compose the background NeRF (else objects alone, on black).

        Returns:
            A dict with `"rgb"` `[B, R, 3]`, `"object_weights"` `[B, K, R]` (each object's share
            of the pixel: its soft mask), `"background_weight"` `[B, R]`, `"depth"` `[B, R]`
            and, with `with_features`, `"features"` `[B, R, feature_size]`.
        """
        camera = scene["camera"]
        batch_size = ops.shape(camera)[0]
        origins, world_directions = scene_geometry.camera_rays(camera, directions)
        num_rays, num_samples = world_directions.shape[1], self.num_samples
        depths = stratified_depths(batch_size, num_rays, num_samples, self.near, self.far, jitter)
        points = origins[:, :, None] + world_directions[:, :, None] * depths[..., None]
        pose = scene["object_pose"]
        # Parts of the scene: (NeRF, densities [B, k, R, S], colour features, rgb).
        parts = []
        if pose.shape[1] != 0:  # None (any count) inside an exported signature
            num_objects = ops.shape(pose)[1]
            flat_points = ops.reshape(points, (batch_size, num_rays * num_samples, 3))
            object_points = scene_geometry.scene_to_object(flat_points, pose, self.rotation_axis)
            object_points = ops.reshape(
                object_points, (batch_size, num_objects, num_rays, num_samples, 3)
            )
            object_directions = scene_geometry.directions_to_object(
                world_directions, pose, self.rotation_axis
            )[:, :, :, None]
            density, object_hidden, rgb = self.object_nerf(
                object_points,
                object_directions,
                scene["object_shape"][:, :, None, None],
                scene["object_appearance"][:, :, None, None],
            )
            if self.object_box_sharpness > 0:
                density = density * soft_box_mask(object_points, self.object_box_sharpness)
            density = density * scene["object_presence"][:, :, None, None]
            parts.append((self.object_nerf, density, object_hidden, rgb))
        if with_background:
            density, background_hidden, rgb = self.background_nerf(
                points / self.scene_extent,
                world_directions[:, :, None],
                scene["background_shape"][:, None, None],
                scene["background_appearance"][:, None, None],
            )
            parts.append(
                (self.background_nerf, density[:, None], background_hidden[:, None], rgb[:, None])
            )
        total = sum(ops.sum(part[1], axis=1) for part in parts)
        # Eq. 10.4 then alpha compositing: part k's share of sample s is sigma_k / sigma.
        share = sample_weights(total, depths, closed=with_background) / (
            total + keras.config.epsilon()
        )
        rgb, features = 0.0, 0.0
        outputs = {"depth": ops.sum(share * total * depths, axis=-1)}
        outputs["object_weights"] = ops.zeros((batch_size, 0, num_rays))
        outputs["background_weight"] = ops.zeros((batch_size, num_rays))
        for nerf, density, part_hidden, part_rgb in parts:
            weights = density * share[:, None]  # [B, k, R, S]
            rgb = rgb + ops.einsum("bkrs,bkrsc->brc", weights, part_rgb)
            if with_features:
                rendered = ops.einsum("bkrs,bkrsu->bru", weights, part_hidden)
                features = features + nerf.features_from_hidden(
                    rendered, ops.sum(weights, axis=(1, 3))
                )
            if nerf is self.background_nerf:
                outputs["background_weight"] = ops.sum(weights[:, 0], axis=-1)
            else:
                outputs["object_weights"] = ops.sum(weights, axis=-1)
        outputs["rgb"] = rgb
        if with_features:
            outputs["features"] = features
        return outputs

    def pixel_directions(self, resolution):
        return ops.convert_to_tensor(
            scene_geometry.pixel_directions(resolution, self.field_of_view)
        )

    def ray_jitter(self, batch_size, num_rays):
        return keras.random.uniform(
            (batch_size, num_rays, self.num_samples), seed=self.seed_generator
        )

    def render_features(self, scene, jitter=None):
        """The upscaler stage: features and RGB rendered at `feature_resolution`."""
        resolution = self.feature_resolution
        outputs = self.render_rays(
            scene, self.pixel_directions(resolution), jitter=jitter, with_features=True
        )
        batch_size = ops.shape(outputs["rgb"])[0]
        shape = (batch_size, resolution, resolution)
        feature_image = ops.reshape(outputs["features"], (*shape, self.feature_size))
        return {
            "image": self.upscaler(feature_image),
            "low_resolution_rgb": ops.reshape(outputs["rgb"], (*shape, 3)),
            "object_weights": ops.reshape(
                outputs["object_weights"], (batch_size, -1, resolution, resolution)
            ),
            "background_weight": ops.reshape(outputs["background_weight"], shape),
            "depth": ops.reshape(outputs["depth"], shape),
        }

    # --- training -----------------------------------------------------------------------------

    def call(self, inputs, training=False):
        images = self.images_from_inputs(inputs)
        batch_size = ops.shape(images)[0]
        scene, attention = self.encode_scene(images)
        outputs = {"target": images, "attention": attention}
        if self.uses_attention_pose_loss:
            outputs.update(object_pose=scene["object_pose"], camera=scene["camera"])
        if self.render_stage == "upscaler":
            num_rays = self.feature_resolution**2
            jitter = self.ray_jitter(batch_size, num_rays) if training else None
            rendered = self.render_features(scene, jitter)
            outputs.update(
                image=rendered["image"],
                low_resolution_rgb=rendered["low_resolution_rgb"],
                low_resolution_target=self.downsample(images),
            )
            return outputs
        size = self.image_size
        directions = self.pixel_directions(size)
        flat_target = ops.reshape(images, (batch_size, size * size, self.channels))
        count = self.full_resolution_training_rays
        if training and count is not None and count < size * size:
            order = ops.argsort(
                keras.random.uniform((batch_size, size * size), seed=self.seed_generator), axis=1
            )[:, :count]
            directions = ops.take(directions, order, axis=0)  # [B, n, 3]
            rays = self.render_rays(scene, directions, jitter=self.ray_jitter(batch_size, count))
            target = ops.take_along_axis(flat_target, order[..., None], axis=1)
            outputs.update(ray_rgb=rays["rgb"], ray_target=target)
            return outputs
        jitter = self.ray_jitter(batch_size, size * size) if training else None
        rays = self.render_rays(scene, directions, jitter=jitter)
        outputs["image"] = ops.reshape(rays["rgb"], (batch_size, size, size, self.channels))
        return outputs

    def downsample(self, images):
        """Area-average images to `feature_resolution` (the low-resolution RGB target)."""
        factor, resolution = self.upscale_factor, self.feature_resolution
        blocks = ops.reshape(images, (-1, resolution, factor, resolution, factor, self.channels))
        return ops.mean(blocks, axis=(2, 4))

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if "ray_rgb" in y_pred:
            mse = ops.mean(ops.square(y_pred["ray_rgb"] - y_pred["ray_target"]), axis=(1, 2))
        else:
            mse = ops.mean(ops.square(y_pred["image"] - y_pred["target"]), axis=(1, 2, 3))
        self.mse_tracker.update_state(mse)
        loss = ops.mean(mse)
        if "low_resolution_rgb" in y_pred and self.low_resolution_rgb_weight > 0:
            low = ops.mean(
                ops.square(y_pred["low_resolution_rgb"] - y_pred["low_resolution_target"]),
                axis=(1, 2, 3),
            )
            self.low_resolution_tracker.update_state(low)
            loss = loss + self.low_resolution_rgb_weight * ops.mean(low)
        if self.lpips is not None and "image" in y_pred:
            distance = self.lpips((y_pred["image"] * 2.0 - 1.0, y_pred["target"] * 2.0 - 1.0))
            self.lpips_tracker.update_state(distance)
            loss = loss + self.lpips_weight * ops.mean(distance)
        if self.uses_attention_pose_loss:
            distance = attention_pose_loss(
                y_pred["object_pose"], y_pred["attention"], y_pred["camera"], self.field_of_view
            )
            self.attention_pose_tracker.update_state(distance)
            loss = loss + self.attention_pose_weight * ops.mean(distance)
        return scale_loss_for_replicas(loss)

    # --- scene API (numpy in, numpy out) ------------------------------------------------------

    def infer_scene(self, images, seed=0, return_attention=False):
        """Infers the structured scenes of images (10.2.2).

        Args:
            images: `[B, H, W, C]` uint8 or floats in [0, 1] (or a dict with them under
                `image_key`).
            seed: seed of the slot initialization, one draw for every image (same seed and
                image, same scene, whatever the rest of the batch).
            return_attention: also return slot attention masks `[B, K + 1, H, W]`
                (background first).

        Returns:
            A dict of float32 numpy arrays: `"object_pose"` `[B, K, 7]` (translation xyz,
            half extents xyz, rotation), `"object_shape"` / `"object_appearance"`
            `[B, K, code_size]`, `"object_presence"` `[B, K]` (1: rendered), `"background_shape"`
            / `"background_appearance"` `[B, background_code_size]`, `"camera"` `[B, 4, 4]`; and
            the attention (with `return_attention`).
        """
        images = self.images_from_inputs(self._as_tensor_inputs(images))
        # One draw shared by the batch: an image's scene does not depend on its batchmates.
        noise = self.slot_noise(1, seed=keras.random.SeedGenerator(seed))
        noise = ops.repeat(noise, ops.shape(images)[0], axis=0)
        scene, attention = self.encode_scene(images, slot_noise=noise)
        scene = {key: ops.convert_to_numpy(value).astype("float32") for key, value in scene.items()}
        if return_attention:
            return scene, ops.convert_to_numpy(attention)
        return scene

    def _as_tensor_inputs(self, images):
        if isinstance(images, dict):
            return {k: ops.convert_to_tensor(np.asarray(v)) for k, v in images.items()}
        array = np.asarray(images)
        if array.dtype != np.uint8:
            array = array.astype("float32")
        return ops.convert_to_tensor(array)

    def check_scene(self, scene, name="scene"):
        """Validates a scene dict; returns it as float32 tensors."""
        model = type(self).__name__
        if not isinstance(scene, dict):
            raise ValueError(
                f"{model}: expected {name} to be a dict with keys {list(SCENE_KEYS)} (the output "
                f"of infer_scene), received {type(scene).__name__}."
            )
        missing = [key for key in SCENE_KEYS if key not in scene]
        if missing:
            raise ValueError(
                f"{model}: {name} is missing keys {missing}; expected {list(SCENE_KEYS)} (the "
                "output of infer_scene)."
            )
        arrays = {key: np.asarray(scene[key], dtype="float32") for key in SCENE_KEYS}
        batch = arrays["camera"].shape[0] if arrays["camera"].ndim == 3 else None
        num_objects = arrays["object_pose"].shape[1] if arrays["object_pose"].ndim == 3 else None
        expected = {
            "object_pose": (batch, num_objects, 7),
            "object_shape": (batch, num_objects, self.code_size),
            "object_appearance": (batch, num_objects, self.code_size),
            "object_presence": (batch, num_objects),
            "background_shape": (batch, self.background_code_size),
            "background_appearance": (batch, self.background_code_size),
            "camera": (batch, 4, 4),
        }
        for key, shape in expected.items():
            if arrays[key].shape != shape or None in shape:
                raise ValueError(
                    f"{model}: expected {name}['{key}'] shaped {list(shape)} ([batch, objects, "
                    f"...] as infer_scene returns), received {list(arrays[key].shape)}."
                )
        return {key: ops.convert_to_tensor(value) for key, value in arrays.items()}

    def render_scene(self, scene, camera=None, stage=None, ray_chunk_size=4096):
        """Renders scenes (e.g. edited ones) from their camera or another one.

        Args:
            scene: a scene dict (`infer_scene`'s output, possibly edited).
            camera: optional camera-to-world `[4, 4]` or `[B, 4, 4]` (e.g. `model.camera(
                azimuth=15)`); default: the scene's camera.
            stage: `"upscaler"` or `"full"`; default: the model's `render_stage`.
            ray_chunk_size: rays rendered per call at full resolution (memory bound).

        Returns:
            A dict of float32 numpy arrays: `"image"` `[B, H, W, C]` (clipped to [0, 1]),
            `"object_masks"` `[B, K, H, W]` (each object's share of every pixel), and
            `"background_mask"` `[B, H, W]`.
        """
        scene = self.check_scene(scene)
        if camera is not None:
            scene["camera"] = self._camera_batch(camera, scene["camera"].shape[0])
        rendered = self.render_image(scene, stage, ray_chunk_size)
        rendered["image"] = ops.clip(rendered["image"], 0.0, 1.0)
        return {k: ops.convert_to_numpy(v).astype("float32") for k, v in rendered.items()}

    def render_image(self, scene, stage=None, ray_chunk_size=4096):
        """Tensor-level rendering behind `render_scene` and the exported `render_scene`.

        Args:
            scene: dict of tensors (`SCENE_KEYS`).
            stage: `"upscaler"` or `"full"` (default: `render_stage`).
            ray_chunk_size: rays per NeRF evaluation at full resolution (bounds the memory).

        Returns:
            A dict of tensors: `"image"` `[B, H, W, C]` (not clipped), `"object_masks"`
            `[B, K, H, W]`, `"background_mask"` `[B, H, W]`.
        """
        stage = self.render_stage if stage is None else stage
        if stage not in RENDER_STAGES:
            raise ValueError(f"expected stage in {RENDER_STAGES}, received {stage!r}.")
        size = self.image_size
        batch = ops.shape(scene["camera"])[0]
        if stage == "upscaler":
            rendered = self.render_features(scene)
            factor = self.upscale_factor

            def upsample(masks):
                return ops.repeat(ops.repeat(masks, factor, axis=-2), factor, axis=-1)

            return {
                "image": rendered["image"],
                "object_masks": upsample(rendered["object_weights"]),
                "background_mask": upsample(rendered["background_weight"]),
            }
        rays = self._render_rays_chunked(scene, size, ray_chunk_size, with_background=True)
        num_objects = ops.shape(scene["object_pose"])[1]
        return {
            "image": ops.reshape(rays["rgb"], (batch, size, size, self.channels)),
            "object_masks": ops.reshape(rays["object_weights"], (batch, num_objects, size, size)),
            "background_mask": ops.reshape(rays["background_weight"], (batch, size, size)),
        }

    def render_objects(self, scene, camera=None, ray_chunk_size=4096):
        """Every object rendered alone on black by the NeRFs' RGB (10.F).

        Returns:
            float32 numpy `[B, K, H, W, C]`.
        """
        scene = self.check_scene(scene)
        if camera is not None:
            scene["camera"] = self._camera_batch(camera, scene["camera"].shape[0])
        batch, num_objects = scene["object_presence"].shape
        size = self.image_size
        # One scene per (example, object) whose presence keeps that object only.
        alone = {key: ops.repeat(value, num_objects, axis=0) for key, value in scene.items()}
        keep = ops.tile(ops.eye(num_objects), (batch, 1))
        alone["object_presence"] = alone["object_presence"] * keep
        rays = self._render_rays_chunked(alone, size, ray_chunk_size, with_background=False)
        rgb = ops.convert_to_numpy(rays["rgb"])
        return rgb.reshape(batch, num_objects, size, size, self.channels).astype("float32")

    def _camera_batch(self, camera, batch):
        camera = np.asarray(camera, dtype="float32")
        if camera.shape == (4, 4):
            camera = np.broadcast_to(camera, (batch, 4, 4))
        if camera.shape != (batch, 4, 4):
            raise ValueError(
                f"{type(self).__name__}: expected camera shaped [4, 4] or [{batch}, 4, 4] "
                f"(camera-to-world), received {list(camera.shape)}."
            )
        return ops.convert_to_tensor(np.ascontiguousarray(camera))

    def _render_rays_chunked(self, scene, resolution, chunk_size, with_background):
        directions = scene_geometry.pixel_directions(resolution, self.field_of_view)
        parts = []
        for start in range(0, len(directions), int(chunk_size)):
            chunk = ops.convert_to_tensor(directions[start : start + int(chunk_size)])
            parts.append(self.render_rays(scene, chunk, with_background=with_background))
        return {
            key: ops.concatenate([p[key] for p in parts], axis=1 if key == "rgb" else -1)
            for key in parts[0]
        }

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "image_size": self.image_size,
                "channels": self.channels,
                "num_objects": self.num_objects,
                "encoder_filters": self.encoder_filters,
                "encoder_layers": self.encoder_layers,
                "encoder_kernel_size": self.encoder_kernel_size,
                "slot_size": self.slot_size,
                "slot_mlp_hidden_size": self.slot_mlp_hidden_size,
                "slot_iterations": self.slot_iterations,
                "code_size": self.code_size,
                "code_hidden_size": self.code_hidden_size,
                "pose_hidden_size": self.pose_hidden_size,
                "background_code_size": self.background_code_size,
                "object_nerf_layers": self.object_nerf_layers,
                "object_nerf_units": self.object_nerf_units,
                "object_nerf_skip_layer": self.object_nerf_skip_layer,
                "background_nerf_layers": self.background_nerf_layers,
                "background_nerf_units": self.background_nerf_units,
                "feature_size": self.feature_size,
                "feature_resolution": self.feature_resolution,
                "upscaler_filters": self.upscaler_filters,
                "num_position_frequencies": self.num_position_frequencies,
                "num_direction_frequencies": self.num_direction_frequencies,
                "density_activation": self.density_activation,
                "num_samples": self.num_samples,
                "near": self.near,
                "far": self.far,
                "scene_extent": self.scene_extent,
                "translation_range": self.translation_range,
                "translation_center": self.translation_center,
                "min_object_scale": self.min_object_scale,
                "max_object_scale": self.max_object_scale,
                "model_rotation": self.model_rotation,
                "rotation_axis": self.rotation_axis,
                "object_box_sharpness": self.object_box_sharpness,
                "camera_distance": self.camera_distance,
                "camera_elevation": self.camera_elevation,
                "camera_azimuth": self.camera_azimuth,
                "field_of_view": self.field_of_view,
                "render_stage": self.render_stage,
                "full_resolution_training_rays": self.full_resolution_training_rays,
                "low_resolution_rgb_weight": self.low_resolution_rgb_weight,
                "lpips_weight": self.lpips_weight,
                "lpips_network": self.lpips_network,
                "scene_dependent_background": self.scene_dependent_background,
                "attention_pose_weight": self.attention_pose_weight,
                "image_key": self.image_key,
                "seed": self.seed,
            }
        )
        return config


@dynscene_export
class NeRFAutoEncoder(INFERNO):
    """NeRF-AE, the baseline of thesis table 10.1: one NeRF for the whole scene.

    The same encoder and slot attention bind the image to a single slot, mapped to one shape
    and one appearance code of a NeRF that models the entire scene in scene coordinates (no
    objects, no poses). Its NeRF is sized like INFERNO's object NeRF (8 x 64, skip at layer
    4) so the comparison is about the object-centric structure, not capacity. Same rendering
    stages and losses as `INFERNO`; `num_objects` is 0.

    Args:
        background_nerf_layers, background_nerf_units: the scene NeRF (8, 64).
        **kwargs: `INFERNO` arguments.

    Example:
    ```python
    baseline = NeRFAutoEncoder.from_preset("nerf_autoencoder_cpu")
    ```

    Reference:
        Thesis 10.4.2, table 10.1.
    """

    architecture_presets = NERF_AUTOENCODER_PRESETS
    min_objects = 0

    def __init__(self, num_objects=0, background_nerf_layers=8, background_nerf_units=64, **kwargs):
        if num_objects != 0:
            raise ValueError(
                f"NeRFAutoEncoder: the baseline has no object slots; expected num_objects=0, "
                f"received {num_objects!r}. Use INFERNO for object slots."
            )
        super().__init__(
            num_objects=0,
            background_nerf_layers=background_nerf_layers,
            background_nerf_units=background_nerf_units,
            **kwargs,
        )
