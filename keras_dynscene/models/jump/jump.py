import math

import keras
import numpy as np
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.distribute.replica_seed_generator import ReplicaSeedGenerator
from keras_dynscene.distributions.diagonal_gaussian import DiagonalGaussian
from keras_dynscene.layers.conv_lstm_cell import ConvLSTMCell
from keras_dynscene.models.elbo_mixin import ELBOMixin
from keras_dynscene.models.jump.jump_presets import GQN_PRESETS
from keras_dynscene.models.jump.jump_presets import JUMP_PRESETS
from keras_dynscene.models.jump.pixel_variance import get_pixel_variance
from keras_dynscene.models.preset_mixin import PresetMixin

# Appendix B encoder M_theta: (channels, kernel, stride) per layer, ReLU between layers.
REPRESENTATION_LAYERS = ((8, 2, 2), (16, 2, 2), (32, 3, 1), (32, 3, 1))
REPRESENTATION_STRIDE = 4


def broadcast_viewpoint(views, height, width):
    """[b, V] -> [b, height, width, V] (the viewpoint copied to every position)."""
    return views[:, None, None, :] * ops.ones((1, height, width, 1), dtype=views.dtype)


def masked_sum(values, mask):
    """Sum of `values` [B, N, ...] over the frames where `mask` [B, N] is 1."""
    mask = ops.reshape(mask, (*ops.shape(mask), *([1] * (len(values.shape) - 2))))
    return ops.sum(values * mask, axis=1)


