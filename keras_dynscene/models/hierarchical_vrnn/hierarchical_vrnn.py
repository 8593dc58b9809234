import keras
import numpy as np
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.data.video_validation import check_video_shape
from keras_dynscene.data.video_validation import to_float_video
from keras_dynscene.distribute.replica_seed_generator import ReplicaSeedGenerator
from keras_dynscene.distributions.diagonal_gaussian import DiagonalGaussian
from keras_dynscene.losses.reconstruction_losses import LIKELIHOODS
from keras_dynscene.losses.reconstruction_losses import reconstruction_nll
from keras_dynscene.models.elbo_mixin import ELBOMixin
from keras_dynscene.models.hierarchical_vrnn.hierarchical_vrnn_layers import FrameDecoder
from keras_dynscene.models.hierarchical_vrnn.hierarchical_vrnn_layers import FrameEncoder
from keras_dynscene.models.hierarchical_vrnn.hierarchical_vrnn_layers import InitialStateNetwork
from keras_dynscene.models.hierarchical_vrnn.hierarchical_vrnn_layers import LatentLevelNetwork
from keras_dynscene.models.hierarchical_vrnn.hierarchical_vrnn_layers import pyramid_resolutions
from keras_dynscene.models.preset_mixin import PresetMixin
from keras_dynscene.models.video_prediction_mixin import VideoPredictionMixin


