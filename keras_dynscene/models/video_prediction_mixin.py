import keras
import numpy as np

from keras_dynscene.data.video_validation import check_video_shape
from keras_dynscene.data.video_validation import to_float_video


class VideoPredictionMixin:
    """Sampling API shared by the video-prediction models (Hierarchical VRNN, SVG-LP).

    A model using it defines `context_frames`, `future_frames`, `image_size`, `channels`,
    `noise_shapes(batch, steps)` and `generate(context, noise)`. Sampling goes through Keras'
    own compiled `predict` loop (tf.function, jax.jit or torch as the backend has it, with a
    progress bar): `predict` on a dict with `context` and `noise_<level>` arrays generates
    futures; any other input runs the model's forward pass as usual.
    """

    def predict_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        if isinstance(x, dict) and "context" in x:
            noise = [x[f"noise_{level}"] for level in range(len(self.noise_shapes(1, 1)))]
            return self.generate(x["context"], noise)
        return self(x, training=False)

    def prepare_context(self, context) -> np.ndarray:
        """Validates a context batch and returns its last `context_frames` frames as float32."""
        context = to_float_video(context, name="context")
        check_video_shape(
            context.shape,
            name="context",
            image_size=self.image_size,
            channels=self.channels,
            min_frames=self.context_frames,
            fix=f"The model conditions on context_frames={self.context_frames} frames.",
        )
        return context[:, -self.context_frames :]

    def sample_noise(self, batch_size: int, horizon: int, seed=None) -> list:
        """Standard-normal noise for `generate`, drawn from a generator seeded with `seed`."""
        generator = keras.random.SeedGenerator(seed)
        return [
            keras.ops.convert_to_numpy(keras.random.normal(shape, seed=generator))
            for shape in self.noise_shapes(batch_size, horizon)
        ]

    def predict_future(
        self,
        context,
        horizon: int | None = None,
        num_samples: int = 1,
        seed: int | None = None,
        batch_size: int = 32,
        verbose="auto",
    ) -> np.ndarray:
        """Samples `num_samples` futures of `horizon` frames for every context clip.

        The samples are vectorized into the batch (each context repeated `num_samples` times)
        and run through the compiled predict loop in chunks of `batch_size`.

        Args:
            context: [B, >= context_frames, H, W, C] uint8 in [0, 255] or float in [0, 1]; the
                last `context_frames` frames condition the prediction.
            horizon: frames to predict (default `future_frames`); any length works.
            num_samples: futures per context clip.
            seed: same seed, same samples (per backend).
            batch_size: sequences per compiled call.
            verbose: Keras progress-bar verbosity.

        Returns:
            float32 numpy array [B, num_samples, horizon, H, W, C] in [0, 1].
        """
        horizon = self.future_frames if horizon is None else int(horizon)
        if horizon < 1 or num_samples < 1:
            raise ValueError(
                f"`horizon` and `num_samples` must be >= 1; received horizon={horizon}, "
                f"num_samples={num_samples}."
            )
        context = self.prepare_context(context)
        batch = context.shape[0]
        repeated = np.repeat(context, num_samples, axis=0)
        noise = self.sample_noise(batch * num_samples, horizon, seed)
        inputs = {"context": repeated}
        inputs.update({f"noise_{level}": values for level, values in enumerate(noise)})
        frames = self.predict(inputs, batch_size=batch_size, verbose=verbose)
        return np.asarray(frames).reshape(batch, num_samples, horizon, *frames.shape[2:])