@dynscene_export
class JUMP(ELBOMixin, PresetMixin, keras.Model):
    """JUMP: consistent jumpy predictions of frames at arbitrary viewpoints (Kumar et al. 2018).

    A scene is a set of (viewpoint, frame) pairs: timestamps for videos, camera poses for 3D
    scenes. The representation network `M_theta` (appendix B: 4 convolutions with 8/16/32/32
    channels, kernels 2/2/3/3, strides 2/2/1/1, ReLU between them) encodes each context pair;
    the viewpoint is broadcast over the image and concatenated to the frame at the input of the
    network, so every layer mixes time / pose with the pixels (for timestamps it is one extra
    input channel). The representations are summed over the context (permutation invariant) into
    `r`. A convolutional DRAW prior `P_phi(z | r)` samples `nt` latent maps `z_t` (`nf_z` channels
    at 1/4 of the frame size) with a ConvLSTM core fed `r` and `z_{t-1}`; the posterior
    `P_psi(z | C, V, F)` is a second ConvLSTM core that also sees the summed representations of
    the targets and the prior core's state. The renderer `M_gamma` is deterministic: a ConvLSTM
    fed `z`, the query viewpoint and a read of its canvas at each of its `nt` steps writes
    additively (transposed convolution, `stride_to_obs`) to a canvas that a last transposed
    convolution maps to the frame mean. Every target of a scene is rendered from the same `z`,
    so a sampled set of frames is one coherent possibility (section 3.2).

    Training (section 3.3, appendix A) maximizes the ELBO of a random split of every scene: a
    random permutation of its frames (argsort of uniform noise) takes `m ~ U{1..max_context}`
    context frames and `k ~ U{1..max_targets}` targets (at most the frames left), expressed as
    masks, so every example of a compiled batch gets its own counts. The likelihood is Gaussian
    with the annealed pixel variance of appendix B (`LinearPixelVariance`, or
    `PiecewisePixelVariance` for MNIST cube), a function of the in-graph step counter
    `kl_step`; the NLL sums over the target pixels.

    `per_target_latents=True` is the GQN baseline of sections 4.1-4.2 (class `GQN`): every target
    gets its own latent, from a prior conditioned on the context and the query viewpoint and a
    posterior that sees that target only, so sampled frames are independent given the context.

    Deviations: the DRAW cores run at the representation's resolution (1/4 of the frame), so
    `stride_to_hidden` is the stride of the canvas read and must equal `stride_to_obs`; the
    prior / posterior inputs are mapped to `nf_enc` channels by a 3x3 convolution; the ConvLSTM
    gates are group-normalized (`ConvLSTMCell`); the frame mean goes through a sigmoid.

    Args:
        image_size: frame side (divisible by 4).
        channels: frame channels.
        viewpoint_size: viewpoint dimension V (1 for timestamps).
        max_context: most context frames of a training split (at least 1 is drawn).
        max_targets: most target frames of a training split, and of explicit
            `"context_mask"` / `"target_mask"` inputs (`posterior_kl` refuses more; inside a
            compiled step, where tensors cannot be checked, the first `max_targets` targets in
            frame order are used). `render` takes any number of queries.
        num_draw_steps: `nt`, DRAW steps of the prior / posterior and of the renderer.
        nf_to_hidden: channels of the ConvLSTM states.
        nf_enc: channels of the convolution mapping the representations to the LSTM input.
        nf_to_obs: channels of the renderer's canvas.
        nf_dec: channels of the convolution reading the canvas into the LSTM input.
        nf_z: latent channels per DRAW step.
        stride_to_hidden: kernel and stride of the canvas read.
        stride_to_obs: kernel and stride of the transposed convolution writing the canvas.
        pixel_variance: a pixel-variance schedule (or its serialized dict), or a constant float.
        per_target_latents: the GQN baseline (one latent per target).
        kl_warmup_steps, kl_weight_max: KL weight warmup (`ELBOMixin`; the paper anneals the
            pixel variance instead, so the default weight is 1).
        video_key: key of the frames in TFDS example dicts ("video" for Narratives; "frames"
            is always accepted too).
        viewpoint_key: key of the viewpoints in example dicts.
        seed: seed of the model's random splits and latent draws.
        **kwargs: `keras.Model` arguments.

    Example:
    ```python
    model = JUMP.from_preset("jump_narratives_cpu")
    model.compile(optimizer=keras.optimizers.Adam(5e-4))
    model.fit(tfds.load("narratives", split="train").batch(16), epochs=1)
    frames = model.render(context, context_times, query_times, num_samples=4, seed=0)
    ```

    Reference:
        Kumar, Eslami, Rezende, Garnelo, Viola, Lockhart, Shanahan, "Consistent Generative Query
        Networks", 2018 (sections 3.2-3.3, appendices A-B).
    """

    architecture_presets = JUMP_PRESETS

    def __init__(
        self,
        image_size=64,
        channels=3,
        viewpoint_size=1,
        max_context=10,
        max_targets=10,
        num_draw_steps=4,
        nf_to_hidden=64,
        nf_enc=128,
        nf_to_obs=128,
        nf_dec=64,
        nf_z=3,
        stride_to_hidden=2,
        stride_to_obs=2,
        pixel_variance=None,
        per_target_latents=False,
        kl_warmup_steps=0,
        kl_weight_max=1.0,
        video_key="video",
        viewpoint_key="viewpoints",
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        name = type(self).__name__
        positive = {
            "image_size": image_size,
            "channels": channels,
            "viewpoint_size": viewpoint_size,
            "max_context": max_context,
            "max_targets": max_targets,
            "num_draw_steps": num_draw_steps,
            "nf_to_hidden": nf_to_hidden,
            "nf_enc": nf_enc,
            "nf_to_obs": nf_to_obs,
            "nf_dec": nf_dec,
            "nf_z": nf_z,
            "stride_to_hidden": stride_to_hidden,
            "stride_to_obs": stride_to_obs,
        }
        for key, value in positive.items():
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name}: expected a positive int {key}, received {value!r}.")
        if image_size % REPRESENTATION_STRIDE:
            raise ValueError(
                f"{name}: expected image_size divisible by {REPRESENTATION_STRIDE} (the "
                f"representation network downsamples by 4), received {image_size}."
            )
        if stride_to_hidden != stride_to_obs or REPRESENTATION_STRIDE % stride_to_obs:
            raise ValueError(
                f"{name}: expected stride_to_hidden == stride_to_obs, a divisor of 4 (the canvas "
                f"read must undo the canvas write), received stride_to_hidden={stride_to_hidden} "
                f"and stride_to_obs={stride_to_obs}."
            )
        if pixel_variance is None:
            pixel_variance = JUMP_PRESETS["jump_narratives"]["pixel_variance"]
        self.pixel_variance_schedule = get_pixel_variance(pixel_variance)
        # === Config ===
        self.image_size = int(image_size)
        self.channels = int(channels)
        self.viewpoint_size = int(viewpoint_size)
        self.max_context = int(max_context)
        self.max_targets = int(max_targets)
        self.num_draw_steps = int(num_draw_steps)
        self.nf_to_hidden = int(nf_to_hidden)
        self.nf_enc = int(nf_enc)
        self.nf_to_obs = int(nf_to_obs)
        self.nf_dec = int(nf_dec)
        self.nf_z = int(nf_z)
        self.stride_to_hidden = int(stride_to_hidden)
        self.stride_to_obs = int(stride_to_obs)
        self.per_target_latents = bool(per_target_latents)
        self.kl_warmup_steps = kl_warmup_steps
        self.kl_weight_max = kl_weight_max
        self.video_key = video_key
        self.viewpoint_key = viewpoint_key
        self.seed = seed
        self.seed_generator = ReplicaSeedGenerator(seed)
        self.latent_size = self.image_size // REPRESENTATION_STRIDE

        # === Layers ===
        self.representation = keras.Sequential(
            [
                keras.layers.Conv2D(
                    filters,
                    kernel,
                    strides=stride,
                    padding="same",
                    activation="relu" if index < len(REPRESENTATION_LAYERS) - 1 else None,
                    name=f"representation_conv_{index}",
                )
                for index, (filters, kernel, stride) in enumerate(REPRESENTATION_LAYERS)
            ],
            name="representation",
        )
        self.prior_input = keras.layers.Conv2D(nf_enc, 3, padding="same", name="prior_input")
        self.posterior_input = keras.layers.Conv2D(
            nf_enc, 3, padding="same", name="posterior_input"
        )
        self.prior_core = ConvLSTMCell(nf_to_hidden, name="prior_core")
        self.posterior_core = ConvLSTMCell(nf_to_hidden, name="posterior_core")
        self.prior_head = keras.layers.Conv2D(2 * nf_z, 3, padding="same", name="prior_head")
        self.posterior_head = keras.layers.Conv2D(
            2 * nf_z, 3, padding="same", name="posterior_head"
        )
        self.renderer_core = ConvLSTMCell(nf_to_hidden, name="renderer_core")
        self.canvas_read = keras.layers.Conv2D(
            nf_dec, stride_to_hidden, strides=stride_to_hidden, padding="same", name="canvas_read"
        )
        self.canvas_write = keras.layers.Conv2DTranspose(
            nf_to_obs, stride_to_obs, strides=stride_to_obs, padding="same", name="canvas_write"
        )
        to_frame = REPRESENTATION_STRIDE // stride_to_obs
        self.observation = keras.layers.Conv2DTranspose(
            channels, to_frame, strides=to_frame, padding="same", name="observation"
        )
        self.build_elbo_state(kl_warmup_steps, kl_weight_max)
        self.pixel_variance_tracker = keras.metrics.Mean(name="pixel_variance")
        self.build()

    # --- construction -----------------------------------------------------------------------

    def build(self, input_shape=None):
        if self.built:
            return
        size, channels = self.image_size, self.channels
        frames = ops.zeros((1, 2, size, size, channels))
        views = ops.zeros((1, 2, self.viewpoint_size))
        masks = ops.convert_to_tensor([[1.0, 0.0]]), ops.convert_to_tensor([[0.0, 1.0]])
        self.scene_pass(frames, views, *masks, training=False, sample=False)
        self.built = True

    @property
    def metrics(self):
        return [*super().metrics, self.pixel_variance_tracker]

    @property
    def pixel_variance(self):
        """The current pixel variance of the annealing schedule."""
        return self.pixel_variance_schedule(self.kl_step)

    def latent_noise_shape(self, batch_size):
        size = self.latent_size
        return (batch_size, self.num_draw_steps, size, size, self.nf_z)

    # --- input adapter ----------------------------------------------------------------------

    def scene_from_inputs(self, inputs):
        """TFDS dict -> float frames [B, N, H, W, C] in [0, 1] and viewpoints [B, N, V]."""
        name = type(self).__name__
        if not isinstance(inputs, dict):
            raise ValueError(
                f"{name}: expected a dict with frames under '{self.video_key}' or 'frames' and "
                f"viewpoints under '{self.viewpoint_key}'; received {type(inputs).__name__}."
            )
        key = next((k for k in (self.video_key, "frames", "video") if k in inputs), None)
        if key is None or self.viewpoint_key not in inputs:
            raise ValueError(
                f"{name}: expected frames under '{self.video_key}' or 'frames' and viewpoints "
                f"under '{self.viewpoint_key}'; received keys {sorted(inputs)}."
            )
        frames, views = inputs[key], inputs[self.viewpoint_key]
        self.check_scene_shapes(tuple(frames.shape), tuple(views.shape), "inputs")
        if keras.backend.standardize_dtype(frames.dtype) == "uint8":
            frames = ops.cast(frames, "float32") / 255.0
        return ops.cast(frames, "float32"), ops.cast(views, "float32")

    def check_scene_shapes(self, frame_shape, view_shape, name):
        size, channels, v = self.image_size, self.channels, self.viewpoint_size
        model = type(self).__name__
        expected = f"[batch, frames, {size}, {size}, {channels}]"
        if len(frame_shape) != 5 or tuple(frame_shape[2:]) != (size, size, channels):
            raise ValueError(
                f"{model}: expected {name} frames shaped {expected}, received {frame_shape}. "
                f"Resize the frames or build the model with image_size / channels to match."
            )
        if len(view_shape) != 3 or view_shape[2] != v or view_shape[1] != frame_shape[1]:
            raise ValueError(
                f"{model}: expected {name} viewpoints shaped [batch, {frame_shape[1]}, {v}] (one "
                f"per frame, viewpoint_size={v}), received {view_shape}."
            )

    def check_target_counts(self, target_mask):
        """Explicit target masks may hold at most `max_targets` frames per scene (a compiled
        step cannot check its tensors; there the first `max_targets` targets are used)."""
        counts = np.asarray(target_mask).sum(axis=1)
        if np.any(counts > self.max_targets):
            raise ValueError(
                f"{type(self).__name__}: expected at most max_targets={self.max_targets} target "
                f"frames per scene, received target counts {counts.astype(int).tolist()}. Split "
                "the targets over several calls or build the model with a larger max_targets."
            )

    # --- splits -------------------------------------------------------------------------------

    def random_split(self, batch_size, num_frames):
        """Context and target masks [B, N] of random splits: a random permutation of the frames
        (argsort of uniform noise) gives its first `m ~ U{1..max_context}` frames to the context
        and the next `k ~ U{1..min(max_targets, N - m)}` to the targets. Variable target counts
        train the posterior on every set size it is later conditioned on (the KL_1 / KL_3
        analysis of section 4.2 conditions it on 1 and 3 targets)."""
        rank = ops.argsort(
            ops.argsort(
                keras.random.uniform((batch_size, num_frames), seed=self.seed_generator), axis=1
            ),
            axis=1,
        )
        rank = ops.cast(rank, "float32")
        most = float(min(self.max_context, num_frames - 1))
        uniform = keras.random.uniform((batch_size, 2), seed=self.seed_generator)
        num_context = 1.0 + ops.minimum(ops.floor(uniform[:, :1] * most), most - 1.0)
        available = ops.minimum(float(self.max_targets), float(num_frames) - num_context)
        num_targets = 1.0 + ops.minimum(ops.floor(uniform[:, 1:] * available), available - 1.0)
        context_mask = ops.cast(rank < num_context, "float32")
        target_mask = ops.cast(
            ops.logical_and(rank >= num_context, rank < num_context + num_targets), "float32"
        )
        return context_mask, target_mask

    def target_selection(self, target_mask, num_slots):
        """One-hot selections [B, Q, N] of the targets (in frame order) and their validity
        [B, Q]; slots past a scene's target count select a frame with validity 0."""
        num_frames = target_mask.shape[1]
        key = (1.0 - target_mask) * num_frames + ops.arange(num_frames, dtype="float32")
        order = ops.argsort(key, axis=1)[:, :num_slots]
        valid = ops.take_along_axis(target_mask, order, axis=1)
        return ops.one_hot(order, num_frames), valid

    # --- networks -----------------------------------------------------------------------------

    def represent(self, frames, views):
        """M_theta on every (viewpoint, frame) pair: [B, N, H, W, C], [B, N, V] ->
        [B, N, H/4, W/4, 32]."""
        size = self.image_size
        flat = ops.reshape(frames, (-1, size, size, self.channels))
        flat_views = ops.reshape(views, (-1, self.viewpoint_size))
        features = self.representation(
            ops.concatenate([flat, broadcast_viewpoint(flat_views, size, size)], axis=-1)
        )
        return ops.reshape(features, (-1, ops.shape(frames)[1], *features.shape[1:]))

    def zero_state(self, like, filters):
        zeros = ops.zeros_like(like[..., :1]) * ops.zeros((filters,))
        return [zeros, zeros]

    def draw_latents(self, r_context, r_target, noise, query_views=None):
        """Convolutional DRAW over `nt` steps. With `r_target` the latents come from the posterior
        and the KL to the prior is returned ([b]); without, they are prior samples.

        Returns z [b, h, w, nt * nf_z] and the KL (None for prior samples)."""
        conditioning = r_context
        if query_views is not None:
            size = self.latent_size
            conditioning = ops.concatenate(
                [r_context, broadcast_viewpoint(query_views, size, size)], axis=-1
            )
        prior_input = self.prior_input(conditioning)
        prior_state = self.zero_state(prior_input, self.nf_to_hidden)
        if r_target is not None:
            posterior_input = self.posterior_input(
                ops.concatenate([conditioning, r_target], axis=-1)
            )
            posterior_state = self.zero_state(prior_input, self.nf_to_hidden)
        z = ops.zeros_like(prior_input[..., :1]) * ops.zeros((self.nf_z,))
        latents, kl = [], 0.0
        for step in range(self.num_draw_steps):
            hidden, prior_state = self.prior_core(
                ops.concatenate([prior_input, z], axis=-1), prior_state
            )
            prior = DiagonalGaussian.from_params(self.prior_head(hidden))
            if r_target is None:
                z = prior.sample(noise=noise[:, step])
            else:
                posterior_hidden, posterior_state = self.posterior_core(
                    ops.concatenate([posterior_input, hidden, z], axis=-1), posterior_state
                )
                posterior = DiagonalGaussian.from_params(self.posterior_head(posterior_hidden))
                z = posterior.sample(noise=noise[:, step])
                kl = kl + ops.sum(posterior.kl_divergence(prior), axis=(1, 2, 3))
            latents.append(z)
        return ops.concatenate(latents, axis=-1), (kl if r_target is not None else None)

    def render_frames(self, z, views):
        """Deterministic renderer M_gamma: z [b, h, w, nt * nf_z], query viewpoints [b, V] ->
        frame means [b, H, W, C] in [0, 1]."""
        size = self.latent_size
        core_input = ops.concatenate([z, broadcast_viewpoint(views, size, size)], axis=-1)
        canvas_size = size * self.stride_to_obs
        canvas = ops.zeros_like(z[:, :1, :1, :1]) * ops.zeros(
            (canvas_size, canvas_size, self.nf_to_obs)
        )
        state = self.zero_state(z, self.nf_to_hidden)
        for _ in range(self.num_draw_steps):
            read = self.canvas_read(canvas)
            hidden, state = self.renderer_core(ops.concatenate([core_input, read], axis=-1), state)
            canvas = canvas + self.canvas_write(hidden)
        return ops.sigmoid(self.observation(canvas))

    # --- passes -------------------------------------------------------------------------------

    def scene_pass(self, frames, views, context_mask, target_mask, training=False, sample=True):
        """ELBO terms of one split: renders the targets from the posterior latent.

        Returns a dict with `"frames"` (rendered target means [B, Q, H, W, C]), `"targets"` (the
        true target frames), `"target_views"` [B, Q, V], `"target_valid"` [B, Q] and `"kl"` [B].
        """
        num_frames = frames.shape[1]
        num_slots = min(self.max_targets, num_frames)
        representations = self.represent(frames, views)
        r_context = masked_sum(representations, context_mask)
        selection, valid = self.target_selection(target_mask, num_slots)
        targets = ops.einsum("bqn,bnhwc->bqhwc", selection, frames)
        target_views = ops.einsum("bqn,bnv->bqv", selection, views)
        flat_views = ops.reshape(target_views, (-1, self.viewpoint_size))
        latent_shape = (self.latent_size, self.latent_size)
        if self.per_target_latents:
            target_representations = ops.einsum("bqn,bnhwc->bqhwc", selection, representations)
            r_target = ops.reshape(
                target_representations, (-1, *latent_shape, REPRESENTATION_LAYERS[-1][0])
            )
            r_context = ops.repeat(r_context, num_slots, axis=0)
            noise = self.latent_noise(ops.shape(r_target)[0], sample)
            z, kl = self.draw_latents(r_context, r_target, noise, query_views=flat_views)
            kl = ops.sum(ops.reshape(kl, (-1, num_slots)) * valid, axis=1)
        else:
            r_target = masked_sum(representations, target_mask)
            noise = self.latent_noise(ops.shape(r_target)[0], sample)
            z, kl = self.draw_latents(r_context, r_target, noise)
            z = ops.repeat(z, num_slots, axis=0)
        rendered = self.render_frames(z, flat_views)
        rendered = ops.reshape(rendered, (-1, num_slots, *rendered.shape[1:]))
        return {
            "frames": rendered,
            "targets": targets,
            "target_views": target_views,
            "target_valid": valid,
            "context_mask": context_mask,
            "kl": kl,
        }

    def latent_noise(self, batch_size, sample, seed=None):
        shape = self.latent_noise_shape(batch_size)
        if not sample:
            return ops.zeros(shape)
        return keras.random.normal(shape, seed=self.seed_generator if seed is None else seed)

    def call(self, inputs, training=False):
        if "query_views" in inputs:  # a sampling request from `render`
            # noise [B, samples, latents per sample (1 for JUMP, Q for GQN), nt, h, w, nf_z]
            noise = inputs["noise"]
            rendered = self.sample_scene(
                inputs["context_frames"],
                inputs["context_views"],
                inputs["context_mask"],
                inputs["query_views"],
                ops.reshape(noise, (-1, *noise.shape[3:])),
                num_samples=noise.shape[1],
            )
            return ops.reshape(rendered, (-1, noise.shape[1], *ops.shape(rendered)[1:]))
        frames, views = self.scene_from_inputs(inputs)
        if "context_mask" in inputs:
            context_mask = ops.cast(inputs["context_mask"], "float32")
            target_mask = ops.cast(inputs["target_mask"], "float32")
        else:
            context_mask, target_mask = self.random_split(ops.shape(frames)[0], frames.shape[1])
        return self.scene_pass(frames, views, context_mask, target_mask, training=training)

    # --- objective ----------------------------------------------------------------------------

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        variance = self.pixel_variance
        pixels = self.image_size**2 * self.channels
        squared = ops.sum(ops.square(y_pred["targets"] - y_pred["frames"]), axis=(2, 3, 4))
        per_target = 0.5 * squared / variance + 0.5 * pixels * ops.log(2.0 * math.pi * variance)
        nll = ops.sum(per_target * y_pred["target_valid"], axis=1)
        self.pixel_variance_tracker.update_state(variance)
        return self.elbo_loss(nll, y_pred["kl"], training)

    # --- sampling -----------------------------------------------------------------------------

    def render(
        self,
        context_frames,
        context_views,
        query_views,
        num_samples: int = 1,
        seed=None,
        context_mask=None,
        batch_size: int = 32,
        verbose="auto",
    ) -> np.ndarray:
        """Samples frames at query viewpoints given a context (section 3.2).

        For JUMP each sample draws one latent per scene from the prior `P_phi(z | r)` and renders
        every query from it, so a sample is one coherent set of frames; for GQN every query gets
        its own latent.

        Args:
            context_frames: `[B, M, H, W, C]` uint8 or floats in [0, 1].
            context_views: `[B, M, V]` viewpoints of the context frames.
            query_views: `[B, Q, V]` viewpoints to render.
            num_samples: sampled sets per scene.
            seed: same seed, same samples.
            context_mask: optional `[B, M]` 0/1 marking the real context frames of each scene
                (scenes with fewer frames are padded); every scene needs at least one.
            batch_size: scenes per compiled call.
            verbose: Keras progress-bar verbosity.

        Returns:
            float32 numpy `[B, num_samples, Q, H, W, C]` in [0, 1].
        """
        from keras_dynscene.data.video_validation import to_float_video

        name = type(self).__name__
        frames = to_float_video(context_frames, name="context_frames")
        views = np.asarray(context_views, dtype="float32")
        queries = np.asarray(query_views, dtype="float32")
        self.check_scene_shapes(frames.shape, views.shape, "context")
        batch, num_context = frames.shape[:2]
        if (
            queries.ndim != 3
            or queries.shape[0] != batch
            or queries.shape[2] != self.viewpoint_size
        ):
            raise ValueError(
                f"{name}.render: expected query_views shaped [{batch}, queries, "
                f"{self.viewpoint_size}], received {queries.shape}."
            )
        mask = np.ones((batch, num_context), "float32")
        if context_mask is not None:
            mask = np.asarray(context_mask, dtype="float32")
            if mask.shape != (batch, num_context):
                raise ValueError(
                    f"{name}.render: expected context_mask shaped {(batch, num_context)}, "
                    f"received {mask.shape}."
                )
        if num_context == 0 or np.any(mask.sum(axis=1) == 0):
            raise ValueError(
                f"{name}.render: every scene needs at least one context frame; received "
                f"{num_context} context frames with per-scene counts {mask.sum(axis=1).tolist()}."
            )
        if int(num_samples) < 1:
            raise ValueError(f"{name}.render: expected num_samples >= 1, received {num_samples}.")
        num_samples, num_queries = int(num_samples), queries.shape[1]
        generator = keras.random.SeedGenerator(seed)
        noise = self.latent_noise(
            self.scene_noise_batch(batch * num_samples, num_queries), True, seed=generator
        )
        noise = ops.convert_to_numpy(noise)
        request = {
            "context_frames": frames,
            "context_views": views,
            "context_mask": mask,
            "query_views": queries,
            "noise": noise.reshape(batch, num_samples, -1, *noise.shape[1:]),
        }
        # Keras' compiled predict loop (tf.function / jax.jit / torch) with a progress bar.
        return self.predict(request, batch_size=batch_size, verbose=verbose)

    def scene_noise_batch(self, num_scenes: int, num_queries: int) -> int:
        """Leading size of the latent noise of `sample_scene`: one latent per scene for JUMP,
        one per query for GQN."""
        return num_scenes * num_queries if self.per_target_latents else num_scenes

    def sample_scene(
        self, context_frames, context_views, context_mask, query_views, noise, num_samples=1
    ):
        """Tensor-level sampling behind `render` and the exported `render` endpoint.

        The context is encoded once per scene; its representation is repeated for the samples.

        Args:
            context_frames: float `[B, M, H, W, C]` in [0, 1].
            context_views: `[B, M, V]`.
            context_mask: `[B, M]`, 1 for real context frames.
            query_views: `[B, Q, V]`.
            noise: standard normal `latent_noise_shape(scene_noise_batch(B * S, Q))`.
            num_samples: `S`, sampled sets per scene (a Python int).

        Returns:
            Rendered frames `[B * S, Q, H, W, C]`, the samples of a scene adjacent.
        """
        num_queries = ops.shape(query_views)[1]  # dynamic inside an exported signature
        representations = self.represent(context_frames, context_views)
        r_context = ops.repeat(masked_sum(representations, context_mask), num_samples, axis=0)
        query_views = ops.repeat(query_views, num_samples, axis=0)
        flat_queries = ops.reshape(query_views, (-1, self.viewpoint_size))
        if self.per_target_latents:
            r_context = ops.repeat(r_context, num_queries, axis=0)
            z, _ = self.draw_latents(r_context, None, noise, query_views=flat_queries)
        else:
            z, _ = self.draw_latents(r_context, None, noise)
            z = ops.repeat(z, num_queries, axis=0)
        rendered = self.render_frames(z, flat_queries)
        return ops.reshape(rendered, (-1, num_queries, *rendered.shape[1:]))

    def posterior_kl(self, frames, views, context_mask, target_mask):
        """KL from the posterior given the targets to the prior given the context, per scene
        (posterior means through the DRAW steps, no random draws); section 4.2's KL_1 / KL_3.

        Args:
            frames: `[B, N, H, W, C]` uint8 or floats in [0, 1].
            views: `[B, N, V]`.
            context_mask, target_mask: `[B, N]` 0/1 masks of the context and target frames.

        Returns:
            float32 numpy `[B]`.
        """
        frames = ops.convert_to_tensor(frames)
        if keras.backend.standardize_dtype(frames.dtype) == "uint8":
            frames = ops.cast(frames, "float32") / 255.0
        arrays = [ops.convert_to_tensor(a, "float32") for a in (views, context_mask, target_mask)]
        self.check_scene_shapes(tuple(frames.shape), tuple(arrays[0].shape), "scene")
        self.check_target_counts(ops.convert_to_numpy(arrays[2]))
        outputs = self.scene_pass(ops.cast(frames, "float32"), *arrays, sample=False)
        return ops.convert_to_numpy(outputs["kl"]).astype("float32")

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "image_size": self.image_size,
                "channels": self.channels,
                "viewpoint_size": self.viewpoint_size,
                "max_context": self.max_context,
                "max_targets": self.max_targets,
                "num_draw_steps": self.num_draw_steps,
                "nf_to_hidden": self.nf_to_hidden,
                "nf_enc": self.nf_enc,
                "nf_to_obs": self.nf_to_obs,
                "nf_dec": self.nf_dec,
                "nf_z": self.nf_z,
                "stride_to_hidden": self.stride_to_hidden,
                "stride_to_obs": self.stride_to_obs,
                "pixel_variance": keras.saving.serialize_keras_object(self.pixel_variance_schedule),
                "per_target_latents": self.per_target_latents,
                "kl_warmup_steps": self.kl_warmup_steps,
                "kl_weight_max": self.kl_weight_max,
                "video_key": self.video_key,
                "viewpoint_key": self.viewpoint_key,
                "seed": self.seed,
            }
        )
        return config


@dynscene_export
class GQN(JUMP):
    """The GQN baseline of Kumar et al. 2018 (sections 4.1-4.2): `JUMP` with
    `per_target_latents=True`. Each target frame gets its own latent from a conv-DRAW prior
    conditioned on the context representation and the query viewpoint (posterior: that target
    only), so frames sampled for several queries are independent given the context and need not
    form one coherent scene. Same arguments as `JUMP`.

    Example:
    ```python
    model = GQN.from_preset("gqn_narratives_cpu")
    ```

    Reference:
        Eslami et al., "Neural scene representation and rendering", Science 2018; Kumar et al.,
        "Consistent Generative Query Networks", 2018.
    """

    architecture_presets = GQN_PRESETS

    def __init__(self, per_target_latents=True, **kwargs):
        super().__init__(per_target_latents=per_target_latents, **kwargs)
