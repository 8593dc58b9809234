import math
import warnings

import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.distribute.replica_seed_generator import ReplicaSeedGenerator
from keras_dynscene.layers.conditional_batch_normalization import ConditionalBatchNormalization
from keras_dynscene.layers.video_frames import downsample_average
from keras_dynscene.models.cvg.cvg_presets import CVG_PRESETS
from keras_dynscene.models.cvg.first_level_generator import FirstLevelGenerator
from keras_dynscene.models.cvg.upsampling_generator import UpsamplingGenerator
from keras_dynscene.models.cvg.video_discriminator import VideoDiscriminator
from keras_dynscene.models.preset_mixin import PresetMixin
from keras_dynscene.training.gan_train_step import GANTrainStep


def hinge_discriminator_loss(real_logits, fake_logits):
    """Geometric (hinge) GAN loss of D, averaged over samples and outputs (Lim & Ye, 2017)."""
    return ops.mean(ops.relu(1.0 - real_logits)) + ops.mean(ops.relu(1.0 + fake_logits))


def hinge_generator_loss(fake_logits):
    """Hinge GAN loss of G: `-E[D(G(z))]`."""
    return -ops.mean(fake_logits)


def lower_view(video, spatial_factor, temporal_factor):
    """`f_s(f_t(x))` of thesis 6.2: every `temporal_factor`-th frame, spatially averaged down."""
    return downsample_average(video[:, ::temporal_factor], spatial_factor)


def gather_frames(video, indices):
    """`video[b, indices[b]]` for int indices `[batch, k]` (one flat gather, any backend)."""
    batch, frames = ops.shape(video)[0], video.shape[1]
    offsets = ops.arange(batch, dtype="int32")[:, None] * frames
    flat = ops.reshape(video, (-1, *video.shape[2:]))
    picked = ops.take(flat, ops.reshape(indices + offsets, (-1,)), axis=0)
    return ops.reshape(picked, (-1, indices.shape[1], *video.shape[2:]))


