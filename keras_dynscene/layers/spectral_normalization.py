import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export

EPSILON = 1e-12


def _normalize(vector):
    return vector / (ops.sqrt(ops.sum(ops.square(vector))) + EPSILON)


def spectral_normalized_kernel(kernel, vector_u):
    """`(kernel / sigma, new_u)`: one power iteration for the first singular value `sigma`.

    The kernel is viewed as a matrix `[prod(kernel.shape[:-1]), out]`; `vector_u` is `[1, out]`.
    Gradients flow through `kernel / sigma` (as in PyTorch's `spectral_norm`), not through the
    power-iteration vectors.
    """
    matrix = ops.reshape(kernel, (-1, kernel.shape[-1]))
    vector_v = _normalize(ops.matmul(vector_u, ops.transpose(matrix)))
    new_u = ops.stop_gradient(_normalize(ops.matmul(vector_v, matrix)))
    vector_v = ops.stop_gradient(vector_v)
    sigma = ops.sum(ops.matmul(vector_v, matrix) * new_u)
    return kernel / ops.maximum(sigma, EPSILON), new_u


class SpectralNormalizedKernel:
    """Mixin for layers with a `kernel`: the forward pass uses `kernel / sigma_1(kernel)`.

    Unlike `keras.layers.SpectralNormalization`, which writes the normalized value back into
    the kernel variable (so gradients skip the normalization), the stored kernel stays the
    free parameter and the division is part of the differentiated graph (Miyato et al. 2018).
    The power-iteration vector `u` is a non-trainable weight updated once per training call.
    """

    def _build_vector_u(self):
        self.vector_u = self.add_weight(
            shape=(1, self.kernel.shape[-1]),
            initializer=keras.initializers.RandomNormal(stddev=1.0, seed=0),
            trainable=False,
            name="vector_u",
        )

    # Keras' conv and dense layers save only kernel and bias; keep `vector_u` too.
    def save_own_variables(self, store):
        keras.layers.Layer.save_own_variables(self, store)

    def load_own_variables(self, store):
        keras.layers.Layer.load_own_variables(self, store)

    def _normalized_kernel(self, training):
        kernel, new_u = spectral_normalized_kernel(self.kernel, self.vector_u)
        if training:
            self.vector_u.assign(new_u)
        return kernel


class _SpectralConv(SpectralNormalizedKernel):
    """Shared body of the spectrally normalized convolutions (channels last)."""

    def __init__(self, filters, kernel_size, kernel_initializer="orthogonal", **kwargs):
        super().__init__(filters, kernel_size, kernel_initializer=kernel_initializer, **kwargs)

    def build(self, input_shape):
        super().build(input_shape)
        self._build_vector_u()

    def call(self, inputs, training=None):
        outputs = self.convolution_op(inputs, self._normalized_kernel(training))
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs)


@dynscene_export
class SpectralConv2D(_SpectralConv, keras.layers.Conv2D):
    """`keras.layers.Conv2D` with a spectrally normalized kernel (first singular value).

    Orthogonal kernel initialization by default (thesis 6.A).

    Args:
        filters: output channels.
        kernel_size: an int or a pair.
        **kwargs: the arguments of `keras.layers.Conv2D`.

    Example:
    ```python
    conv = SpectralConv2D(32, 3, padding="same")
    y = conv(keras.random.normal((2, 8, 8, 16)), training=True)  # (2, 8, 8, 32)
    ```

    Reference:
        Miyato et al., "Spectral Normalization for Generative Adversarial Networks", ICLR 2018.
    """


@dynscene_export
class SpectralConv3D(_SpectralConv, keras.layers.Conv3D):
    """`keras.layers.Conv3D` with a spectrally normalized kernel (first singular value).

    Args:
        filters: output channels.
        kernel_size: an int or a triple `(time, height, width)`.
        **kwargs: the arguments of `keras.layers.Conv3D`.

    Example:
    ```python
    conv = SpectralConv3D(32, (3, 1, 1), padding="same")
    y = conv(keras.random.normal((2, 4, 8, 8, 16)))  # (2, 4, 8, 8, 32)
    ```

    Reference:
        Miyato et al., "Spectral Normalization for Generative Adversarial Networks", ICLR 2018.
    """


@dynscene_export
class SpectralDense(SpectralNormalizedKernel, keras.layers.Dense):
    """`keras.layers.Dense` with a spectrally normalized kernel (first singular value).

    Args:
        units: output size.
        **kwargs: the arguments of `keras.layers.Dense`.

    Example:
    ```python
    dense = SpectralDense(64)
    y = dense(keras.random.normal((2, 16)))  # (2, 64)
    ```

    Reference:
        Miyato et al., "Spectral Normalization for Generative Adversarial Networks", ICLR 2018.
    """

    def __init__(self, units, kernel_initializer="orthogonal", **kwargs):
        super().__init__(units, kernel_initializer=kernel_initializer, **kwargs)

    def build(self, input_shape):
        super().build(input_shape)
        self._build_vector_u()

    def call(self, inputs, training=None):
        outputs = ops.matmul(inputs, self._normalized_kernel(training))
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs)
