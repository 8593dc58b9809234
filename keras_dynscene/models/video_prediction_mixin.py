import keras
import numpy as np

from keras_dynscene.data.video_validation import check_video_shape
from keras_dynscene.data.video_validation import to_float_video


class VideoPredictionMixin:
    """Sampling API shared by the video-prediction models (Hierarchical VRNN, SVG-LP).

    A model using it defines `context_frames`, `future_frames`, `image_size`, `channels`,
    `video_key`, `noise_shapes(batch, steps)` and `generate(context, noise)`, and its `call`
    starts with `if self.is_generation_request(inputs): return self.generate_from_request(inputs)`.
    Sampling then goes through Keras' own compiled `predict` loop (tf.function, jax.jit or torch
    as the backend has it, with a progress bar): `predict` on a dict with `context` and
    `noise_<level>` arrays generates futures; any other input runs the forward pass as usual.
    """

    def is_generation_request(self, inputs) -> bool:
        """True for the `{"context", "noise_<level>"}` dicts `predict_future` sends to `call`."""
        return isinstance(inputs, dict) and "context" in inputs and "noise_0" in inputs

    def generate_from_request(self, inputs):
        noise = [inputs[f"noise_{level}"] for level in range(len(self.noise_shapes(1, 1)))]
        return self.generate(inputs["context"], noise)

    @property
    def sequence_length(self) -> int:
        return self.context_frames + self.future_frames

    def _video_from_inputs(self, inputs, frames=None):
        """Input adapter: TFDS dict or tensor -> float video [B, frames, H, W, C] in [0, 1]."""
        if isinstance(inputs, dict):
            if self.video_key not in inputs:
                raise ValueError(
                    f"Expected the video under key '{self.video_key}' of the input dict; received "
                    f"keys {sorted(inputs)}. Pass `video_key=` when building the model."
                )
            inputs = inputs[self.video_key]
        frames = frames or self.sequence_length
        check_video_shape(
            inputs.shape,
            name="inputs",
            image_size=self.image_size,
            channels=self.channels,
            min_frames=frames,
            fix=f"The model was built with context_frames={self.context_frames} and "
            f"future_frames={self.future_frames}.",
        )
        if keras.backend.standardize_dtype(inputs.dtype) == "uint8":
            video = keras.ops.cast(inputs, "float32") / 255.0
        else:
            video = keras.ops.cast(inputs, "float32")
        # The reshape makes the time axis static when the input's is unknown (tf.data windows).
        return keras.ops.reshape(
            video[:, :frames], (-1, frames, self.image_size, self.image_size, self.channels)
        )

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