@dynscene_export
class CascadedVideoGAN(GANTrainStep, PresetMixin, keras.Model):
    """CVG: a cascade of video GANs, trained greedily one level at a time (thesis chapter 6).

    Level 1 generates a low-resolution, temporally subsampled video from noise (and a class
    label); each upsampling level `l` maps the level `l - 1` video to `spatial_factor` times the
    resolution and `temporal_factor` times the frames. Level `l` is trained with a hinge loss on
    the concatenated outputs of a spatial discriminator (`spatial_frames` random frames), a
    temporal one (the video at half resolution) and, for `l > 1`, the matching discriminator on
    `(x^l, x^{l-1})` pairs (eq. 6.3): real pairs are a real window and its lower view
    `f_s(f_t(x^l))`, fake pairs are a window of frozen lower-level samples and its upsampling.
    Upsampling levels train on random windows of `window_frames` lower-level frames (partial
    views, 6.2) and unroll over the whole first-level output at inference.

    Choose the level to train with `compile(level=l)`; the other levels are frozen (their weights
    are not trainable and their batch-norm statistics do not move). The discriminator is updated
    `discriminator_steps` times per generator update, each time on the same real batch with new
    fakes. Adam with lr 1e-4 (G) / 5e-4 (D) is the paper's setting; the thesis gives no betas, the
    defaults are BigGAN / DVD-GAN's (0, 0.999).

    `fit` takes TFDS examples (`{"video": uint8 [B, T, H, W, C], "label": int [B]}`), `(video,
    label)` tuples or plain videos (unconditional), `T >= num_frames` (the first `num_frames` are
    used). Videos are uint8 or float in [0, 1]; generated videos are float in [0, 1].

    Deviations (config values): sizes are small by default (`cvg_cpu`); the paper's sizes are the
    `cvg_kinetics_128` preset. Per-frame batch-norm statistics are kept for `max_frames` frame
    indices.

    Args:
        image_size: side of the final (last-level) frames.
        num_frames: frames of the final training videos (the full-length real data).
        channels: colour channels.
        num_classes: classes of the label (0: unconditional).
        noise_size: dimension of each level's noise.
        embedding_size: dimension of the class embeddings.
        spatial_factors: per upsampling level, output side / input side.
        temporal_factors: per upsampling level, output frames / input frames.
        window_frames: per upsampling level, lower-level frames of a training window (`None`:
            the whole lower-level video, no partial views).
        generator_channels: base channels of each level's generator.
        generator_multipliers: channel multipliers of each level's generator units.
        discriminator_channels: base channels of each level's discriminators.
        discriminator_multipliers: channel multipliers of each level's discriminator blocks.
        spatial_frames: frames `k` the spatial discriminator sees per video.
        discriminator_steps: D updates per G update (paper: 2).
        matching_discriminator: use the matching discriminator (off: the "No MD" ablation).
        max_frames: frame indices with batch-norm statistics.
        statistics_frames: first-level length the per-frame batch-norm statistics were
            recomputed for (`recompute_batch_norm_statistics` sets it; `None`: the statistics of
            training, which cover `frames[0]` first-level frames and each level's windows).
        seed: seed of the model's noise, frame and window sampling.
        **kwargs: base model arguments.

    Example:
    ```python
    cvg = CascadedVideoGAN.from_preset("cvg_cpu")
    cvg.compile(level=1)
    cvg.fit(tfds.load("stochastic_moving_mnist/1digit_labelled_32", split="train").batch(16))
    cvg.compile(level=2)
    cvg.fit(...)
    videos = cvg.generate(labels=[3, 7], num_frames=16, seed=0)  # [2, 32, 32, 32, 1] in [0, 1]
    ```

    Reference:
        Castrejon, Ballas, Courville, "Hierarchical Video Generation for Complex Data" (CVG),
        thesis (Castrejon 2022) chapter 6.
    """

    architecture_presets = CVG_PRESETS

    def __init__(
        self,
        image_size=32,
        num_frames=16,
        channels=1,
        num_classes=10,
        noise_size=32,
        embedding_size=32,
        spatial_factors=(2,),
        temporal_factors=(2,),
        window_frames=(4,),
        generator_channels=(16, 16),
        generator_multipliers=((4, 2, 1), (4, 2, 1)),
        discriminator_channels=(16, 16),
        discriminator_multipliers=((1, 2, 4), (1, 2, 4)),
        spatial_frames=4,
        discriminator_steps=2,
        matching_discriminator=True,
        max_frames=64,
        statistics_frames=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.image_size = image_size
        self.num_frames = num_frames
        self.channels = channels
        self.num_classes = num_classes
        self.noise_size = noise_size
        self.embedding_size = embedding_size
        self.spatial_factors = list(spatial_factors)
        self.temporal_factors = list(temporal_factors)
        self.window_frames = list(window_frames)
        self.generator_channels = list(generator_channels)
        self.generator_multipliers = [list(m) for m in generator_multipliers]
        self.discriminator_channels = list(discriminator_channels)
        self.discriminator_multipliers = [list(m) for m in discriminator_multipliers]
        self.spatial_frames = spatial_frames
        self.discriminator_steps = discriminator_steps
        self.matching_discriminator = matching_discriminator
        self.max_frames = max_frames
        self.statistics_frames = statistics_frames
        self.seed = seed
        self.sizes, self.frames = self._check_cascade()
        self.seed_generator = ReplicaSeedGenerator(seed)
        self.training_level = 1

        common = {
            "channels": channels,
            "noise_size": noise_size,
            "num_classes": num_classes,
            "embedding_size": embedding_size,
            "max_frames": max_frames,
        }
        self.generators = [
            FirstLevelGenerator(
                self.sizes[0],
                base_channels=self.generator_channels[0],
                channel_multipliers=self.generator_multipliers[0],
                name="level_1_generator",
                **common,
            )
        ]
        for level in range(2, self.num_levels + 1):
            self.generators.append(
                UpsamplingGenerator(
                    self.sizes[level - 2],
                    self.spatial_factors[level - 2],
                    self.temporal_factors[level - 2],
                    base_channels=self.generator_channels[level - 1],
                    channel_multipliers=self.generator_multipliers[level - 1],
                    name=f"level_{level}_generator",
                    **common,
                )
            )
        self.spatial_discriminators = []
        self.temporal_discriminators = []
        self.matching_discriminators = []
        for level in range(1, self.num_levels + 1):
            args = (
                self.discriminator_channels[level - 1],
                self.discriminator_multipliers[level - 1],
            )
            self.spatial_discriminators.append(
                VideoDiscriminator(
                    "spatial",
                    *args,
                    num_classes=num_classes,
                    name=f"level_{level}_spatial_discriminator",
                )
            )
            self.temporal_discriminators.append(
                VideoDiscriminator(
                    "temporal",
                    *args,
                    num_classes=num_classes,
                    input_downsample=2,
                    name=f"level_{level}_temporal_discriminator",
                )
            )
            if level > 1 and matching_discriminator:
                self.matching_discriminators.append(
                    VideoDiscriminator(
                        "matching",
                        *args,
                        num_classes=num_classes,
                        name=f"level_{level}_matching_discriminator",
                    )
                )
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")
        self._build_levels()
        self.built = True
        self._set_trainable_level(1)

    # ---- configuration ----

    @property
    def num_levels(self):
        return len(self.spatial_factors) + 1

    def _check_cascade(self):
        count = len(self.spatial_factors)
        lists = {
            "temporal_factors": self.temporal_factors,
            "window_frames": self.window_frames,
        }
        for name, values in lists.items():
            if len(values) != count:
                raise ValueError(
                    f"`{name}` needs one value per upsampling level ({count}, as "
                    f"`spatial_factors`); received {values}."
                )
        per_level = {
            "generator_channels": self.generator_channels,
            "generator_multipliers": self.generator_multipliers,
            "discriminator_channels": self.discriminator_channels,
            "discriminator_multipliers": self.discriminator_multipliers,
        }
        for name, values in per_level.items():
            if len(values) != count + 1:
                raise ValueError(
                    f"`{name}` needs one entry per level ({count + 1}); received {values}."
                )
        spatial = math.prod(self.spatial_factors)
        temporal = math.prod(self.temporal_factors)
        if self.image_size % spatial:
            raise ValueError(
                f"image_size={self.image_size} is not divisible by the cascade's spatial factors "
                f"{self.spatial_factors} (product {spatial}); choose an image size that is a "
                "multiple of it."
            )
        if self.num_frames % temporal:
            raise ValueError(
                f"num_frames={self.num_frames} is not divisible by the cascade's temporal factors "
                f"{self.temporal_factors} (product {temporal}); choose a frame count that is a "
                "multiple of it."
            )
        sizes = [self.image_size // spatial]
        frames = [self.num_frames // temporal]
        for s, t in zip(self.spatial_factors, self.temporal_factors):
            sizes.append(sizes[-1] * s)
            frames.append(frames[-1] * t)
        for level, window in enumerate(self.window_frames, start=2):
            if window is not None and not 1 <= window <= frames[level - 2]:
                raise ValueError(
                    f"window_frames={window} for level {level} must lie in [1, "
                    f"{frames[level - 2]}] (the level {level - 1} video has {frames[level - 2]} "
                    "frames); a window cannot be longer than its input."
                )
        if sizes[0] < 4 or sizes[0] % 2:
            raise ValueError(
                f"The first level would generate {sizes[0]}x{sizes[0]} frames; it needs an even "
                "size of at least 4 (the temporal discriminator halves it)."
            )
        return sizes, frames

    def level_window_frames(self, level):
        """Lower-level frames of a training window of upsampling level `level` (>= 2)."""
        window = self.window_frames[level - 2]
        return self.frames[level - 2] if window is None else window

    def training_frames(self, level):
        """Frames level `level` outputs during training."""
        if level == 1:
            return self.frames[0]
        return self.level_window_frames(level) * self.temporal_factors[level - 2]

    def _build_levels(self):
        noise = ops.zeros((1, self.noise_size))
        labels = ops.zeros((1,), dtype="int32") if self.num_classes else None
        video = self.generators[0](noise, labels=labels, frames=self.frames[0])
        for level in range(1, self.num_levels + 1):
            frames = self.training_frames(level)
            if level > 1:
                lower = video[:, : self.level_window_frames(level)]
                video = self.generators[level - 1](noise, lower, labels=labels)
            self._discriminator_logits(
                level, video[:, :frames], lower if level > 1 else None, labels, training=False
            )

    def _set_trainable_level(self, level):
        for index in range(1, self.num_levels + 1):
            trainable = index == level
            for layer in self._level_layers(index):
                layer.trainable = trainable
        self.training_level = level

    def _level_layers(self, level):
        layers = [
            self.generators[level - 1],
            self.spatial_discriminators[level - 1],
            self.temporal_discriminators[level - 1],
        ]
        if level > 1 and self.matching_discriminator:
            layers.append(self.matching_discriminators[level - 2])
        return layers

    def discriminator_variables(self):
        return [
            variable
            for layer in self._level_layers(self.training_level)[1:]
            for variable in layer.trainable_variables
        ]

    def generator_variables(self):
        return self.generators[self.training_level - 1].trainable_variables

    # ---- compile / serialization ----

    def compile(self, level=1, g_optimizer=None, d_optimizer=None, **kwargs):
        if not isinstance(level, int) or not 1 <= level <= self.num_levels:
            raise ValueError(
                f"`level` must be an int in [1, {self.num_levels}] (this cascade has "
                f"{self.num_levels} levels); received {level!r}."
            )
        self._set_trainable_level(level)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.999)
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(5e-4, beta_1=0.0, beta_2=0.999)
        discriminator_ids = {id(v) for v in self.discriminator_variables()}

        def select(variable):
            return self.d_optimizer if id(variable) in discriminator_ids else self.g_optimizer

        # Route by identity: variable paths change after deserialization.
        super().compile(optimizer=keras.optimizers.MultiOptimizer(select), **kwargs)
        self.optimizer.build(self.trainable_variables)

    def get_compile_config(self):
        if not self.compiled:
            return None
        return {
            "level": self.training_level,
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
        }

    def compile_from_config(self, config):
        self.compile(
            level=config["level"],
            g_optimizer=keras.saving.deserialize_keras_object(config["g_optimizer"]),
            d_optimizer=keras.saving.deserialize_keras_object(config["d_optimizer"]),
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "image_size": self.image_size,
                "num_frames": self.num_frames,
                "channels": self.channels,
                "num_classes": self.num_classes,
                "noise_size": self.noise_size,
                "embedding_size": self.embedding_size,
                "spatial_factors": self.spatial_factors,
                "temporal_factors": self.temporal_factors,
                "window_frames": self.window_frames,
                "generator_channels": self.generator_channels,
                "generator_multipliers": self.generator_multipliers,
                "discriminator_channels": self.discriminator_channels,
                "discriminator_multipliers": self.discriminator_multipliers,
                "spatial_frames": self.spatial_frames,
                "discriminator_steps": self.discriminator_steps,
                "matching_discriminator": self.matching_discriminator,
                "max_frames": self.max_frames,
                "statistics_frames": self.statistics_frames,
                "seed": self.seed,
            }
        )
        return config

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_real_tracker, self.d_fake_tracker]

    def update_metrics(self, logs):
        self.d_loss_tracker.update_state(logs["d_loss"])
        self.g_loss_tracker.update_state(logs["g_loss"])
        self.d_real_tracker.update_state(logs["d_real"])
        self.d_fake_tracker.update_state(logs["d_fake"])
        return {metric.name: metric.result() for metric in self.metrics}

    # ---- data ----

    def _unpack(self, data):
        labels = None
        if isinstance(data, dict):
            if "video" not in data:
                raise ValueError(
                    f"CascadedVideoGAN expects a `video` feature; received keys {sorted(data)}."
                )
            video, labels = data["video"], data.get("label")
        elif isinstance(data, (tuple, list)):
            video = data[0]
            labels = data[1] if len(data) > 1 else None
        else:
            video = data
        video = ops.convert_to_tensor(video)
        frames = video.shape[1] if len(video.shape) == 5 else None
        if len(video.shape) != 5 or (frames is not None and frames < self.num_frames):
            raise ValueError(
                f"CascadedVideoGAN expects videos [batch, frames >= {self.num_frames}, "
                f"{self.image_size}, {self.image_size}, {self.channels}]; received shape "
                f"{tuple(video.shape)}."
            )
        if tuple(video.shape[2:]) != (self.image_size, self.image_size, self.channels):
            raise ValueError(
                f"CascadedVideoGAN was built for {self.image_size}x{self.image_size}x"
                f"{self.channels} frames; received {tuple(video.shape[2:])}. Resize the data or "
                "build the model with matching image_size / channels."
            )
        if "int" in str(video.dtype):
            video = ops.cast(video, "float32") / 127.5 - 1.0
        else:
            video = ops.cast(video, "float32") * 2.0 - 1.0
        # The reshape gives the frame axis a static size (tf.data crops leave it unknown).
        video = ops.reshape(video[:, : self.num_frames], (-1, self.num_frames, *video.shape[2:]))
        if self.num_classes:
            if labels is None:
                raise ValueError(
                    f"This CascadedVideoGAN is class-conditional ({self.num_classes} classes): "
                    "give each video a `label` (a dict feature or the second tuple element), or "
                    "build it with num_classes=0."
                )
            labels = ops.cast(ops.reshape(labels, (-1,)), "int32")
        else:
            labels = None
        return video, labels

    def real_views(self, video, level):
        """The real `(x^level, x^{level-1})` of a batch: views of thesis 6.2, windowed for l > 1."""
        for index in range(self.num_levels, level, -1):
            video = lower_view(
                video, self.spatial_factors[index - 2], self.temporal_factors[index - 2]
            )
        if level == 1:
            return video, None
        temporal = self.temporal_factors[level - 2]
        window = self.training_frames(level)
        video = self._random_window(video, window, stride=temporal)
        return video, lower_view(video, self.spatial_factors[level - 2], temporal)

    def _random_window(self, video, length, stride=1):
        frames = video.shape[1]
        if length == frames:
            return video
        positions = (frames - length) // stride + 1
        batch = ops.shape(video)[0]
        starts = keras.random.randint(
            (batch, 1), 0, positions, seed=self.seed_generator, dtype="int32"
        )
        indices = starts * stride + ops.arange(length, dtype="int32")[None, :]
        return gather_frames(video, indices)

    def _sample_noise(self, batch):
        return keras.random.normal((batch, self.noise_size), seed=self.seed_generator)

    def fake_views(self, labels, batch, level, training=True):
        """A fake `(x^level, x^{level-1})` batch: frozen lower levels, then this level's window."""
        lower = self.generators[0](
            self._sample_noise(batch),
            labels=labels,
            frames=self.frames[0],
            training=training and level == 1,
        )
        if level == 1:
            return lower, None
        for index in range(2, level):
            lower = self.generators[index - 1](
                self._sample_noise(batch), lower, labels=labels, training=False
            )
        lower = ops.stop_gradient(lower)
        window = self._random_window(lower, self.level_window_frames(level))
        video = self.generators[level - 1](
            self._sample_noise(batch), window, labels=labels, training=training
        )
        return video, window

    # ---- losses ----

    def _discriminator_logits(self, level, video, lower, labels, training):
        batch, frames = ops.shape(video)[0], video.shape[1]
        k = min(self.spatial_frames, frames)
        scores = keras.random.uniform((batch, frames), seed=self.seed_generator)
        picked = ops.cast(ops.argsort(scores, axis=-1)[:, :k], "int32")
        logits = [
            self.spatial_discriminators[level - 1](
                gather_frames(video, picked), labels, training=training
            ),
            self.temporal_discriminators[level - 1](video, labels, training=training),
        ]
        if level > 1 and self.matching_discriminator:
            output_view = lower_view(
                video, self.spatial_factors[level - 2], self.temporal_factors[level - 2]
            )
            pair = ops.concatenate([lower, output_view], axis=-1)
            logits.append(self.matching_discriminators[level - 2](pair, labels, training=training))
        return ops.concatenate(logits, axis=1)

    def discriminator_loss(self, data):
        video, labels = self._unpack(data)
        level = self.training_level
        batch = ops.shape(video)[0]
        real, real_lower = self.real_views(video, level)
        fake, fake_lower = self.fake_views(labels, batch, level)
        fake = ops.stop_gradient(fake)
        real_logits = self._discriminator_logits(level, real, real_lower, labels, training=True)
        fake_logits = self._discriminator_logits(level, fake, fake_lower, labels, training=True)
        loss = hinge_discriminator_loss(real_logits, fake_logits)
        return loss, {
            "d_loss": loss,
            "d_real": ops.mean(real_logits),
            "d_fake": ops.mean(fake_logits),
        }

    def generator_loss(self, data):
        video, labels = self._unpack(data)
        batch = ops.shape(video)[0]
        level = self.training_level
        fake, fake_lower = self.fake_views(labels, batch, level)
        logits = self._discriminator_logits(level, fake, fake_lower, labels, training=True)
        loss = hinge_generator_loss(logits)
        return loss, {"g_loss": loss}

    # ---- generation ----

    def _check_labels(self, labels, num_samples):
        if not self.num_classes:
            if labels is not None:
                raise ValueError(
                    "This CascadedVideoGAN is unconditional (num_classes=0); do not pass labels."
                )
            if num_samples is None:
                raise ValueError("Pass `num_samples` to sample an unconditional CascadedVideoGAN.")
            return None, int(num_samples)
        if labels is None:
            raise ValueError(
                f"This CascadedVideoGAN is class-conditional: pass `labels`, ints in "
                f"[0, {self.num_classes - 1}], one per video."
            )
        labels_array = ops.convert_to_numpy(labels).reshape(-1)
        if labels_array.size and (labels_array.min() < 0 or labels_array.max() >= self.num_classes):
            raise ValueError(
                f"Labels must lie in [0, {self.num_classes - 1}] ({self.num_classes} classes); "
                f"received values in [{labels_array.min()}, {labels_array.max()}]."
            )
        return ops.convert_to_tensor(labels_array.astype("int32")), len(labels_array)

    def generate(
        self,
        labels=None,
        num_samples=None,
        num_frames=None,
        noise=None,
        seed=None,
        unroll="windows",
        return_all_levels=False,
    ):
        """Samples videos from the cascade, float in [0, 1].

        Args:
            labels: class per video (class-conditional models).
            num_samples: number of videos (unconditional models).
            num_frames: first-level frames (default: the trained `frames[0]`); the output has
                `num_frames * prod(temporal_factors)` frames. Longer than trained unrolls.
            noise: optional `[levels, batch, noise_size]` noise (else drawn from `seed`).
            seed: seed of the noise.
            unroll: `"windows"`: each upsampling level runs on consecutive windows of
                `window_frames` lower-level frames (one vectorized call, windows folded into
                the batch, the batch-norm statistics of training apply as they are); `"full"`:
                on the whole lower-level video at once (convolutional in time; refresh the
                per-frame statistics first with `recompute_batch_norm_statistics`).
            return_all_levels: return the list of every level's video instead of the last.

        Returns:
            `[batch, frames, image_size, image_size, channels]` float32 in [0, 1], or a list per
            level.
        """
        if unroll not in ("windows", "full"):
            raise ValueError(f"`unroll` must be 'windows' or 'full'; received {unroll!r}.")
        labels, batch = self._check_labels(labels, num_samples)
        num_frames = self.frames[0] if num_frames is None else int(num_frames)
        self._check_unroll_frames(num_frames, unroll)
        self._warn_without_statistics(num_frames, unroll)
        if noise is None:
            generator = keras.random.SeedGenerator(seed)
            noise = [
                keras.random.normal((batch, self.noise_size), seed=generator)
                for _ in range(self.num_levels)
            ]
        videos = self.generate_from_noise(noise, labels, num_frames, unroll)
        videos = [(v + 1.0) / 2.0 for v in videos]
        return videos if return_all_levels else videos[-1]

    def _check_unroll_frames(self, num_frames, unroll):
        if num_frames < 1:
            raise ValueError(f"`num_frames` must be at least 1; received {num_frames}.")
        frames = num_frames
        for level in range(2, self.num_levels + 1):
            window = self.level_window_frames(level)
            if unroll == "windows" and frames % window:
                raise ValueError(
                    f"Level {level} upsamples windows of {window} frames, but the level "
                    f"{level - 1} video has {frames}; with unroll='windows' use a first-level "
                    f"frame count whose level-{level - 1} length is a multiple of {window} "
                    "(or unroll='full')."
                )
            frames *= self.temporal_factors[level - 2]
        windows = [self.training_frames(level) for level in range(2, self.num_levels + 1)]
        # A list, so a one-level cascade (no upsampling windows) works too.
        longest = frames if unroll == "full" else max([num_frames, *windows])
        if longest > self.max_frames:
            raise ValueError(
                f"Generating {longest} frames in one pass exceeds max_frames={self.max_frames} "
                "(frame indices with batch-norm statistics); use unroll='windows' or build the "
                "model with a larger max_frames."
            )

    def frames_with_statistics(self, unroll="windows"):
        """Longest first-level unroll whose every frame index has fitted batch-norm statistics."""
        if self.statistics_frames is not None:
            return self.statistics_frames
        if unroll == "windows":
            return self.frames[0]
        # Full unrolls run each upsampling level on the whole video: training windows bound it.
        longest = self.frames[0]
        for level in range(2, self.num_levels + 1):
            upsampled = math.prod(self.temporal_factors[: level - 1])
            longest = min(longest, self.training_frames(level) // upsampled)
        return longest

    def _warn_without_statistics(self, num_frames, unroll):
        covered = self.frames_with_statistics(unroll)
        if num_frames > covered:
            warnings.warn(
                f"Generating {num_frames} first-level frames (unroll={unroll!r}), but the "
                f"per-frame batch-norm statistics cover {covered}: later frames use unfitted "
                f"statistics and degrade. Call `recompute_batch_norm_statistics({num_frames})` "
                "first (thesis 6.A; `dynscene sample --num-frames` does).",
                stacklevel=3,
            )

    def generate_from_noise(self, noise, labels, num_frames, unroll="windows"):
        """Tensor-level sampling (in [-1, 1]) from per-level noise; every level's video."""
        video = self.generators[0](noise[0], labels=labels, frames=num_frames, training=False)
        videos = [video]
        for level in range(2, self.num_levels + 1):
            generator = self.generators[level - 1]
            if unroll == "full":
                video = generator(noise[level - 1], video, labels=labels, training=False)
            else:
                video = self._upsample_windows(generator, noise[level - 1], video, labels, level)
            videos.append(video)
        return videos

    def _upsample_windows(self, generator, noise, video, labels, level):
        window = self.level_window_frames(level)
        count = video.shape[1] // window
        windows = ops.reshape(video, (-1, window, *video.shape[2:]))
        noise = ops.repeat(noise, count, axis=0)
        labels = None if labels is None else ops.repeat(labels, count, axis=0)
        upsampled = generator(noise, windows, labels=labels, training=False)
        frames = count * upsampled.shape[1]
        return ops.reshape(upsampled, (-1, frames, *upsampled.shape[2:]))

    def recompute_batch_norm_statistics(self, num_frames, passes=200, batch_size=16, seed=None):
        """The thesis' dummy forward passes (6.A): per-frame statistics for longer unrolls.

        Runs `passes` generator forward passes of `num_frames` first-level frames (upsampling
        levels on the whole lower video, as `generate(unroll="full")`), resets every conditional
        batch norm's moving statistics and replaces them with the average batch statistics of
        those passes. Labels are drawn uniformly.
        """
        self._check_unroll_frames(int(num_frames), "full")
        norms = [
            layer
            for generator in self.generators
            for layer in generator._flatten_layers()
            if isinstance(layer, ConditionalBatchNormalization)
        ]
        for norm in norms:
            norm.moving_mean.assign(ops.zeros(norm.moving_mean.shape))
            norm.moving_variance.assign(ops.ones(norm.moving_variance.shape))
        generator = keras.random.SeedGenerator(seed)
        try:
            for index in range(1, passes + 1):
                for norm in norms:
                    norm.cumulative_passes = index
                labels = (
                    keras.random.randint(
                        (batch_size,), 0, self.num_classes, seed=generator, dtype="int32"
                    )
                    if self.num_classes
                    else None
                )
                noise = [
                    keras.random.normal((batch_size, self.noise_size), seed=generator)
                    for _ in range(self.num_levels)
                ]
                video = self.generators[0](
                    noise[0], labels=labels, frames=int(num_frames), training=True
                )
                for level in range(2, self.num_levels + 1):
                    video = self.generators[level - 1](
                        noise[level - 1], video, labels=labels, training=True
                    )
        finally:
            for norm in norms:
                norm.cumulative_passes = 0
        self.statistics_frames = int(num_frames)
