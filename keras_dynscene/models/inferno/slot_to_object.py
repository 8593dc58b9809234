import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.layers.conditional_layer_normalization import ConditionalLayerNormalization


def xyz_numbers(owner: str, name: str, value) -> tuple:
    """`value` as a tuple of 3 floats `(x, y, z)`, or a ValueError naming `owner.name`."""
    try:
        numbers = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        numbers = None
    if numbers is None or len(numbers) != 3:
        raise ValueError(
            f"{owner}: expected {name} as 3 numbers (x, y, z), received {value!r}. Pass one "
            "value per axis, e.g. (1.0, 1.0, 0.5)."
        )
    return numbers


@dynscene_export
class SlotToObject(keras.layers.Layer):
    """Maps object slots to structured objects: pose, shape code, appearance code (table 10.7).

    The pose MLP (2 layers, hidden size = output size = 7, LayerNorm and ReLU) gives 7 raw
    numbers, mapped to a translation `translation_center + tanh(.) * translation_range` per
    axis, a scale (half extent of the object's canonical box) in `[min_scale, max_scale]` by a
    sigmoid, and a rotation about `rotation_axis` (`pi * tanh(.)`; zero when
    `model_rotation=False`: the thesis does not model rotations in its experiments). A common
    2-layer MLP with pose-conditioned LayerNorm (`ConditionalLayerNormalization`) then maps
    each slot to its shape and appearance codes.

    Args:
        code_size: size of the shape code and of the appearance code (128).
        hidden_size: hidden units of the shape / appearance MLP (128).
        pose_hidden_size: hidden units of the pose MLP (7).
        translation_range: `(x, y, z)` half widths of the box translations lie in.
        translation_center: `(x, y, z)` centre of that box (the origin by default). A box
            over the visible ground (`z >= 0`) keeps objects from leaving the view.
        min_scale, max_scale: bounds of the per-axis half extents.
        model_rotation: predict the rotation (else it is 0).
        **kwargs: base layer arguments.

    Call arguments:
        slots: `[B, K, D]` object slots.

    Returns:
        A dict with `"pose"` `[B, K, 7]`, `"shape"` and `"appearance"` `[B, K, code_size]`.

    Example:
    ```python
    objects = SlotToObject()(keras.random.normal((2, 5, 128)))
    ```

    Reference:
        Thesis 10.2.2 and 10.A (slot to object net, table 10.7).
    """

    def __init__(
        self,
        code_size=128,
        hidden_size=128,
        pose_hidden_size=7,
        translation_range=(2.0, 2.0, 1.0),
        translation_center=(0.0, 0.0, 0.0),
        min_scale=0.1,
        max_scale=0.6,
        model_rotation=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not 0 < min_scale < max_scale:
            raise ValueError(
                f"SlotToObject: expected 0 < min_scale < max_scale, received min_scale="
                f"{min_scale} and max_scale={max_scale}."
            )
        translation_range = xyz_numbers("SlotToObject", "translation_range", translation_range)
        if min(translation_range) <= 0:
            raise ValueError(
                "SlotToObject: expected translation_range as 3 positive numbers (x, y, z), "
                f"received {translation_range!r}."
            )
        translation_center = xyz_numbers("SlotToObject", "translation_center", translation_center)
        self.code_size = code_size
        self.hidden_size = hidden_size
        self.pose_hidden_size = pose_hidden_size
        self.translation_range = translation_range
        self.translation_center = translation_center
        self.min_scale = float(min_scale)
        self.max_scale = float(max_scale)
        self.model_rotation = bool(model_rotation)
        self.pose_hidden = keras.layers.Dense(pose_hidden_size, name="pose_hidden")
        self.pose_norm = keras.layers.LayerNormalization(name="pose_norm")
        self.pose_output = keras.layers.Dense(7, name="pose_output")
        self.code_hidden = keras.layers.Dense(hidden_size, name="code_hidden")
        self.code_norm = ConditionalLayerNormalization(name="code_norm")
        self.code_output = keras.layers.Dense(2 * code_size, name="code_output")

    def build(self, input_shape):
        slot_shape = (None, input_shape[-1])
        self.pose_hidden.build(slot_shape)
        self.pose_norm.build((None, self.pose_hidden_size))
        self.pose_output.build((None, self.pose_hidden_size))
        self.code_hidden.build(slot_shape)
        self.code_norm.build((None, self.hidden_size), (None, 7))
        self.code_output.build((None, self.hidden_size))

    def pose_from_raw(self, raw):
        translation = ops.convert_to_tensor(self.translation_center) + ops.tanh(
            raw[..., :3]
        ) * ops.convert_to_tensor(self.translation_range)
        span = self.max_scale - self.min_scale
        scale = self.min_scale + span * ops.sigmoid(raw[..., 3:6])
        rotation = 3.14159265 * ops.tanh(raw[..., 6:])
        if not self.model_rotation:
            rotation = ops.zeros_like(rotation)
        return ops.concatenate([translation, scale, rotation], axis=-1)

    def call(self, slots):
        pose = self.pose_from_raw(
            self.pose_output(ops.relu(self.pose_norm(self.pose_hidden(slots))))
        )
        hidden = ops.relu(self.code_norm(self.code_hidden(slots), pose))
        codes = self.code_output(hidden)
        return {
            "pose": pose,
            "shape": codes[..., : self.code_size],
            "appearance": codes[..., self.code_size :],
        }

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "code_size": self.code_size,
                "hidden_size": self.hidden_size,
                "pose_hidden_size": self.pose_hidden_size,
                "translation_range": self.translation_range,
                "translation_center": self.translation_center,
                "min_scale": self.min_scale,
                "max_scale": self.max_scale,
                "model_rotation": self.model_rotation,
            }
        )
        return config


@dynscene_export
class SlotToBackground(keras.layers.Layer):
    """Maps the background slot to the background's shape and appearance codes: a 2-layer MLP
    with LayerNorm and ReLU (table 10.7). The background's pose is fixed (the scene cube).

    Args:
        code_size: size of each code (128).
        hidden_size: hidden units (128).
        **kwargs: base layer arguments.

    Call arguments:
        slot: `[B, D]` background slots.

    Returns:
        A dict with `"shape"` and `"appearance"` `[B, code_size]`.

    Example:
    ```python
    background = SlotToBackground()(keras.random.normal((2, 128)))
    ```

    Reference:
        Thesis 10.A (table 10.7).
    """

    def __init__(self, code_size=128, hidden_size=128, **kwargs):
        super().__init__(**kwargs)
        self.code_size = code_size
        self.hidden_size = hidden_size
        self.hidden = keras.layers.Dense(hidden_size, name="hidden")
        self.norm = keras.layers.LayerNormalization(name="norm")
        self.output_layer = keras.layers.Dense(2 * code_size, name="codes")

    def build(self, input_shape):
        self.hidden.build((None, input_shape[-1]))
        self.norm.build((None, self.hidden_size))
        self.output_layer.build((None, self.hidden_size))

    def call(self, slot):
        codes = self.output_layer(ops.relu(self.norm(self.hidden(slot))))
        return {"shape": codes[..., : self.code_size], "appearance": codes[..., self.code_size :]}

    def get_config(self):
        config = super().get_config()
        config.update({"code_size": self.code_size, "hidden_size": self.hidden_size})
        return config