@dynscene_export
class HierarchicalVRNN(ELBOMixin, VideoPredictionMixin, PresetMixin, keras.Model):
    """Hierarchical Variational RNN for stochastic video prediction (thesis chapter 4).

    Given `context_frames` frames it models the next `future_frames` with `L` levels of latents
    per time step at the resolutions `latent_resolutions` (1x1, 8x8, 32x32 in the paper). Each
    level's prior p(z_t^l | z_t^{<l}, z_{<t}, x_{<t}, c) and approximate posterior
    q(z_t^l | z_t^{<l}, z_{<t}, x_{<=t}, c) is a diagonal Gaussian given by a ConvLSTM network
    (table 4.6) reading the frame encoder's features at that resolution and, with dense latent
    connectivity (4.4.1), the samples of all coarser levels. The likelihood network (table 4.5)
    is a stack of ConvLSTMs interleaved with transposed convolutions that reads the previous
    frame's features and every latent at its resolution. Initial states of all ConvLSTMs come
    from the context frames' features (table 4.7). Training maximizes the ELBO of eq. 4.5 with
    teacher forcing and a per-level KL, weighted by a linear beta warmup; sampling is ancestral
    from the learned prior.

    Calling the model runs the posterior (ELBO) path and returns the frame parameters and the
    KL terms; `fit` and `evaluate` then report `nll`, `kl`, `kl_level_<l>`, `elbo` (the negative
    ELBO in nats per sequence) and `kl_weight`. Inputs are a video batch [B, T, H, W, C]
    (uint8 in [0, 255] or float in [0, 1]) or a TFDS feature dict holding it under `video_key`;
    only the first `context_frames + future_frames` frames are used.

    Deviations from the paper, all configuration: the default sizes are small enough for a CPU
    (the paper's 64x64 sizes are the `hier_vrnn_1_8_32` preset); the KL warmup is counted in
    optimizer steps (the paper does not give its length); the output GroupNorm of table 4.6 is
    optional (`normalize_latent_params`) because normalizing a distribution's parameters across
    channels restricts it; the paper's batch-size-128 DGX-1 schedule is not the default.

    Args:
        image_size: frame height and width; a multiple of 2**(len(encoder_filters) - 1).
        channels: frame channels (1 for MNIST, 3 for BAIR/Cityscapes).
        context_frames: number of conditioning frames D.
        future_frames: number of frames T predicted during training.
        encoder_filters: frame-encoder channels per stage, fine to coarse (table 4.4); the
            likelihood network mirrors them (table 4.5).
        latent_resolutions: resolution of each latent level, coarse to fine; each must be one
            of the encoder's pyramid resolutions (image_size / 2**i or 1).
        latent_channels: channels of each latent level (table 4.6).
        groups: GroupNorm groups (16 in the paper).
        likelihood: "bernoulli" (binary data such as MNIST; outputs are logits) or "gaussian"
            (fixed scale; outputs are means).
        likelihood_scale: standard deviation of the Gaussian likelihood.
        kl_warmup_steps: optimizer steps over which the KL weight grows from 0 to
            `kl_weight_max` (beta warmup); 0 disables the warmup.
        kl_weight_max: final KL weight (1 gives the true ELBO).
        dense_latent_connectivity: condition each level on all coarser levels (True) or only on
            the previous one (the "naive" ablation of table 4.2).
        decoder_skip_connections: feed the previous frame's encoder features to the likelihood
            network at every resolution (True) or only at 1x1.
        normalize_latent_params: GroupNorm on the prior/posterior output parameters (table 4.6
            literally).
        video_key: key of the video in TFDS feature dicts.
        seed: seed of the model's `SeedGenerator` (training noise).
        **kwargs: base `keras.Model` arguments.

    Example:
    ```python
    import tensorflow_datasets as tfds
    import keras_dynscene.datasets  # registers the builders
    from keras_dynscene.models import HierarchicalVRNN

    model = HierarchicalVRNN(image_size=64, channels=1, context_frames=5, future_frames=10)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(tfds.load("stochastic_moving_mnist", split="train").batch(16), epochs=1)
    futures = model.predict_future(context, horizon=10, num_samples=100, seed=0)
    ```

    Reference:
        Castrejon, Ballas, Courville, "Improved Conditional VRNNs for Video Prediction",
        ICCV 2019; thesis "Advances in Generative Models for Dynamic Scenes", ch. 4 (2022).
    """

    def __init__(
        self,
        image_size: int = 64,
        channels: int = 1,
        context_frames: int = 5,
        future_frames: int = 10,
        encoder_filters=(16, 32, 64, 64, 64),
        latent_resolutions=(1, 8, 32),
        latent_channels=(16, 16, 8),
        groups: int = 16,
        likelihood: str = "bernoulli",
        likelihood_scale: float = 0.1,
        kl_warmup_steps: int = 2000,
        kl_weight_max: float = 1.0,
        dense_latent_connectivity: bool = True,
        decoder_skip_connections: bool = True,
        normalize_latent_params: bool = False,
        video_key: str = "video",
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        encoder_filters = tuple(int(f) for f in encoder_filters)
        latent_resolutions = tuple(int(r) for r in latent_resolutions)
        latent_channels = tuple(int(c) for c in latent_channels)
        pyramid = pyramid_resolutions(image_size, len(encoder_filters))
        self._validate_config(
            image_size, encoder_filters, latent_resolutions, latent_channels, likelihood, pyramid
        )

        # === Config ===
        self.image_size = image_size
        self.channels = channels
        self.context_frames = context_frames
        self.future_frames = future_frames
        self.encoder_filters = encoder_filters
        self.latent_resolutions = latent_resolutions
        self.latent_channels = latent_channels
        self.groups = groups
        self.likelihood = likelihood
        self.likelihood_scale = likelihood_scale
        self.kl_warmup_steps = kl_warmup_steps
        self.kl_weight_max = kl_weight_max
        self.dense_latent_connectivity = dense_latent_connectivity
        self.decoder_skip_connections = decoder_skip_connections
        self.normalize_latent_params = normalize_latent_params
        self.video_key = video_key
        self.seed = seed

        # Pyramid bookkeeping: encoder features are fine-to-coarse, the decoder runs coarse-to-fine.
        self._pyramid = pyramid
        pyramid_filters = list(encoder_filters) + [encoder_filters[-1]]
        self._decoder_resolutions = pyramid[::-1]
        self._decoder_filters = pyramid_filters[::-1]
        self._latent_pyramid_index = [pyramid.index(res) for res in latent_resolutions]

        # === Layers ===
        self.frame_encoder = FrameEncoder(image_size, encoder_filters, groups, name="frame_encoder")
        self.prior_networks = []
        self.posterior_networks = []
        self.prior_initializers = []
        self.posterior_initializers = []
        for level, filters in enumerate(latent_channels):
            res = latent_resolutions[level]
            self.prior_networks.append(
                LatentLevelNetwork(
                    filters, groups, normalize_latent_params, name=f"prior_{res}x{res}"
                )
            )
            self.posterior_networks.append(
                LatentLevelNetwork(
                    filters, groups, normalize_latent_params, name=f"posterior_{res}x{res}"
                )
            )
            self.prior_initializers.append(
                InitialStateNetwork(filters, groups, name=f"prior_init_{res}x{res}")
            )
            self.posterior_initializers.append(
                InitialStateNetwork(filters, groups, name=f"posterior_init_{res}x{res}")
            )
        self.frame_decoder = FrameDecoder(
            self._decoder_resolutions, self._decoder_filters, channels, groups, name="frame_decoder"
        )
        self.decoder_initializers = [
            InitialStateNetwork(filters, groups, name=f"decoder_init_{res}x{res}")
            for res, filters in zip(self._decoder_resolutions, self._decoder_filters)
        ]
        self.seed_generator = ReplicaSeedGenerator(seed)
        self.build_elbo_state(
            kl_warmup_steps,
            kl_weight_max,
            [f"level_{res}x{res}" for res in latent_resolutions],
        )
        self.build((None, context_frames + future_frames, image_size, image_size, channels))

    @staticmethod
    def _validate_config(
        image_size, encoder_filters, latent_resolutions, latent_channels, likelihood, pyramid
    ):
        if image_size % 2 ** (len(encoder_filters) - 1):
            raise ValueError(
                f"`image_size` must be divisible by 2**(len(encoder_filters) - 1) = "
                f"{2 ** (len(encoder_filters) - 1)}; received image_size={image_size} with "
                f"{len(encoder_filters)} encoder stages. Use fewer stages or another size."
            )
        if len(latent_resolutions) != len(latent_channels) or not latent_resolutions:
            raise ValueError(
                "`latent_resolutions` and `latent_channels` must be non-empty and of equal length;"
                f" received {latent_resolutions} and {latent_channels}."
            )
        for res in latent_resolutions:
            if res not in pyramid:
                raise ValueError(
                    f"Latent resolution {res} is not an encoder pyramid resolution; expected "
                    f"values from {sorted(set(pyramid))}."
                )
        if list(latent_resolutions) != sorted(latent_resolutions):
            raise ValueError(
                "`latent_resolutions` must go from coarse to fine (ancestral sampling order); "
                f"received {latent_resolutions}."
            )
        if likelihood not in LIKELIHOODS:
            raise ValueError(f"`likelihood` must be one of {LIKELIHOODS}; received '{likelihood}'.")

    def build(self, input_shape=None):
        if self.built:
            return
        frames = self.context_frames + self.future_frames
        spec = keras.KerasTensor((1, frames, self.image_size, self.image_size, self.channels))
        self._elbo_forward(spec, self._noise_like(1, self.future_frames, zeros=True))
        self.built = True

    # --- noise ------------------------------------------------------------------------------

    def noise_shapes(self, batch_size, num_steps):
        """Shapes of the standard-normal noise per latent level: [B, steps, r, r, C]."""
        return [
            (batch_size, num_steps, res, res, filters)
            for res, filters in zip(self.latent_resolutions, self.latent_channels)
        ]

    def _noise_like(self, batch_size, num_steps, seed=None, zeros=False):
        shapes = self.noise_shapes(batch_size, num_steps)
        if zeros:
            return [ops.zeros(shape) for shape in shapes]
        seed = self.seed_generator if seed is None else seed
        return [keras.random.normal(shape, seed=seed) for shape in shapes]

    # --- recurrent step ---------------------------------------------------------------------

    def _encode(self, frames):
        """Encodes [B, N, H, W, C] frames into per-resolution features [B, N, r, r, C_r]."""
        batch, steps = ops.shape(frames)[0], ops.shape(frames)[1]
        flat = ops.reshape(frames, (-1, self.image_size, self.image_size, self.channels))
        features = self.frame_encoder(flat)
        return [ops.reshape(f, (batch, steps, *ops.shape(f)[1:])) for f in features]

    @staticmethod
    def _upsample_to(tensor, resolution):
        current = tensor.shape[1]
        if current == resolution:
            return tensor
        if current == 1:
            return ops.tile(tensor, (1, resolution, resolution, 1))
        factor = resolution // current
        return ops.repeat(ops.repeat(tensor, factor, axis=1), factor, axis=2)

    def _latent_inputs(self, level, features, samples):
        res = self.latent_resolutions[level]
        parents = samples if self.dense_latent_connectivity else samples[-1:]
        parts = [features[self._latent_pyramid_index[level]]]
        parts += [self._upsample_to(z, res) for z in parents]
        return parts[0] if len(parts) == 1 else ops.concatenate(parts, axis=-1)

    def _initial_states(self, context_features, with_posterior):
        """States of every ConvLSTM from the context features stacked along channels."""

        def stack_context(feature):
            # [B, D, r, r, C] -> [B, r, r, D * C]
            moved = ops.transpose(feature, (0, 2, 3, 1, 4))
            shape = ops.shape(moved)
            return ops.reshape(moved, (shape[0], shape[1], shape[2], -1))

        stacked = [stack_context(f) for f in context_features]
        latent_inputs = [stacked[i] for i in self._latent_pyramid_index]
        prior = [net(x) for net, x in zip(self.prior_initializers, latent_inputs)]
        posterior = (
            [net(x) for net, x in zip(self.posterior_initializers, latent_inputs)]
            if with_posterior
            else None
        )
        decoder = [net(x) for net, x in zip(self.decoder_initializers, stacked[::-1])]
        return {"prior": prior, "posterior": posterior, "decoder": decoder}

    def _decode(self, previous_features, samples, states):
        level_inputs = []
        for index, res in enumerate(self._decoder_resolutions):
            pyramid_index = len(self._pyramid) - 1 - index
            parts = []
            if self.decoder_skip_connections or res == 1:
                parts.append(previous_features[pyramid_index])
            parts += [z for z, r in zip(samples, self.latent_resolutions) if r == res]
            if not parts:
                level_inputs.append(None)
            else:
                level_inputs.append(parts[0] if len(parts) == 1 else ops.concatenate(parts, -1))
        return self.frame_decoder(level_inputs, states["decoder"])

    def _step(self, previous_features, current_features, states, noise_t):
        """One time step: latents level by level (ancestral), then the likelihood network.

        With `current_features` the posterior supplies the samples and the KL is returned;
        without them the prior does (generation).
        """
        samples, kl, kl_channels = [], [], []
        prior_states, posterior_states = [], []
        for level in range(len(self.latent_resolutions)):
            prior_params, prior_state = self.prior_networks[level](
                self._latent_inputs(level, previous_features, samples), states["prior"][level]
            )
            prior_states.append(prior_state)
            prior = DiagonalGaussian.from_params(prior_params)
            if current_features is None:
                samples.append(prior.sample(noise=noise_t[level]))
                continue
            posterior_params, posterior_state = self.posterior_networks[level](
                self._latent_inputs(level, current_features, samples), states["posterior"][level]
            )
            posterior_states.append(posterior_state)
            posterior = DiagonalGaussian.from_params(posterior_params)
            samples.append(posterior.sample(noise=noise_t[level]))
            kl_map = posterior.kl_divergence(prior)  # [B, r, r, C]
            kl.append(ops.sum(kl_map, axis=(1, 2, 3)))
            kl_channels.append(ops.mean(kl_map, axis=(1, 2)))
        outputs, decoder_states = self._decode(previous_features, samples, states)
        new_states = {
            "prior": prior_states,
            "posterior": posterior_states or None,
            "decoder": decoder_states,
        }
        return outputs, kl, kl_channels, new_states

    def _elbo_forward(self, video, noise):
        features = self._encode(video)
        context = self.context_frames
        states = self._initial_states([f[:, :context] for f in features], with_posterior=True)
        outputs, kl, kl_channels = [], [], []
        for t in range(self.future_frames):
            previous = [f[:, context + t - 1] for f in features]
            current = [f[:, context + t] for f in features]
            noise_t = [n[:, t] for n in noise]
            out, kl_t, kl_channels_t, states = self._step(previous, current, states, noise_t)
            outputs.append(out)
            kl.append(ops.stack(kl_t, axis=1))
            kl_channels.append(kl_channels_t)
        per_level_channels = [
            ops.stack([step[level] for step in kl_channels], axis=1)
            for level in range(len(self.latent_resolutions))
        ]
        return {
            "frames": ops.stack(outputs, axis=1),  # [B, T, H, W, C] logits or means
            "kl": ops.stack(kl, axis=2),  # [B, L, T]
            "kl_per_channel": per_level_channels,  # L x [B, T, C_l]
        }

    def output_to_frames(self, outputs):
        """Frame parameters (logits or means) -> frames in [0, 1]."""
        if self.likelihood == "bernoulli":
            return ops.sigmoid(outputs)
        return ops.clip(outputs, 0.0, 1.0)

    def generate(self, context, noise):
        """Ancestral sampling from the learned prior.

        Args:
            context: float frames in [0, 1], [B, D, H, W, C] with D == `context_frames`.
            noise: list of standard-normal tensors shaped as `noise_shapes(B, horizon)`.

        Returns:
            Predicted frames in [0, 1], [B, horizon, H, W, C].
        """
        noise = [ops.convert_to_tensor(n) for n in noise]
        context = ops.convert_to_tensor(context)
        features = self._encode(context)
        states = self._initial_states(features, with_posterior=False)
        previous = [f[:, -1] for f in features]

        horizon = ops.shape(noise[0])[1]  # a tensor once predict retraces with a new horizon
        batch = ops.shape(context)[0]
        frame_shape = (self.image_size, self.image_size, self.channels)

        def step(t, carry):
            previous, prior_states, decoder_states, frames = carry
            states = {"prior": prior_states, "posterior": None, "decoder": decoder_states}
            noise_t = [ops.take(n, t, axis=1) for n in noise]
            outputs, _, _, states = self._step(previous, None, states, noise_t)
            frame = self.output_to_frames(outputs)
            frames = ops.slice_update(frames, (t, 0, 0, 0, 0), frame[None])
            previous = [f[:, 0] for f in self._encode(frame[:, None])]
            return previous, states["prior"], states["decoder"], frames

        # A loop keeps one step in the traced graph: compact SavedModels, fast XLA compiles.
        frames = ops.zeros((horizon, batch, *frame_shape), dtype=context.dtype)
        carry = (previous, states["prior"], states["decoder"], frames)
        _, _, _, frames = ops.fori_loop(0, horizon, step, carry)
        return ops.moveaxis(frames, 0, 1)

    # --- Keras API --------------------------------------------------------------------------

    def call(self, inputs, training=False):
        if self.is_generation_request(inputs):
            return self.generate_from_request(inputs)
        video = self._video_from_inputs(inputs)
        noise = self._noise_like(ops.shape(video)[0], self.future_frames)
        return self._elbo_forward(video, noise)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        video = self._video_from_inputs(x)
        targets = video[:, self.context_frames :]
        nll = reconstruction_nll(
            self.likelihood, targets, y_pred["frames"], self.likelihood_scale
        )  # [B]
        kl_levels = ops.sum(y_pred["kl"], axis=-1)  # [B, L]
        kl = ops.sum(kl_levels, axis=-1)
        return self.elbo_loss(nll, kl, training, kl_terms=kl_levels)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "image_size": self.image_size,
                "channels": self.channels,
                "context_frames": self.context_frames,
                "future_frames": self.future_frames,
                "encoder_filters": list(self.encoder_filters),
                "latent_resolutions": list(self.latent_resolutions),
                "latent_channels": list(self.latent_channels),
                "groups": self.groups,
                "likelihood": self.likelihood,
                "likelihood_scale": self.likelihood_scale,
                "kl_warmup_steps": self.kl_warmup_steps,
                "kl_weight_max": self.kl_weight_max,
                "dense_latent_connectivity": self.dense_latent_connectivity,
                "decoder_skip_connections": self.decoder_skip_connections,
                "normalize_latent_params": self.normalize_latent_params,
                "video_key": self.video_key,
                "seed": self.seed,
            }
        )
        return config

    # --- diagnostics ------------------------------------------------------------------------

    def latent_kl_per_channel(self, video, seed=None) -> dict:
        """Average KL(q || p) per latent channel and level on `video` (thesis figure 4.4).

        Returns a dict `{"<r>x<r>": np.ndarray [C_l]}` averaged over batch, time and positions;
        a channel with a value above 0.01 counts as active.
        """
        video = to_float_video(video, name="video")
        check_video_shape(
            video.shape,
            name="video",
            image_size=self.image_size,
            channels=self.channels,
            min_frames=self.sequence_length,
        )
        video = ops.convert_to_tensor(video[:, : self.sequence_length])
        noise = self._noise_like(video.shape[0], self.future_frames, seed=seed)
        result = self._elbo_forward(video, noise)
        return {
            f"{res}x{res}": np.mean(ops.convert_to_numpy(values), axis=(0, 1))
            for res, values in zip(self.latent_resolutions, result["kl_per_channel"])
        }
