import math

import keras
import numpy as np
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.distribute.replica_seed_generator import ReplicaSeedGenerator
from keras_dynscene.distributions.categorical import categorical_kl
from keras_dynscene.distributions.diagonal_gaussian import DiagonalGaussian
from keras_dynscene.layers.gumbel_softmax import gumbel_noise_from_uniform
from keras_dynscene.layers.gumbel_softmax import gumbel_softmax
from keras_dynscene.layers.slot_attention import SlotAttention
from keras_dynscene.layers.slot_attention_encoder import SlotAttentionEncoder
from keras_dynscene.layers.spatial_broadcast_decoder import SpatialBroadcastDecoder
from keras_dynscene.models.elbo_mixin import ELBOMixin
from keras_dynscene.models.preset_mixin import PresetMixin
from keras_dynscene.models.video_prediction_mixin import VideoPredictionMixin
from keras_dynscene.models.vim.vim_layers import EntityAttention
from keras_dynscene.models.vim.vim_layers import TransitionModules
from keras_dynscene.models.vim.vim_layers import two_layer_mlp
from keras_dynscene.models.vim.vim_presets import VIM_PRESETS


def normal_to_gumbel(noise):
    """Standard-normal noise -> standard Gumbel noise (through the normal CDF), so the shared
    sampling API can hand every model standard-normal noise."""
    uniform = 0.5 * (1.0 + ops.erf(noise / math.sqrt(2.0)))
    return gumbel_noise_from_uniform(uniform)


