import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.layers.fourier_encoding import fourier_encoding
from keras_dynscene.layers.fourier_encoding import fourier_encoding_size

DENSITY_ACTIVATIONS = ("softplus", "relu")


@dynscene_export
class ConditionalNeRF(keras.layers.Layer):
    """A neural radiance field conditioned on a shape code and an appearance code (GRAF).

    The density is a function of the encoded position and the shape code only: a ReLU trunk of
    `num_layers` x `units` whose input (encoded position and shape code) is fed again at
    `skip_layer`. The colour branch mixes the trunk's features with the encoded viewing
    direction and the appearance code, and outputs both a `feature_size`-channel feature (what
    INFERNO renders at low resolution for its neural upscaler) and an RGB colour in [0, 1] (what
    it renders at full resolution). Concatenation before a dense layer is computed as a sum of
    projections, so codes are projected once per object and broadcast over its points instead of
    being tiled to every point.

    Args:
        num_layers: trunk depth (8 for INFERNO's object NeRF, 4 for its background; table 10.8).
        units: trunk width (64 for objects, 16 for the background).
        skip_layer: index of the trunk layer that sees the input again (4), or None.
        shape_code_size: size of the shape code.
        appearance_code_size: size of the appearance code.
        feature_size: channels of the feature output (128 in INFERNO).
        num_position_frequencies: octaves of the position encoding.
        num_direction_frequencies: octaves of the viewing direction encoding.
        density_activation: `"softplus"` (smooth, the default here) or `"relu"` (NeRF).
        initial_density_bias: initial bias of the raw density (negative: the field starts
            nearly transparent).
        **kwargs: base layer arguments.

    Call arguments:
        positions: `[..., 3]` points in the field's own coordinates.
        directions: unit viewing directions in the same coordinates, broadcastable to
            `positions` (e.g. `[..., 1, 3]`: one per ray for all its samples).
        shape_code: `[..., shape_code_size]`, broadcastable to the points' leading shape (e.g.
            `[B, K, 1, 1, D]` for `[B, K, rays, samples, 3]` points).
        appearance_code: `[..., appearance_code_size]`, likewise.

    Returns:
        `(density [...], colour_features [..., units], rgb [..., 3])`: render the colour
        features with any weights and map them to `feature_size` channels with
        `features_from_hidden`.

    Example:
    ```python
    nerf = ConditionalNeRF(shape_code_size=128, appearance_code_size=128)
    density, hidden, rgb = nerf(
        keras.random.uniform((2, 4, 100, 3)), keras.random.normal((2, 4, 100, 3)),
        keras.random.normal((2, 4, 1, 128)), keras.random.normal((2, 4, 1, 128)),
    )
    features = nerf.features_from_hidden(ops.sum(hidden, axis=2), ops.full((2, 4), 100.0))
    ```

    Reference:
        Schwarz et al., "GRAF: Generative Radiance Fields for 3D-Aware Image Synthesis", NeurIPS
        2020; Mildenhall et al., "NeRF", ECCV 2020; thesis table 10.8.
    """

    def __init__(
        self,
        num_layers=8,
        units=64,
        skip_layer=4,
        shape_code_size=128,
        appearance_code_size=128,
        feature_size=128,
        num_position_frequencies=10,
        num_direction_frequencies=4,
        density_activation="softplus",
        initial_density_bias=0.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        for name, value in (
            ("num_layers", num_layers),
            ("units", units),
            ("shape_code_size", shape_code_size),
            ("appearance_code_size", appearance_code_size),
            ("feature_size", feature_size),
        ):
            if not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"ConditionalNeRF: expected a positive int {name}, received {value!r}."
                )
        if skip_layer is not None and not 0 < skip_layer < num_layers:
            raise ValueError(
                f"ConditionalNeRF: expected skip_layer in [1, {num_layers - 1}] or None, "
                f"received {skip_layer!r}."
            )
        if density_activation not in DENSITY_ACTIVATIONS:
            raise ValueError(
                f"ConditionalNeRF: expected density_activation in {DENSITY_ACTIVATIONS}, "
                f"received {density_activation!r}."
            )
        self.num_layers = num_layers
        self.units = units
        self.skip_layer = skip_layer
        self.shape_code_size = shape_code_size
        self.appearance_code_size = appearance_code_size
        self.feature_size = feature_size
        self.num_position_frequencies = num_position_frequencies
        self.num_direction_frequencies = num_direction_frequencies
        self.density_activation = density_activation
        self.initial_density_bias = float(initial_density_bias)
        # Layer 0 maps (encoded position, shape code); the skip layer sees them again.
        self.trunk = [keras.layers.Dense(units, name=f"trunk_{i}") for i in range(1, num_layers)]
        self.input_positions = keras.layers.Dense(units, name="input_positions")
        self.input_shape_code = keras.layers.Dense(units, use_bias=False, name="input_shape")
        if skip_layer is not None:
            self.skip_positions = keras.layers.Dense(units, use_bias=False, name="skip_positions")
            self.skip_shape_code = keras.layers.Dense(units, use_bias=False, name="skip_shape")
        self.density_head = keras.layers.Dense(
            1,
            bias_initializer=keras.initializers.Constant(self.initial_density_bias),
            name="density",
        )
        self.colour_trunk = keras.layers.Dense(units, name="colour_trunk")
        self.colour_direction = keras.layers.Dense(units, use_bias=False, name="colour_direction")
        self.colour_appearance = keras.layers.Dense(units, use_bias=False, name="colour_appearance")
        self.feature_head = keras.layers.Dense(feature_size, name="features")
        self.rgb_head = keras.layers.Dense(3, name="rgb")

    def build(self, input_shape=None):
        position_size = fourier_encoding_size(self.num_position_frequencies)
        direction_size = fourier_encoding_size(self.num_direction_frequencies)
        self.input_positions.build((None, position_size))
        self.input_shape_code.build((None, self.shape_code_size))
        for layer in self.trunk:
            layer.build((None, self.units))
        if self.skip_layer is not None:
            self.skip_positions.build((None, position_size))
            self.skip_shape_code.build((None, self.shape_code_size))
        self.density_head.build((None, self.units))
        self.colour_trunk.build((None, self.units))
        self.colour_direction.build((None, direction_size))
        self.colour_appearance.build((None, self.appearance_code_size))
        self.feature_head.build((None, self.units))
        self.rgb_head.build((None, self.units))

    def call(self, positions, directions, shape_code, appearance_code):
        encoded = fourier_encoding(positions, self.num_position_frequencies)
        hidden = ops.relu(self.input_positions(encoded) + self.input_shape_code(shape_code))
        for index, layer in enumerate(self.trunk, start=1):
            hidden = layer(hidden)
            if index == self.skip_layer:
                hidden = hidden + self.skip_positions(encoded) + self.skip_shape_code(shape_code)
            hidden = ops.relu(hidden)
        raw_density = self.density_head(hidden)[..., 0]
        if self.density_activation == "softplus":
            density = ops.softplus(raw_density)
        else:
            density = ops.relu(raw_density)
        colour = ops.relu(
            self.colour_trunk(hidden)
            + self.colour_direction(fourier_encoding(directions, self.num_direction_frequencies))
            + self.colour_appearance(appearance_code)
        )
        return density, colour, ops.sigmoid(self.rgb_head(colour))

    def features_from_hidden(self, hidden, weight):
        """The feature head on rendered colour features: `hidden [..., units]` is a weighted sum
        of the field's colour features (`call`'s second output) and `weight [...]` the sum of
        those weights. The head is affine, so this equals rendering the per-point features
        (`sum_i w_i (W h_i + b) = W sum_i w_i h_i + b sum_i w_i`) without materializing
        `feature_size` channels at every point."""
        kernel, bias = self.feature_head.kernel, self.feature_head.bias
        return ops.matmul(hidden, kernel) + weight[..., None] * bias

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_layers": self.num_layers,
                "units": self.units,
                "skip_layer": self.skip_layer,
                "shape_code_size": self.shape_code_size,
                "appearance_code_size": self.appearance_code_size,
                "feature_size": self.feature_size,
                "num_position_frequencies": self.num_position_frequencies,
                "num_direction_frequencies": self.num_direction_frequencies,
                "density_activation": self.density_activation,
                "initial_density_bias": self.initial_density_bias,
            }
        )
        return config
