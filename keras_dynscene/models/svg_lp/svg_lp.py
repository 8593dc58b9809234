import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.distribute.replica_seed_generator import ReplicaSeedGenerator
from keras_dynscene.distributions.diagonal_gaussian import DiagonalGaussian
from keras_dynscene.losses.reconstruction_losses import LIKELIHOODS
from keras_dynscene.losses.reconstruction_losses import reconstruction_nll
from keras_dynscene.models.elbo_mixin import ELBOMixin
from keras_dynscene.models.preset_mixin import PresetMixin
from keras_dynscene.models.svg_lp.svg_lp_layers import DCGANFrameDecoder
from keras_dynscene.models.svg_lp.svg_lp_layers import DCGANFrameEncoder
from keras_dynscene.models.svg_lp.svg_lp_layers import FramePredictorLSTM
from keras_dynscene.models.svg_lp.svg_lp_layers import GaussianLSTM
from keras_dynscene.models.svg_lp.svg_lp_layers import dcgan_image_size
from keras_dynscene.models.video_prediction_mixin import VideoPredictionMixin


@dynscene_export
class SVGLP(ELBOMixin, VideoPredictionMixin, PresetMixin, keras.Model):
    """Stochastic Video Generation with a Learned Prior (SVG-LP), the baseline of thesis ch. 4.

    Every frame is encoded by a DCGAN encoder into a vector `h_t` (`g_dim`) plus skip features.
    At step t an LSTM posterior q(z_t | x_{<=t}) reads `h_t`, an LSTM learned prior
    p(z_t | x_{<t}) reads `h_{t-1}`, and an LSTM frame predictor maps `[h_{t-1}, z_t]` to the
    next embedding, which the mirrored DCGAN decoder turns into frame t together with the skip
    features of the last context frame (or of the previous frame with `last_frame_skip`).
    Training is teacher forced with posterior samples and minimizes
    `sum_t -log p(x_t | ...) + beta * KL(q(z_t) || p(z_t))`; sampling draws z from the prior
    and feeds each generated frame back through the encoder.

    Calling the model runs the posterior (ELBO) path and returns the future frames' parameters
    (`"frames"`, [B, T, H, W, C] logits or means) and per-step KL (`"kl"`, [B, T]); with
    `train_on_context` (SVG's default) also the reconstructions of context frames 2..D and
    their KL. `fit` and `evaluate` report `nll`, `kl`, `elbo` (the negative ELBO of the T
    future frames in nats per sequence, comparable with `HierarchicalVRNN`) and `kl_weight`.
    Inputs are a video batch [B, T, H, W, C] (uint8 in [0, 255] or float in [0, 1]) or a TFDS
    feature dict holding it under `video_key`; only the first `context_frames + future_frames`
    frames are used.

    Deviations from the paper's code, all documented choices:
    - The likelihood is a Bernoulli or a fixed-scale Gaussian summed over pixels instead of a
      pixel-averaged MSE. SVG's `mse + 1e-4 * kl` equals, up to a constant factor, a Gaussian
      with `likelihood_scale = sqrt(0.5)` and `kl_weight_max = 1e-4 * H * W * C` (the
      `svg_lp_bair` preset); an optional linear KL warmup is available (SVG has none).
    - While reading the context, `generate` uses the posterior mean of z (the paper's code
      samples it), so that the noise of `noise_shapes` covers the predicted steps only.
    - All frames of a clip go through the encoder as one batch, so BatchNorm statistics are
      shared over time steps (SVG encodes step by step); sampling uses BatchNorm's moving
      statistics (SVG's sampling script keeps the encoder and decoder in training mode).
    - The predicted frames take the decoder skips of the last context frame, as the paper
      describes (the paper's code keeps those of the second-to-last one).
    - Only the DCGAN encoder/decoder is implemented (SVG's BAIR model used a VGG one).
    - Weights use Keras' default initializers (SVG draws conv weights from N(0, 0.02)), and
      `LSTMCell` starts with a forget-gate bias of 1.

    Args:
        image_size: frame height and width, `4 * 2**len(encoder_filters)` (64 with the
            paper's four stages; 32 with three, 128 with five).
        channels: frame channels (1 for MNIST, 3 for BAIR).
        context_frames: number of conditioning frames D.
        future_frames: number of frames T predicted during training.
        encoder_filters: DCGAN encoder channels per stride-2 stage, fine to coarse; the
            decoder mirrors them.
        g_dim: size of the frame embedding `h_t` (128 in the paper).
        z_dim: size of the latent z_t (10 for SM-MNIST, 64 for BAIR in the paper).
        rnn_size: units of every LSTM (256 in the paper).
        predictor_layers: LSTM layers of the frame predictor (2 in the paper); the prior and
            posterior have one.
        likelihood: "bernoulli" (binary data such as MNIST; outputs are logits) or "gaussian"
            (fixed scale; outputs are sigmoid means, as SVG's decoder).
        likelihood_scale: standard deviation of the Gaussian likelihood.
        kl_warmup_steps: optimizer steps over which the KL weight grows from 0 to
            `kl_weight_max`; 0 (SVG) uses `kl_weight_max` from the start.
        kl_weight_max: final KL weight beta.
        last_frame_skip: take the decoder's skip features from the previous frame at every
            step instead of from the last context frame.
        train_on_context: also reconstruct context frames 2..D in the loss, as SVG trains.
        video_key: key of the video in TFDS feature dicts.
        seed: seed of the model's `SeedGenerator` (training noise).
        **kwargs: base `keras.Model` arguments.

    Example:
    ```python
    import tensorflow_datasets as tfds
    import keras_dynscene.datasets  # registers the builders
    from keras_dynscene.models import SVGLP

    model = SVGLP.from_preset("svg_lp")  # SM-MNIST: 64x64x1, 5 + 10 frames
    model.compile(optimizer=keras.optimizers.Adam(2e-3))
    model.fit(tfds.load("stochastic_moving_mnist", split="train").batch(16), epochs=1)
    futures = model.predict_future(context, horizon=10, num_samples=100, seed=0)
    ```

    Reference:
        Denton, Fergus, "Stochastic Video Generation with a Learned Prior", ICML 2018;
        thesis "Advances in Generative Models for Dynamic Scenes", section 4.5.2 (2022).
    """

    def __init__(
        self,
        image_size: int = 64,
        channels: int = 1,
        context_frames: int = 5,
        future_frames: int = 10,
        encoder_filters=(64, 128, 256, 512),
        g_dim: int = 128,
        z_dim: int = 10,
        rnn_size: int = 256,
        predictor_layers: int = 2,
        likelihood: str = "bernoulli",
        likelihood_scale: float = 0.1,
        kl_warmup_steps: int = 0,
        kl_weight_max: float = 1.0,
        last_frame_skip: bool = False,
        train_on_context: bool = True,
        video_key: str = "video",
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        encoder_filters = tuple(int(f) for f in encoder_filters)
        self._validate_config(
            image_size,
            encoder_filters,
            context_frames,
            future_frames,
            likelihood,
            {
                "g_dim": g_dim,
                "z_dim": z_dim,
                "rnn_size": rnn_size,
                "predictor_layers": predictor_layers,
            },
        )

        # === Config ===
        self.image_size = image_size
        self.channels = channels
        self.context_frames = context_frames
        self.future_frames = future_frames
        self.encoder_filters = encoder_filters
        self.g_dim = g_dim
        self.z_dim = z_dim
        self.rnn_size = rnn_size
        self.predictor_layers = predictor_layers
        self.likelihood = likelihood
        self.likelihood_scale = likelihood_scale
        self.kl_warmup_steps = kl_warmup_steps
        self.kl_weight_max = kl_weight_max
        self.last_frame_skip = last_frame_skip
        self.train_on_context = train_on_context
        self.video_key = video_key
        self.seed = seed

        # === Layers ===
        self.frame_encoder = DCGANFrameEncoder(g_dim, encoder_filters, name="frame_encoder")
        self.frame_decoder = DCGANFrameDecoder(encoder_filters, channels, name="frame_decoder")
        self.frame_predictor = FramePredictorLSTM(
            g_dim, rnn_size, predictor_layers, name="frame_predictor"
        )
        self.prior = GaussianLSTM(z_dim, rnn_size, 1, name="prior")
        self.posterior = GaussianLSTM(z_dim, rnn_size, 1, name="posterior")
        self.seed_generator = ReplicaSeedGenerator(seed)
        self.build_elbo_state(kl_warmup_steps, kl_weight_max)
        self.build((None, context_frames + future_frames, image_size, image_size, channels))

    @staticmethod
    def _validate_config(
        image_size, encoder_filters, context_frames, future_frames, likelihood, sizes
    ):
        if not encoder_filters or image_size != dcgan_image_size(len(encoder_filters)):
            stages = max(int(image_size).bit_length() - 3, 1)
            raise ValueError(
                f"`image_size` must be 4 * 2**len(encoder_filters) (the DCGAN encoder halves the "
                f"frame down to 4x4); received image_size={image_size} with "
                f"{len(encoder_filters)} encoder stages {list(encoder_filters)}. Use "
                f"{stages} stages for image_size={dcgan_image_size(stages)}, e.g. "
                f"encoder_filters={[64 * 2**i for i in range(stages)]}, or resize the frames."
            )
        if context_frames < 1 or future_frames < 1:
            raise ValueError(
                "`context_frames` and `future_frames` must be >= 1; received "
                f"context_frames={context_frames}, future_frames={future_frames}."
            )
        for name, value in sizes.items():
            if value < 1:
                raise ValueError(f"`{name}` must be >= 1; received {value}.")
        if likelihood not in LIKELIHOODS:
            raise ValueError(f"`likelihood` must be one of {LIKELIHOODS}; received '{likelihood}'.")

    def build(self, input_shape=None):
        if self.built:
            return
        spec = keras.KerasTensor(
            (1, self.sequence_length, self.image_size, self.image_size, self.channels)
        )
        self._elbo_forward(spec, self._noise_like(1, self.sequence_length - 1, zeros=True))
        self.built = True

    def noise_shapes(self, batch_size, num_steps):
        """Shape of the standard-normal noise of z: one level, [B, steps, z_dim]."""
        return [(batch_size, num_steps, self.z_dim)]

    def _noise_like(self, batch_size, num_steps, seed=None, zeros=False):
        shapes = self.noise_shapes(batch_size, num_steps)
        if zeros:
            return [ops.zeros(shape) for shape in shapes]
        seed = self.seed_generator if seed is None else seed
        return [keras.random.normal(shape, seed=seed) for shape in shapes]

    # --- recurrent step ---------------------------------------------------------------------

    def _encode(self, frames, training=None):
        """[B, N, H, W, C] frames -> embeddings [B, N, g_dim] and skips [B, N, r, r, C_r]."""
        batch, steps = ops.shape(frames)[0], ops.shape(frames)[1]
        flat = ops.reshape(frames, (-1, self.image_size, self.image_size, self.channels))
        embeddings, skips = self.frame_encoder(flat, training=training)
        embeddings = ops.reshape(embeddings, (batch, steps, self.g_dim))
        skips = [ops.reshape(s, (batch, steps, *ops.shape(s)[1:])) for s in skips]
        return embeddings, skips

    def _initial_states(self, batch_size):
        return {
            "predictor": self.frame_predictor.initial_states(batch_size),
            "prior": self.prior.initial_states(batch_size),
            "posterior": self.posterior.initial_states(batch_size),
        }

    def _predict_frame(self, previous, z, skip, states, training=None):
        """Frame predictor then decoder: frame parameters (logits or sigmoid means)."""
        predicted, states["predictor"] = self.frame_predictor(
            ops.concatenate([previous, z], axis=-1), states["predictor"], training=training
        )
        logits = self.frame_decoder(predicted, skip, training=training)
        return logits if self.likelihood == "bernoulli" else ops.sigmoid(logits)

    def _elbo_forward(self, video, noise, training=None):
        """Teacher-forced posterior pass over steps 2..D+T (SVG's training loop)."""
        embeddings, skips = self._encode(video, training=training)
        states = self._initial_states(ops.shape(video)[0])
        context = self.context_frames
        skip = [s[:, context - 1] for s in skips]
        outputs, kl = [], []
        for t in range(1, self.sequence_length):
            previous = embeddings[:, t - 1]
            posterior_params, states["posterior"] = self.posterior(
                embeddings[:, t], states["posterior"], training=training
            )
            prior_params, states["prior"] = self.prior(previous, states["prior"], training=training)
            posterior = DiagonalGaussian.from_params(posterior_params)
            prior = DiagonalGaussian.from_params(prior_params)
            kl.append(ops.sum(posterior.kl_divergence(prior), axis=-1))
            z = posterior.sample(noise=noise[0][:, t - 1])
            if t < context and not self.train_on_context:
                # Only the predictor's state matters on the context steps: skip the decoder.
                _, states["predictor"] = self.frame_predictor(
                    ops.concatenate([previous, z], axis=-1), states["predictor"], training=training
                )
                continue
            # Context steps take the skips of the previous (true) frame, as SVG does.
            use_previous = self.last_frame_skip or t < context
            step_skip = [s[:, t - 1] for s in skips] if use_previous else skip
            outputs.append(self._predict_frame(previous, z, step_skip, states, training))
        kl = ops.stack(kl, axis=1)  # [B, D + T - 1]
        result = {
            "frames": ops.stack(outputs[-self.future_frames :], axis=1),  # [B, T, H, W, C]
            "kl": kl[:, context - 1 :],  # [B, T]
        }
        if self.train_on_context and context > 1:
            result["context_reconstruction"] = ops.stack(outputs[: context - 1], axis=1)
            result["context_kl"] = kl[:, : context - 1]
        return result

    def output_to_frames(self, outputs):
        """Frame parameters (logits or means) -> frames in [0, 1]."""
        if self.likelihood == "bernoulli":
            return ops.sigmoid(outputs)
        return ops.clip(outputs, 0.0, 1.0)

    def generate(self, context, noise):
        """Samples futures from the learned prior.

        The context is read with the posterior mean of z (the recurrent states warm up on the
        true frames); each predicted frame is encoded again to condition the next step.

        Args:
            context: float frames in [0, 1], [B, D, H, W, C] with D == `context_frames`.
            noise: list with one standard-normal tensor shaped as `noise_shapes(B, horizon)`.

        Returns:
            Predicted frames in [0, 1], [B, horizon, H, W, C].
        """
        context = ops.convert_to_tensor(context, "float32")
        noise = [ops.convert_to_tensor(n, "float32") for n in noise]
        embeddings, skips = self._encode(context, training=False)
        states = self._initial_states(ops.shape(context)[0])
        for t in range(1, self.context_frames):
            previous = embeddings[:, t - 1]
            posterior_params, states["posterior"] = self.posterior(
                embeddings[:, t], states["posterior"], training=False
            )
            _, states["prior"] = self.prior(previous, states["prior"], training=False)
            z = DiagonalGaussian.from_params(posterior_params).mean
            _, states["predictor"] = self.frame_predictor(
                ops.concatenate([previous, z], axis=-1), states["predictor"], training=False
            )
        previous = embeddings[:, -1]
        skip = [s[:, -1] for s in skips]
        frames = []
        for t in range(noise[0].shape[1]):
            prior_params, states["prior"] = self.prior(previous, states["prior"], training=False)
            z = DiagonalGaussian.from_params(prior_params).sample(noise=noise[0][:, t])
            frame = self.output_to_frames(
                self._predict_frame(previous, z, skip, states, training=False)
            )
            frames.append(frame)
            embedding, frame_skips = self._encode(frame[:, None], training=False)
            previous = embedding[:, 0]
            if self.last_frame_skip:
                skip = [s[:, 0] for s in frame_skips]
        return ops.stack(frames, axis=1)

    # --- Keras API --------------------------------------------------------------------------

    def call(self, inputs, training=False):
        if self.is_generation_request(inputs):
            return self.generate_from_request(inputs)
        video = self._video_from_inputs(inputs)
        noise = self._noise_like(ops.shape(video)[0], self.sequence_length - 1)
        return self._elbo_forward(video, noise, training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        video = self._video_from_inputs(x)
        context = self.context_frames
        nll = reconstruction_nll(
            self.likelihood, video[:, context:], y_pred["frames"], self.likelihood_scale
        )  # [B]
        kl = ops.sum(y_pred["kl"], axis=-1)
        extra = None
        if "context_reconstruction" in y_pred:
            # SVG also trains on the context steps 2..D; they are not part of the reported ELBO.
            extra = reconstruction_nll(
                self.likelihood,
                video[:, 1:context],
                y_pred["context_reconstruction"],
                self.likelihood_scale,
            ) + self.kl_weight * ops.sum(y_pred["context_kl"], axis=-1)
        return self.elbo_loss(nll, kl, training, extra_loss=extra)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "image_size": self.image_size,
                "channels": self.channels,
                "context_frames": self.context_frames,
                "future_frames": self.future_frames,
                "encoder_filters": list(self.encoder_filters),
                "g_dim": self.g_dim,
                "z_dim": self.z_dim,
                "rnn_size": self.rnn_size,
                "predictor_layers": self.predictor_layers,
                "likelihood": self.likelihood,
                "likelihood_scale": self.likelihood_scale,
                "kl_warmup_steps": self.kl_warmup_steps,
                "kl_weight_max": self.kl_weight_max,
                "last_frame_skip": self.last_frame_skip,
                "train_on_context": self.train_on_context,
                "video_key": self.video_key,
                "seed": self.seed,
            }
        )
        return config
