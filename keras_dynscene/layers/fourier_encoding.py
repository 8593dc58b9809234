import keras
import numpy as np
from keras import ops

from keras_dynscene.api_export import dynscene_export


def fourier_encoding_size(num_frequencies, input_size=3, include_input=True):
    """Width of `fourier_encoding` of `input_size`-dimensional inputs."""
    return input_size * (2 * num_frequencies + int(include_input))


def fourier_encoding(values, num_frequencies, include_input=True):
    """NeRF positional encoding `gamma(p) = (p, sin(2^l pi p), cos(2^l pi p))_{l < L}`."""
    if num_frequencies == 0:
        return values
    frequencies = ops.convert_to_tensor((2.0 ** np.arange(num_frequencies)) * np.pi, "float32")
    angles = values[..., :, None] * frequencies  # [..., D, L]
    angles = ops.reshape(angles, (*ops.shape(values)[:-1], values.shape[-1] * num_frequencies))
    parts = [ops.sin(angles), ops.cos(angles)]
    if include_input:
        parts.insert(0, values)
    return ops.concatenate(parts, axis=-1)


@dynscene_export
class FourierEncoding(keras.layers.Layer):
    """NeRF's positional encoding: every coordinate mapped to sines and cosines of `2^l pi` times
    itself for `l < num_frequencies` (plus the coordinate itself), so an MLP can fit high
    frequencies of a function of low-dimensional inputs.

    Args:
        num_frequencies: `L`, octaves of the encoding (10 for NeRF positions, 4 for directions).
        include_input: keep the raw coordinates in front of the encoding.
        **kwargs: base layer arguments.

    Example:
    ```python
    FourierEncoding(4)(keras.random.uniform((2, 100, 3)))  # (2, 100, 27)
    ```

    Reference:
        Mildenhall et al., "NeRF: Representing Scenes as Neural Radiance Fields for View
        Synthesis", ECCV 2020 (eq. 4).
    """

    def __init__(self, num_frequencies, include_input=True, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(num_frequencies, int) or num_frequencies < 0:
            raise ValueError(
                "FourierEncoding: expected a non-negative int num_frequencies, received "
                f"{num_frequencies!r}."
            )
        self.num_frequencies = num_frequencies
        self.include_input = include_input

    def call(self, inputs):
        return fourier_encoding(inputs, self.num_frequencies, self.include_input)

    def compute_output_shape(self, input_shape):
        size = fourier_encoding_size(self.num_frequencies, input_shape[-1], self.include_input)
        return (*input_shape[:-1], size)

    def get_config(self):
        config = super().get_config()
        config.update(
            {"num_frequencies": self.num_frequencies, "include_input": self.include_input}
        )
        return config
