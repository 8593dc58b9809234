import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.distribute.replica_context import cross_replica_mean
from keras_dynscene.distribute.replica_context import num_replicas_in_sync


@dynscene_export
class ConditionalBatchNormalization(keras.layers.Layer):
    """Batch normalization of videos with per-frame statistics and a conditional gain and bias.

    Features `[batch, frames, height, width, channels]` are normalized with the mean and
    variance of each frame index over the batch and the spatial axes (thesis 6.A: "features are
    normalized with a per-frame mean and standard deviation"); the moving statistics are kept per
    frame index, `[max_frames, channels]`. The gain `1 + W_g c` and bias `W_b c` are learned linear
    maps of the condition `c` (the noise, concatenated with the class
    embedding when there is one), as in BigGAN / DVD-GAN.

    Under a `tf.distribute` strategy with several replicas the batch statistics are
    synchronized: every replica normalizes with the moments of the global batch.

    At inference the moving statistics of the first `frames` indices are used. To unroll a
    generator past the frames it was trained on, refresh them with
    `CascadedVideoGAN.recompute_batch_norm_statistics` (the thesis' dummy forward passes): while
    `cumulative_passes` is a positive int, training calls average the batch statistics over
    passes instead of using `momentum`.

    Args:
        max_frames: frame indices with moving statistics; longer inputs are refused.
        momentum: moving-average momentum of the statistics.
        epsilon: variance epsilon.
        **kwargs: base layer arguments.

    Example:
    ```python
    norm = ConditionalBatchNormalization(max_frames=16)
    video = keras.random.normal((2, 8, 4, 4, 32))
    condition = keras.random.normal((2, 20))
    y = norm([video, condition], training=True)  # (2, 8, 4, 4, 32)
    ```

    Reference:
        Clark et al., "Adversarial Video Generation on Complex Datasets" (DVD-GAN), 2019;
        thesis (Castrejon 2022) section 6.A.
    """

    def __init__(self, max_frames=64, momentum=0.99, epsilon=1e-4, **kwargs):
        super().__init__(**kwargs)
        self.max_frames = max_frames
        self.momentum = momentum
        self.epsilon = epsilon
        self.cumulative_passes = 0

    def build(self, input_shape):
        video_shape, condition_shape = input_shape
        channels = video_shape[-1]
        # Zero-initialized (gain 1, bias 0 at the start); plain Dense: a spectral norm of a zero
        # kernel is undefined.
        self.gain = keras.layers.Dense(channels, kernel_initializer="zeros", name="gain")
        self.gain.build(condition_shape)
        self.bias = keras.layers.Dense(channels, kernel_initializer="zeros", name="bias")
        self.bias.build(condition_shape)
        self.moving_mean = self.add_weight(
            shape=(self.max_frames, channels),
            initializer="zeros",
            trainable=False,
            name="moving_mean",
        )
        self.moving_variance = self.add_weight(
            shape=(self.max_frames, channels),
            initializer="ones",
            trainable=False,
            name="moving_variance",
        )

    def call(self, inputs, training=None):
        video, condition = inputs
        frames = video.shape[1]
        if frames > self.max_frames:
            raise ValueError(
                f"ConditionalBatchNormalization keeps statistics for {self.max_frames} frames; "
                f"received a video with {frames}. Build the model with a larger "
                "`max_frames`, or unroll in windows (`CascadedVideoGAN.generate` does)."
            )
        if training:
            mean, variance = self._batch_moments(video)
            momentum = (
                1.0 - 1.0 / self.cumulative_passes if self.cumulative_passes else self.momentum
            )
            self._update_statistic(self.moving_mean, mean, momentum, frames)
            self._update_statistic(self.moving_variance, variance, momentum, frames)
        else:
            mean = self.moving_mean[:frames]
            variance = self.moving_variance[:frames]
        mean = mean[None, :, None, None, :]
        variance = variance[None, :, None, None, :]
        normalized = (video - mean) * ops.rsqrt(variance + self.epsilon)
        gain = 1.0 + self.gain(condition)
        bias = self.bias(condition)
        return normalized * gain[:, None, None, None, :] + bias[:, None, None, None, :]

    def _batch_moments(self, video):
        if num_replicas_in_sync() == 1:
            return ops.mean(video, axis=(0, 2, 3)), ops.var(video, axis=(0, 2, 3))
        # Synchronized (cross-replica) statistics, as BigGAN / DVD-GAN train: each replica
        # normalizes with the global batch's moments, so N replicas match one device.
        mean, mean_square = cross_replica_mean(
            [ops.mean(video, axis=(0, 2, 3)), ops.mean(ops.square(video), axis=(0, 2, 3))]
        )
        return mean, ops.maximum(mean_square - ops.square(mean), 0.0)

    def _update_statistic(self, variable, batch_value, momentum, frames):
        batch_value = ops.stop_gradient(batch_value)
        updated = variable[:frames] * momentum + batch_value * (1.0 - momentum)
        if frames < self.max_frames:
            updated = ops.concatenate([updated, variable[frames:]], axis=0)
        variable.assign(updated)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        config = super().get_config()
        config.update(
            {"max_frames": self.max_frames, "momentum": self.momentum, "epsilon": self.epsilon}
        )
        return config