@dynscene_export
class VIM(ELBOMixin, VideoPredictionMixin, PresetMixin, keras.Model):
    """Variational Independent Modules: a slot-based recurrent state-space model whose slot
    dynamics are explained by M independent transition modules (thesis chapter 8).

    Generative model (eq. 8.2): slot attention on the first context frame discovers K slots
    `h_0`; at every step each slot's M candidate updates `f_m(h)` are computed by independent
    MLPs (table 8.3), a key-query attention over the candidates (8.A.1) defines the module
    selection prior `p(r | h)`, a Gumbel-softmax sample `r` picks a candidate `f`, a Gaussian
    update `z ~ p(z | f)` is drawn and `h <- LayerNorm(h + z + f)`; a spatial broadcast decoder
    renders the slots as a mixture (table 8.2). Inference (8.3.2) attends from the slots to the
    target frame (eq. 8.4) to get entity-centric encodings `x^k`, which give the selection
    posterior (query from `x^k`) and the update posterior `q(z | f, x^k)`. The ELBO (8.3.3) sums
    the reconstruction NLL, the Gaussian KL and the categorical module KL; it is minimized
    through `compute_loss`, so `fit` works on every backend.

    Variants: `select_iterations=k` is VIM-k (k select-and-update iterations between frames,
    8.5.2; `with_select_iterations(k)` changes it for testing only); `num_modules=1` is the
    monolithic ablation (8.5.1); `deterministic=True` is the SCOFF/RIM-like comparison of 8.B
    (argmax selection, no latent noise, attention to the previous ground-truth frame, trained on
    reconstruction only).

    Deviations for CPU-sized defaults (the paper sizes are the `vim_paper` preset): 32-channel
    3x3 encoder/decoder convolutions instead of 64-channel 5x5, slot size 32 instead of 64,
    hidden 64 instead of 128. The decoder's last convolution has no ReLU (masks need negative
    logits). The first frame's reconstruction from the discovered slots is part of the
    objective (`reconstruct_context`), which is the slot-attention pretraining task of 8.A.2
    kept on throughout. The sequence-length curriculum of 8.A.2 is in-graph: frames beyond
    `curriculum_start_frames + curriculum_increment * (step // curriculum_every_steps)` are
    masked out of the loss (a step counter saved with the weights, so resumed runs continue it).

    Args:
        image_size: frame side (32 for Random Walk).
        channels: frame channels.
        context_frames: frames given to the model; slots are discovered on the first, the rest
            are filtered with the inference network.
        future_frames: predicted (trained) frames after the context.
        num_slots: slots K (4 in 8.5.1).
        slot_size: slot dimension D.
        num_modules: transition modules M.
        module_hidden_size: hidden width of the modules and update networks.
        selection_size: key / query size of the module selection (64 in 8.A.1).
        select_iterations: VIM-k iterations between frames.
        deterministic: the SCOFF/RIM-like deterministic variant.
        encoder_filters, encoder_layers, encoder_kernel_size: the table 8.1 CNN.
        decoder_filters, decoder_layers, decoder_kernel_size: the table 8.2 decoder.
        slot_iterations: slot attention iterations (3).
        gumbel_temperature: Gumbel-softmax temperature in training (1 in 8.5.1).
        pixel_std: standard deviation of the Gaussian likelihood.
        reconstruct_context: include the first frame's reconstruction in the objective.
        kl_warmup_steps, kl_weight_max: KL weight warmup (`ELBOMixin`).
        curriculum_start_frames, curriculum_increment, curriculum_every_steps: sequence-length
            curriculum (8.A.2: start at 6 frames, +2 every 40 epochs); `None` start disables it.
        video_key: key of the video in TFDS example dicts.
        seed: seed of the model's random draws.
        **kwargs: `keras.Model` arguments.

    Example:
    ```python
    model = VIM(image_size=32, future_frames=5)
    model.compile(optimizer=keras.optimizers.Adam(4e-4))
    model.fit(tfds.load("random_walk/atomic", split="train").batch(16), epochs=1)
    futures = model.predict_future(context, horizon=10, num_samples=3, seed=0)
    inferred = model.infer(videos)  # masks, module selections, slot positions
    ```

    Reference:
        Castrejon, "Advances in Generative Models for Dynamic Scenes", PhD thesis 2022,
        chapter 8 (VIM: Variational Independent Modules).
    """

    architecture_presets = VIM_PRESETS

    def __init__(
        self,
        image_size=32,
        channels=3,
        context_frames=1,
        future_frames=9,
        num_slots=4,
        slot_size=32,
        num_modules=5,
        module_hidden_size=64,
        selection_size=64,
        select_iterations=1,
        deterministic=False,
        encoder_filters=32,
        encoder_layers=4,
        encoder_kernel_size=3,
        decoder_filters=32,
        decoder_layers=3,
        decoder_kernel_size=3,
        slot_iterations=3,
        gumbel_temperature=1.0,
        pixel_std=0.1,
        reconstruct_context=True,
        kl_warmup_steps=0,
        kl_weight_max=1.0,
        curriculum_start_frames=None,
        curriculum_increment=2,
        curriculum_every_steps=1000,
        video_key="video",
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        positive = {
            "image_size": image_size,
            "channels": channels,
            "context_frames": context_frames,
            "future_frames": future_frames,
            "num_slots": num_slots,
            "slot_size": slot_size,
            "num_modules": num_modules,
            "select_iterations": select_iterations,
        }
        for name, value in positive.items():
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(
                    f"VIM: expected a positive int {name}, received {value!r}. VIM needs at "
                    "least one context frame (slots are discovered on it), one predicted frame "
                    "and one module."
                )
        if pixel_std <= 0 or gumbel_temperature <= 0:
            raise ValueError(
                f"VIM: expected positive pixel_std and gumbel_temperature, received "
                f"{pixel_std} and {gumbel_temperature}."
            )
        if curriculum_start_frames is not None and curriculum_start_frames < 2:
            raise ValueError(
                "VIM: expected curriculum_start_frames >= 2 (a context frame and one predicted "
                f"frame) or None, received {curriculum_start_frames}."
            )
        self.image_size = int(image_size)
        self.channels = int(channels)
        self.context_frames = int(context_frames)
        self.future_frames = int(future_frames)
        self.num_slots = int(num_slots)
        self.slot_size = int(slot_size)
        self.num_modules = int(num_modules)
        self.module_hidden_size = module_hidden_size
        self.selection_size = selection_size
        self.select_iterations = int(select_iterations)
        self.deterministic = bool(deterministic)
        self.encoder_filters = encoder_filters
        self.encoder_layers = encoder_layers
        self.encoder_kernel_size = encoder_kernel_size
        self.decoder_filters = decoder_filters
        self.decoder_layers = decoder_layers
        self.decoder_kernel_size = decoder_kernel_size
        self.slot_iterations = slot_iterations
        self.gumbel_temperature = gumbel_temperature
        self.pixel_std = pixel_std
        self.reconstruct_context = reconstruct_context
        self.kl_warmup_steps = kl_warmup_steps
        self.kl_weight_max = kl_weight_max
        self.curriculum_start_frames = curriculum_start_frames
        self.curriculum_increment = curriculum_increment
        self.curriculum_every_steps = curriculum_every_steps
        self.video_key = video_key
        self.seed = seed
        self.seed_generator = ReplicaSeedGenerator(seed)

        self.encoder = SlotAttentionEncoder(
            encoder_filters, encoder_layers, encoder_kernel_size, name="encoder"
        )
        self.slot_attention = SlotAttention(
            num_slots, slot_size, slot_iterations, mlp_hidden_size=2 * slot_size, name="slots"
        )
        self.decoder = SpatialBroadcastDecoder(
            (image_size, image_size),
            channels,
            decoder_filters,
            decoder_layers,
            decoder_kernel_size,
            name="decoder",
        )
        self.modules_layer = TransitionModules(num_modules, module_hidden_size, name="modules")
        self.key_network = two_layer_mlp(selection_size, selection_size, "selection_key")
        self.prior_query_network = two_layer_mlp(selection_size, selection_size, "prior_query")
        self.posterior_query_network = two_layer_mlp(
            selection_size, selection_size, "posterior_query"
        )
        self.entity_attention = EntityAttention(
            selection_size, encoder_filters, name="entity_attention"
        )
        self.prior_update = two_layer_mlp(module_hidden_size, 2 * slot_size, "prior_update")
        self.posterior_update = two_layer_mlp(module_hidden_size, 2 * slot_size, "posterior_update")
        self.slot_norm = keras.layers.LayerNormalization(name="slot_update_norm")
        self.build_elbo_state(kl_warmup_steps, kl_weight_max, ("gaussian", "module"))
        self.build()

    # --- construction -----------------------------------------------------------------------

    def build(self, input_shape=None):
        if self.built:
            return
        frames = keras.KerasTensor(
            (1, self.sequence_length, self.image_size, self.image_size, self.channels)
        )
        self.posterior_pass(frames, training=False, noise=self.zero_noise(1, self.sequence_length))
        self.built = True

    def noise_shapes(self, batch_size, num_steps):
        """Standard-normal noise: slot initialization, module selection (turned into Gumbel
        noise) and Gaussian updates per step and iteration."""
        k, m, d = self.num_slots, self.num_modules, self.slot_size
        return [
            (batch_size, k, d),
            (batch_size, num_steps, self.select_iterations, k, m),
            (batch_size, num_steps, self.select_iterations, k, d),
        ]

    def zero_noise(self, batch_size, num_frames):
        return [ops.zeros(shape) for shape in self.noise_shapes(batch_size, num_frames - 1)]

    def random_noise(self, batch_size, num_frames, seed=None):
        seed = self.seed_generator if seed is None else seed
        return [
            keras.random.normal(shape, seed=seed)
            for shape in self.noise_shapes(batch_size, num_frames - 1)
        ]

    # --- one transition ----------------------------------------------------------------------

    def selection_logits(self, query, keys):
        return ops.einsum("bke,bkme->bkm", query, keys) * self.selection_size**-0.5

    def transition(self, slots, entity, gumbel, z_noise, use_posterior, training, sample):
        """One select-and-update iteration for every slot.

        Returns the new slots, the selection weights `r` [B, K, M], both selection logits and
        the Gaussian KL per slot [B, K]."""
        candidates = self.modules_layer(slots)  # [B, K, M, D]
        keys = self.key_network(candidates)
        prior_logits = self.selection_logits(self.prior_query_network(slots), keys)
        posterior_logits = None
        if entity is not None:
            posterior_logits = self.selection_logits(self.posterior_query_network(entity), keys)
        logits = posterior_logits if use_posterior else prior_logits
        if self.num_modules == 1:
            selection = ops.ones_like(logits)
        elif self.deterministic or not sample:
            one_hot = ops.one_hot(ops.argmax(logits, axis=-1), self.num_modules)
            soft = ops.softmax(logits, axis=-1)
            selection = soft + ops.stop_gradient(one_hot - soft)
        else:
            selection = gumbel_softmax(logits, gumbel, self.gumbel_temperature, hard=not training)
        chosen = ops.einsum("bkm,bkmd->bkd", selection, candidates)
        prior = DiagonalGaussian.from_params(self.prior_update(chosen))
        kl = None
        if use_posterior:
            posterior = DiagonalGaussian.from_params(
                self.posterior_update(ops.concatenate([chosen, entity], axis=-1))
            )
            update = posterior
            if not self.deterministic:
                kl = ops.sum(posterior.kl_divergence(prior), axis=-1)
        else:
            update = prior
        if self.deterministic:
            z = update.mean if use_posterior else ops.zeros_like(chosen)
        else:
            z = update.sample(noise=z_noise) if sample else update.mean
        slots = self.slot_norm(slots + z + chosen)
        return slots, selection, prior_logits, posterior_logits, kl

    # --- passes -----------------------------------------------------------------------------

    def encode_frames(self, video):
        batch, frames = ops.shape(video)[0], video.shape[1]
        flat = ops.reshape(video, (-1, self.image_size, self.image_size, self.channels))
        features = self.encoder(flat)
        return ops.reshape(features, (batch, frames, features.shape[1], features.shape[2]))

    def decode_slots(self, slot_history):
        """[B, T, K, D] -> decoder outputs with a time axis."""
        batch, frames = ops.shape(slot_history)[0], slot_history.shape[1]
        outputs = self.decoder(ops.reshape(slot_history, (-1, self.num_slots, self.slot_size)))
        return {
            name: ops.reshape(value, (batch, frames, *value.shape[1:]))
            for name, value in outputs.items()
        }

    def posterior_pass(self, video, training=False, noise=None, sample=True):
        """Inference network over a whole sequence (teacher forcing, thesis 8.3.2)."""
        frames = video.shape[1]
        features = self.encode_frames(video)
        slot_noise, gumbel_normal, z_noise = noise
        slots, attention_0 = self.slot_attention(features[:, 0], slot_noise=slot_noise)
        history, selections, kl_gaussian, kl_module = [slots], [], [], []
        prior_logits_history, posterior_logits_history = [], []
        for t in range(1, frames):
            observed = features[:, t - 1] if self.deterministic else features[:, t]
            step_kl_gaussian, step_kl_module, step_selections = 0.0, 0.0, []
            for iteration in range(self.select_iterations):
                entity, _ = self.entity_attention(slots, observed)
                slots, selection, prior_logits, posterior_logits, kl = self.transition(
                    slots,
                    entity,
                    normal_to_gumbel(gumbel_normal[:, t - 1, iteration]),
                    z_noise[:, t - 1, iteration],
                    use_posterior=True,
                    training=training,
                    sample=sample,
                )
                step_selections.append(selection)
                prior_logits_history.append(prior_logits)
                posterior_logits_history.append(posterior_logits)
                if not self.deterministic:
                    step_kl_gaussian = step_kl_gaussian + ops.sum(kl, axis=-1)
                if not self.deterministic and self.num_modules > 1:
                    step_kl_module = step_kl_module + ops.sum(
                        categorical_kl(posterior_logits, prior_logits), axis=-1
                    )
            history.append(slots)
            selections.append(ops.stack(step_selections, axis=1))
            if not self.deterministic:
                kl_gaussian.append(step_kl_gaussian)
                kl_module.append(step_kl_module)
        decoded = self.decode_slots(ops.stack(history, axis=1))
        batch = ops.shape(video)[0]
        zeros = ops.zeros((batch, frames - 1))
        return {
            "frames": decoded["image"],
            "masks": decoded["masks"][..., 0],
            "slot_images": decoded["slot_images"],
            "slots": ops.stack(history, axis=1),
            "selections": ops.stack(selections, axis=1),  # [B, T-1, k, K, M]
            "kl_gaussian": zeros if self.deterministic else ops.stack(kl_gaussian, axis=1),
            "kl_module": zeros
            if self.deterministic or self.num_modules == 1
            else ops.stack(kl_module, axis=1),
            "discovery_attention": attention_0,
        }

    def rollout(self, slots, num_steps, gumbel_normal, z_noise, sample=True, selections=None):
        """Prior transitions from `slots` for `num_steps` (or with given one-hot `selections`
        [B, steps, k, K, M], for dynamics transfer). Returns the slot history [B, steps, K, D]
        and the used selections."""
        history, used = [], []
        for t in range(num_steps):
            step = []
            for iteration in range(self.select_iterations):
                if selections is not None:
                    slots, selection = self.apply_selection(
                        slots, selections[:, t, iteration], z_noise[:, t, iteration], sample
                    )
                else:
                    slots, selection, _, _, _ = self.transition(
                        slots,
                        None,
                        normal_to_gumbel(gumbel_normal[:, t, iteration]),
                        z_noise[:, t, iteration],
                        use_posterior=False,
                        training=False,
                        sample=sample,
                    )
                step.append(selection)
            history.append(slots)
            used.append(ops.stack(step, axis=1))
        return ops.stack(history, axis=1), ops.stack(used, axis=1)

    def apply_selection(self, slots, selection, z_noise, sample):
        candidates = self.modules_layer(slots)
        chosen = ops.einsum("bkm,bkmd->bkd", selection, candidates)
        prior = DiagonalGaussian.from_params(self.prior_update(chosen))
        if self.deterministic:
            z = ops.zeros_like(chosen)
        else:
            z = prior.sample(noise=z_noise) if sample else prior.mean
        return self.slot_norm(slots + z + chosen), selection

    def filter_context(self, context, slot_noise):
        """Slots after observing the context: discovery on its first frame, then the
        inference network (argmax selections, posterior means) through the others."""
        features = self.encode_frames(context[:, :1])
        if context.shape[1] == 1:
            slots, _ = self.slot_attention(features[:, 0], slot_noise=slot_noise)
            return slots
        noise = self.zero_noise(ops.shape(context)[0], context.shape[1])
        noise[0] = slot_noise
        return self.posterior_pass(context, noise=noise, sample=False)["slots"][:, -1]

    def generate(self, context, noise):
        """Samples futures `[B, horizon, H, W, C]` in [0, 1] for context
        `[B, context_frames, H, W, C]` with explicit standard-normal noise shaped as
        `noise_shapes(B, horizon)`."""
        slot_noise, gumbel_normal, z_noise = [ops.convert_to_tensor(n) for n in noise]
        slots = self.filter_context(ops.cast(context, "float32"), slot_noise)
        history, _ = self.rollout(slots, gumbel_normal.shape[1], gumbel_normal, z_noise)
        return ops.stop_gradient(ops.clip(self.decode_slots(history)["image"], 0.0, 1.0))

    def call(self, inputs, training=False):
        if self.is_generation_request(inputs):
            return self.generate_from_request(inputs)
        video = self._video_from_inputs(inputs)
        noise = self.random_noise(ops.shape(video)[0], video.shape[1])
        return self.posterior_pass(video, training=training, noise=noise)

    # --- objective --------------------------------------------------------------------------

    def scored_frame_mask(self, num_frames):
        """1 for the frames in the current curriculum window, 0 after (all ones without one)."""
        if self.curriculum_start_frames is None:
            return ops.ones((num_frames,))
        stage = ops.cast(self.kl_step, "float32") // float(self.curriculum_every_steps)
        length = float(self.curriculum_start_frames) + float(self.curriculum_increment) * stage
        return ops.cast(ops.arange(num_frames, dtype="float32") < length, "float32")

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        video = self._video_from_inputs(x)
        frames = video.shape[1]
        mask = self.scored_frame_mask(frames)  # [T]
        squared = ops.square(video - y_pred["frames"]) / (2.0 * self.pixel_std**2)
        per_frame_nll = ops.sum(squared, axis=(2, 3, 4)) + 0.5 * math.log(
            2.0 * math.pi * self.pixel_std**2
        ) * (self.image_size**2 * self.channels)
        first = 0 if self.reconstruct_context else 1
        nll = ops.sum(per_frame_nll[:, first:] * mask[first:], axis=1)
        kl_gaussian = ops.sum(y_pred["kl_gaussian"] * mask[1:], axis=1)
        kl_module = ops.sum(y_pred["kl_module"] * mask[1:], axis=1)
        kl_terms = ops.stack([kl_gaussian, kl_module], axis=1)
        return self.elbo_loss(nll, kl_gaussian + kl_module, training, kl_terms=kl_terms)

    # --- analysis APIs ----------------------------------------------------------------------

    def infer(self, video, sample=False, seed=None, batch_size=32) -> dict:
        """Runs the inference network on videos and returns what the slots explain.

        Args:
            video: `[B, T, H, W, C]` uint8 or floats in [0, 1] (T >= 2).
            sample: sample selections and updates (Gumbel / Gaussian noise from `seed`);
                by default the argmax selection and the posterior means are used.
            seed: seed of the noise when `sample` is True.
            batch_size: videos per forward pass.

        Returns:
            A dict of numpy arrays: `"reconstructions"` `[B, T, H, W, C]`, `"masks"`
            `[B, T, K, H, W]`, `"selections"` `[B, T-1, k, K]` (module indices),
            `"positions"` `[B, T, K, 2]` (mask centroids, (row, col) in pixels) and
            `"mask_mass"` `[B, T, K]` (fraction of the image each slot explains).
        """
        from keras_dynscene.data.video_validation import to_float_video

        video = to_float_video(video, name="video")
        if (
            video.ndim != 5
            or video.shape[1] < 2
            or video.shape[2:]
            != (
                self.image_size,
                self.image_size,
                self.channels,
            )
        ):
            raise ValueError(
                "VIM.infer: expected video shaped [B, T >= 2, "
                f"{self.image_size}, {self.image_size}, {self.channels}], received "
                f"{video.shape}."
            )
        generator = keras.random.SeedGenerator(seed)
        results = []
        for start in range(0, video.shape[0], batch_size):
            chunk = video[start : start + batch_size]
            noise = self.random_noise(chunk.shape[0], chunk.shape[1], seed=generator)
            if not sample:
                # Mean selections and latents, but a sampled slot initialization: slots that
                # all start at `mu` stay identical (uniform masks), the symmetry is never broken.
                zeros = self.zero_noise(chunk.shape[0], chunk.shape[1])
                noise = [noise[0], *zeros[1:]]
            outputs = self.posterior_pass(
                ops.convert_to_tensor(chunk), training=False, noise=noise, sample=sample
            )
            outputs = {key: ops.stop_gradient(value) for key, value in outputs.items()}
            results.append(
                {
                    "reconstructions": np.clip(ops.convert_to_numpy(outputs["frames"]), 0, 1),
                    "masks": ops.convert_to_numpy(outputs["masks"]),
                    "selections": np.argmax(ops.convert_to_numpy(outputs["selections"]), -1),
                }
            )
        merged = {key: np.concatenate([r[key] for r in results]) for key in results[0]}
        merged["positions"] = mask_centroids(merged["masks"])
        merged["mask_mass"] = merged["masks"].mean(axis=(-2, -1))
        return merged

    def transfer_dynamics(self, selections, new_context, seed=None, sample=False) -> np.ndarray:
        """Applies given module selections to the slots discovered in a new scene (8.5.3).

        Args:
            selections: module indices `[B, steps, k, K]` (e.g. `infer(target)["selections"]`
                of an OOD target sequence) or one-hot `[B, steps, k, K, M]`.
            new_context: `[B, 1, H, W, C]` first frames of the scenes to animate; their slots
                are matched to the target's slot order by the caller (slot k gets the
                selections of slot k).
            seed: seed of the Gaussian updates when `sample` is True.
            sample: sample the latent updates instead of using the prior means.

        Returns:
            Rendered futures `[B, steps, H, W, C]` as float32 numpy.
        """
        selections = np.asarray(selections)
        if selections.ndim == 4:
            selections = np.eye(self.num_modules, dtype="float32")[selections]
        expected = (self.select_iterations, self.num_slots, self.num_modules)
        if selections.ndim != 5 or selections.shape[2:] != expected:
            raise ValueError(
                f"VIM.transfer_dynamics: expected selections [B, steps, {expected[0]}, "
                f"{expected[1]}] (indices) or [B, steps, *{expected}] (one-hot), received shape "
                f"{selections.shape}."
            )
        context = self.prepare_context(new_context)[:, :1]
        batch, steps = selections.shape[:2]
        noise = self.sample_noise(batch, steps, seed)
        slots = self.filter_context(ops.convert_to_tensor(context), noise[0])
        history, _ = self.rollout(
            slots,
            steps,
            noise[1],
            noise[2],
            sample=sample,
            selections=ops.convert_to_tensor(selections.astype("float32")),
        )
        frames = ops.stop_gradient(self.decode_slots(history)["image"])
        return np.clip(ops.convert_to_numpy(frames), 0.0, 1.0)

    def sample_with_masks(self, context, horizon=None, seed=None) -> dict:
        """One sampled future per context clip with what each slot renders.

        Args:
            context: `[B, >= context_frames, H, W, C]` uint8 or floats in [0, 1].
            horizon: predicted frames (default `future_frames`).
            seed: same seed, same samples.

        Returns:
            A dict of float32 numpy arrays: `"frames"` `[B, horizon, H, W, C]` in [0, 1],
            `"masks"` `[B, horizon, K, H, W]` and `"slot_images"` `[B, horizon, K, H, W, C]`.
        """
        horizon = self.future_frames if horizon is None else int(horizon)
        context = self.prepare_context(context)
        noise = [ops.convert_to_tensor(n) for n in self.sample_noise(len(context), horizon, seed)]
        slots = self.filter_context(ops.convert_to_tensor(context), noise[0])
        history, _ = self.rollout(slots, horizon, noise[1], noise[2])
        decoded = self.decode_slots(history)
        decoded = {key: ops.convert_to_numpy(ops.stop_gradient(v)) for key, v in decoded.items()}
        return {
            "frames": np.clip(decoded["image"], 0.0, 1.0),
            "masks": decoded["masks"][..., 0],
            "slot_images": np.clip(decoded["slot_images"], 0.0, 1.0),
        }

    def slot_attention_autoencoder(self):
        """A `SlotAttentionAutoEncoder` sharing this model's encoder, slot attention and decoder,
        for the first-frame pretraining of thesis 8.A.2 (fitting it trains this model's layers)."""
        from keras_dynscene.models.vim.slot_attention_autoencoder import SlotAttentionAutoEncoder

        return SlotAttentionAutoEncoder(self, name=f"{self.name}_slot_pretraining")

    def with_select_iterations(self, select_iterations: int) -> "VIM":
        """A copy with `select_iterations` changed and the same weights (VIM-k at test time)."""
        config = self.get_config()
        config["select_iterations"] = int(select_iterations)
        copy = self.__class__.from_config(config)
        copy.build()
        copy.set_weights(self.get_weights())
        return copy

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "image_size": self.image_size,
                "channels": self.channels,
                "context_frames": self.context_frames,
                "future_frames": self.future_frames,
                "num_slots": self.num_slots,
                "slot_size": self.slot_size,
                "num_modules": self.num_modules,
                "module_hidden_size": self.module_hidden_size,
                "selection_size": self.selection_size,
                "select_iterations": self.select_iterations,
                "deterministic": self.deterministic,
                "encoder_filters": self.encoder_filters,
                "encoder_layers": self.encoder_layers,
                "encoder_kernel_size": self.encoder_kernel_size,
                "decoder_filters": self.decoder_filters,
                "decoder_layers": self.decoder_layers,
                "decoder_kernel_size": self.decoder_kernel_size,
                "slot_iterations": self.slot_iterations,
                "gumbel_temperature": self.gumbel_temperature,
                "pixel_std": self.pixel_std,
                "reconstruct_context": self.reconstruct_context,
                "kl_warmup_steps": self.kl_warmup_steps,
                "kl_weight_max": self.kl_weight_max,
                "curriculum_start_frames": self.curriculum_start_frames,
                "curriculum_increment": self.curriculum_increment,
                "curriculum_every_steps": self.curriculum_every_steps,
                "video_key": self.video_key,
                "seed": self.seed,
            }
        )
        return config


def mask_centroids(masks: np.ndarray) -> np.ndarray:
    """Mask-weighted mean pixel coordinates (row, col) per slot (thesis 8.5.1):
    `[..., K, H, W]` -> `[..., K, 2]`.

    Slot attention often spreads a flat background evenly over the K slots; weighting pixels by
    what a slot explains beyond that even share, `max(mask - 1/K, 0)`, keeps the background from
    pulling every centroid to the image centre. A slot that nowhere exceeds its even share (an
    untrained model) falls back to its plain mask."""
    height, width = masks.shape[-2:]
    rows, cols = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    excess = np.maximum(masks - 1.0 / masks.shape[-3], 0.0)
    has_excess = excess.sum(axis=(-2, -1), keepdims=True) > 1e-3
    weights = np.where(has_excess, excess, masks)
    mass = weights.sum(axis=(-2, -1)) + 1e-8
    return np.stack(
        [(weights * rows).sum(axis=(-2, -1)) / mass, (weights * cols).sum(axis=(-2, -1)) / mass],
        axis=-1,
    )
