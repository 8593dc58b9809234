import keras
import numpy as np
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.data.video_validation import check_video_shape
from keras_dynscene.data.video_validation import to_float_video
from keras_dynscene.distribute.replica_context import scale_loss_for_replicas
from keras_dynscene.distribute.replica_seed_generator import ReplicaSeedGenerator
from keras_dynscene.layers.transformer_encoder import TransformerEncoder
from keras_dynscene.models.inferno.inferno import INFERNO

# Parts of INFERNO that the localizer discards (10.B.3): they get no gradient here.
RENDERING_LAYERS = ("object_nerf", "background_nerf", "upscaler", "slot_to_background", "lpips")
# Seed of the one slot initialization shared by every frame at inference. Drawn by numpy, so a
# model reloaded on another backend gives the same predictions (backends' RNGs differ).
INFERENCE_SLOT_SEED = 0


@dynscene_export
class SnitchLocalizer(keras.Model):
    """CATER snitch localization from INFERNO's object representations (thesis 10.4.4).

    A pretrained `INFERNO`'s inference network (CNN encoder, slot attention, slot-to-object
    MLPs; its rendering pipeline is discarded) encodes each of `num_frames` frames of a video
    into K objects. Each object of each frame is one token: its pose (7 numbers), shape code and
    appearance code concatenated, projected to `hidden_size` by a Dense layer. The background
    slot is left out: with CATER's static camera it is the same table in every video and holds
    no information about the snitch. A learned embedding of the frame index (the index within
    the clip, shared by the objects of a frame) is added to each token, a learned CLS token is
    appended at the end of the sequence, and `num_layers` pre-norm transformer blocks run over
    the `num_frames * K + 1` tokens. "The last output of the transformer" (10.B.3) is read as
    the output at that appended CLS token: a 1-hidden-layer MLP head maps it to `num_classes`
    logits, the cells of a `grid_size x grid_size` grid on the table (label `grid_size * row +
    col`, the CATER builder's labels).

    The loss is cross-entropy plus an L1 loss between the predicted and the true position, in
    grid coordinates `(row, col)`: the softmax-expected coordinates against the true cell's
    (so `|E[row] - row| + |E[col] - col|`, in cells). The encoder is fine-tuned by this loss.
    With `ssl_weight > 0` the self-supervised loss of Aloe (Ding et al., 2020) is added: one
    object per frame is masked (its projected token replaced by a learned mask token), the
    transformer's output at that token is projected back to the token size and trained to
    match the masked object's token by a squared L2 distance (summed over the token's numbers,
    averaged over the frames). This runs as a second transformer pass on `stop_gradient`
    tokens, so the SSL loss trains the transformer (projection, embeddings, blocks, SSL head)
    and never the encoder, as 10.B.3 requires. The weighted SSL loss is registered with
    `add_loss` (call returns logits only) and minimized by `compute_loss`.

    Training draws a sorted random subset of `num_frames` frames of each video from the
    model's own seed generator (40 in 10.B.3); `call` at inference takes the first
    `num_frames` frames, and `predict_location` averages the softmax over `num_test_crops`
    random crops of `num_frames` consecutive frames (10 in 10.B.3). The frames of a video share
    one slot initialization (one draw per video in training; at inference a fixed numpy draw,
    the same on every backend), so slots tend to keep their objects across frames.

    Building the localizer sets the INFERNO's rendering layers (`object_nerf`,
    `background_nerf`, `upscaler`, `slot_to_background`) non-trainable: no gradient reaches
    them here, and the optimizer keeps no state for them. Set them back to `trainable = True`
    to train the INFERNO on images again.

    `fit` and `evaluate` take TFDS examples of the `cater` builder
    (`{"video": uint8 [B, T, H, W, 3], "label": int [B]}`) or `(videos, labels)`; they report
    `cross_entropy`, `l1`, `ssl` (with `ssl_weight > 0`; unweighted, measured on training
    steps only, so `evaluate` reports 0), `top1_accuracy` and `top5_accuracy` (top-k with
    `k = min(5, num_classes)`) of the single clip `call` sees; `evaluate_localization` gives
    the thesis' crop-averaged accuracies.

    Args:
        scene_encoder: the pretrained `INFERNO` (at least one object slot).
        num_frames: frames per clip (40).
        num_layers: transformer blocks (12).
        hidden_size: transformer width (128); divisible by `num_heads`.
        num_heads: attention heads.
        intermediate_size: hidden units of each block's MLP.
        head_hidden_size: hidden units of the MLP head (128).
        num_classes: grid cells (36).
        grid_size: cells per side of the grid (6); `grid_size ** 2 == num_classes`.
        ssl_weight: weight of the SSL loss (0: off; 1e-3 in 10.B.3).
        num_test_crops: temporal crops averaged by `predict_location` (10).
        dropout: dropout rate of the embeddings and transformer blocks.
        video_key: key of the videos in TFDS example dicts.
        label_key: key of the labels in TFDS example dicts.
        seed: seed of the frame subsets, slot initializations, SSL masks and dropout.
        **kwargs: `keras.Model` arguments.

    Example:
    ```python
    inferno = INFERNO.from_preset("inferno_cater")  # pretrained on CATER frames
    model = SnitchLocalizer.from_inferno(inferno, ssl_weight=1e-3)
    model.compile(optimizer=keras.optimizers.AdamW(1e-4, weight_decay=1e-5))
    model.fit(tfds.load("cater", split="train").batch(8), epochs=500)
    probabilities = model.predict_location(test_videos, seed=0)  # [B, 36]
    accuracy = model.evaluate_localization(test_videos, test_labels, seed=0)
    ```

    Reference:
        Castrejon, "Advances in Generative Models for Dynamic Scenes", PhD thesis, 2022,
        section 10.4.4 and appendix 10.B.3; Ding et al., "Attention over Learned Object
        Embeddings Enables Complex Visual Reasoning" (Aloe), 2020; Girdhar & Ramanan,
        "CATER", ICLR 2020.
    """

    def __init__(
        self,
        scene_encoder,
        num_frames=40,
        num_layers=12,
        hidden_size=128,
        num_heads=4,
        intermediate_size=256,
        head_hidden_size=128,
        num_classes=36,
        grid_size=6,
        ssl_weight=0.0,
        num_test_crops=10,
        dropout=0.0,
        video_key="video",
        label_key="label",
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(scene_encoder, INFERNO) or scene_encoder.num_objects < 1:
            received = type(scene_encoder).__name__
            if isinstance(scene_encoder, INFERNO):
                received += f" with num_objects={scene_encoder.num_objects}"
            raise ValueError(
                "SnitchLocalizer: expected scene_encoder to be an INFERNO with at least one "
                f"object slot (its objects are the transformer's tokens), received {received}."
            )
        positive = {
            "num_frames": num_frames,
            "num_layers": num_layers,
            "hidden_size": hidden_size,
            "num_heads": num_heads,
            "intermediate_size": intermediate_size,
            "head_hidden_size": head_hidden_size,
            "num_classes": num_classes,
            "grid_size": grid_size,
            "num_test_crops": num_test_crops,
        }
        for key, value in positive.items():
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(
                    f"SnitchLocalizer: expected a positive int {key}, received {value!r}."
                )
        if grid_size**2 != num_classes:
            raise ValueError(
                f"SnitchLocalizer: expected num_classes = grid_size ** 2 (one class per cell of "
                f"the grid), received num_classes={num_classes} and grid_size={grid_size} "
                f"({grid_size}x{grid_size} = {grid_size**2} cells). CATER uses 36 and 6."
            )
        if hidden_size % num_heads:
            raise ValueError(
                f"SnitchLocalizer: expected hidden_size divisible by num_heads, received "
                f"hidden_size={hidden_size} and num_heads={num_heads}."
            )
        if ssl_weight < 0:
            raise ValueError(f"SnitchLocalizer: expected ssl_weight >= 0, received {ssl_weight}.")
        # === Config ===
        self.scene_encoder = scene_encoder
        self.num_frames = int(num_frames)
        self.num_layers = int(num_layers)
        self.hidden_size = int(hidden_size)
        self.num_heads = int(num_heads)
        self.intermediate_size = int(intermediate_size)
        self.head_hidden_size = int(head_hidden_size)
        self.num_classes = int(num_classes)
        self.grid_size = int(grid_size)
        self.ssl_weight = float(ssl_weight)
        self.num_test_crops = int(num_test_crops)
        self.dropout = float(dropout)
        self.video_key = video_key
        self.label_key = label_key
        self.seed = seed
        self.seed_generator = ReplicaSeedGenerator(seed)
        self.num_objects = scene_encoder.num_objects
        self.token_size = 7 + 2 * scene_encoder.code_size
        for name in RENDERING_LAYERS:
            layer = getattr(scene_encoder, name, None)
            if layer is not None:
                layer.trainable = False

        # === Layers ===
        self.token_projection = keras.layers.Dense(hidden_size, name="token_projection")
        self.embedding_dropout = keras.layers.Dropout(dropout, seed=seed, name="embedding_dropout")
        self.transformer_blocks = [
            TransformerEncoder(
                num_heads,
                intermediate_size,
                dropout=dropout,
                seed=None if seed is None else seed + 2 * (index + 1),
                name=f"transformer_block_{index}",
            )
            for index in range(num_layers)
        ]
        self.final_norm = keras.layers.LayerNormalization(epsilon=1e-5, name="final_norm")
        self.head_hidden = keras.layers.Dense(
            head_hidden_size, activation="relu", name="head_hidden"
        )
        self.head_output = keras.layers.Dense(num_classes, name="head_output")
        self.ssl_head = None
        if self.ssl_weight > 0:
            self.ssl_head = keras.layers.Dense(self.token_size, name="ssl_head")

        # === Metrics ===
        self.cross_entropy_tracker = keras.metrics.Mean(name="cross_entropy")
        self.l1_tracker = keras.metrics.Mean(name="l1")
        self.ssl_tracker = keras.metrics.Mean(name="ssl")
        self.top1_accuracy = keras.metrics.SparseCategoricalAccuracy(name="top1_accuracy")
        self.top_k = min(5, self.num_classes)
        self.top5_accuracy = keras.metrics.SparseTopKCategoricalAccuracy(
            k=self.top_k, name="top5_accuracy"
        )
        self.build()

    @classmethod
    def from_inferno(cls, inferno_model, **kwargs):
        """A localizer on a pretrained INFERNO: an `INFERNO` instance, or a preset name or
        `.keras` path for `INFERNO.from_preset`."""
        if isinstance(inferno_model, str):
            inferno_model = INFERNO.from_preset(inferno_model)
        return cls(scene_encoder=inferno_model, **kwargs)

    # --- construction -----------------------------------------------------------------------

    def build(self, input_shape=None):
        if self.built:
            return
        hidden = self.hidden_size
        self.token_projection.build((None, self.token_size))
        initializer = keras.initializers.TruncatedNormal(stddev=0.02)
        self.frame_embedding = self.add_weight(
            shape=(self.num_frames, hidden), initializer=initializer, name="frame_embedding"
        )
        self.cls_token = self.add_weight(shape=(hidden,), initializer=initializer, name="cls_token")
        if self.ssl_head is not None:
            self.mask_token = self.add_weight(
                shape=(hidden,), initializer=initializer, name="mask_token"
            )
            self.ssl_head.build((None, hidden))
        for block in self.transformer_blocks:
            block.build((None, None, hidden))
        self.final_norm.build((None, None, hidden))
        self.head_hidden.build((None, hidden))
        self.head_output.build((None, self.head_hidden_size))
        self.built = True

    @property
    def metrics(self):
        trackers = [self.cross_entropy_tracker, self.l1_tracker]
        if self.ssl_weight > 0:
            trackers.append(self.ssl_tracker)
        return [*super().metrics[:1], *trackers, self.top1_accuracy, self.top5_accuracy]

    @property
    def grid_coordinates(self):
        """`[num_classes, 2]` float32 `(row, col)` of each cell (`label = grid_size * row +
        col`)."""
        cells = np.arange(self.num_classes)
        return np.stack([cells // self.grid_size, cells % self.grid_size], -1).astype("float32")

    # --- input adapter ----------------------------------------------------------------------

    def video_from_inputs(self, inputs):
        """TFDS dict (`video_key`) or a video batch -> float `[B, T, H, W, C]` in [0, 1]."""
        if isinstance(inputs, dict):
            if self.video_key not in inputs:
                raise ValueError(
                    f"SnitchLocalizer: expected the videos under '{self.video_key}' of the input "
                    f"dict, received keys {sorted(inputs)}. Pass `video_key=` when building the "
                    "model."
                )
            inputs = inputs[self.video_key]
        self.check_video_shape(tuple(inputs.shape), "videos")
        if keras.backend.standardize_dtype(inputs.dtype) == "uint8":
            return ops.cast(inputs, "float32") / 255.0
        return ops.cast(inputs, "float32")

    def check_video_shape(self, shape, name):
        frames = shape[1] if len(shape) > 1 else None
        check_video_shape(
            shape,
            name=name,
            image_size=self.scene_encoder.image_size,
            channels=self.scene_encoder.channels,
            min_frames=self.num_frames,
            fix=f"Lower num_frames (the clip length, now {self.num_frames}) to at most the "
            f"video length{'' if frames is None else f' ({frames})'}, or pass longer videos.",
        )

    def labels_from(self, x, y):
        """The labels of a batch: `x[label_key]` of a TFDS dict, else `y`."""
        if isinstance(x, dict) and self.label_key in x:
            return x[self.label_key]
        if isinstance(y, dict):
            y = y.get(self.label_key)
        if y is None:
            keys = sorted(x) if isinstance(x, dict) else "none (not a dict)"
            raise ValueError(
                f"SnitchLocalizer: expected the labels under '{self.label_key}' of the input "
                f"dict or as `y`, received input keys {keys} and no `y`. Pass `label_key=` or "
                "fit on (videos, labels)."
            )
        return y

    # --- forward pass -----------------------------------------------------------------------

    def sample_frames(self, video):
        """A sorted random subset of `num_frames` frames of each video (training clips)."""
        shape = ops.shape(video)
        batch, length = shape[0], shape[1]
        scores = keras.random.uniform((batch, length), seed=self.seed_generator)
        chosen = ops.sort(ops.argsort(scores, axis=1)[:, : self.num_frames], axis=1)
        # One flat gather: `take_along_axis` does not broadcast the frame axes on every backend.
        offsets = ops.arange(batch, dtype="int32")[:, None] * ops.cast(length, "int32")
        flat_index = ops.reshape(ops.cast(chosen, "int32") + offsets, (-1,))
        frames = ops.take(ops.reshape(video, (-1, *video.shape[2:])), flat_index, axis=0)
        return ops.reshape(frames, (-1, self.num_frames, *video.shape[2:]))

    def slot_noise(self, batch_size, training):
        """Slot initialization noise `[B * num_frames, K + 1, D]`, shared by a video's frames."""
        if training:
            noise = self.scene_encoder.slot_noise(batch_size, seed=self.seed_generator)[:, None]
        else:
            shape = (1, 1, self.num_objects + 1, self.scene_encoder.slot_size)
            draw = np.random.default_rng(INFERENCE_SLOT_SEED).standard_normal(shape)
            noise = ops.convert_to_tensor(draw.astype("float32"))
        per_frame = ops.zeros((batch_size, self.num_frames, 1, 1)) + noise
        return ops.reshape(per_frame, (-1, *noise.shape[2:]))

    def object_tokens(self, clips, training=False):
        """Clips `[B, num_frames, H, W, C]` in [0, 1] -> object tokens `[B, num_frames, K,
        token_size]` (pose, shape code, appearance code)."""
        batch_size = ops.shape(clips)[0]
        frames = ops.reshape(clips, (-1, *clips.shape[2:]))
        scene, _ = self.scene_encoder.encode_scene(
            frames, slot_noise=self.slot_noise(batch_size, training)
        )
        tokens = ops.concatenate(
            [scene["object_pose"], scene["object_shape"], scene["object_appearance"]], axis=-1
        )
        return ops.reshape(tokens, (-1, self.num_frames, self.num_objects, self.token_size))

    def transform(self, tokens, mask=None, training=False):
        """Tokens `[B, T, K, token_size]` (and an optional float mask `[B, T, K]`, 1 where the
        mask token replaces the object) -> transformer outputs `[B, T * K + 1, hidden_size]`,
        the CLS token's last."""
        embedded = self.token_projection(tokens)
        if mask is not None:
            mask = mask[..., None]
            embedded = embedded * (1.0 - mask) + mask * self.mask_token
        embedded = embedded + self.frame_embedding[None, :, None, :]
        sequence = ops.reshape(embedded, (-1, self.num_frames * self.num_objects, self.hidden_size))
        cls = ops.zeros_like(sequence[:, :1]) + self.cls_token
        x = self.embedding_dropout(ops.concatenate([sequence, cls], axis=1), training=training)
        for block in self.transformer_blocks:
            x = block(x, training=training)
        return self.final_norm(x)

    def classify(self, tokens, training=False):
        """Object tokens -> logits `[B, num_classes]`."""
        last = self.transform(tokens, training=training)[:, -1]
        return self.head_output(self.head_hidden(last))

    def ssl_loss(self, tokens, training=False):
        """Aloe's masked-object loss per example `[B]`; backpropagates into the transformer
        only."""
        observed = ops.stop_gradient(tokens)
        batch_size = ops.shape(tokens)[0]
        masked = keras.random.randint(
            (batch_size, self.num_frames), 0, self.num_objects, seed=self.seed_generator
        )
        mask = ops.one_hot(masked, self.num_objects)
        outputs = self.transform(observed, mask, training=training)[:, :-1]
        outputs = ops.reshape(outputs, (-1, self.num_frames, self.num_objects, self.hidden_size))
        predicted = self.ssl_head(ops.sum(outputs * mask[..., None], axis=2))
        target = ops.sum(observed * mask[..., None], axis=2)
        return ops.mean(ops.sum(ops.square(predicted - target), axis=-1), axis=1)

    def call(self, inputs, training=False):
        video = self.video_from_inputs(inputs)
        if training:
            clips = self.sample_frames(video)
        else:
            clips = video[:, : self.num_frames]
            # A static clip length, also when the time axis of the input is unknown (tf.data).
            clips = ops.reshape(clips, (-1, self.num_frames, *video.shape[2:]))
        tokens = self.object_tokens(clips, training=training)
        logits = self.classify(tokens, training=training)
        if training and self.ssl_weight > 0:
            # The model's own loss: the first of `self.losses` (own losses come before the
            # sublayers' and the regularizers' there, on every backend).
            self.add_loss(self.ssl_weight * ops.mean(self.ssl_loss(tokens, training=True)))
        return logits

    # --- objective --------------------------------------------------------------------------

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        labels = ops.reshape(ops.cast(self.labels_from(x, y), "int32"), (-1,))
        cross_entropy = ops.sparse_categorical_crossentropy(labels, y_pred, from_logits=True)
        coordinates = ops.convert_to_tensor(self.grid_coordinates)
        expected = ops.matmul(ops.softmax(y_pred, axis=-1), coordinates)
        l1 = ops.sum(ops.abs(expected - ops.take(coordinates, labels, axis=0)), axis=-1)
        self.cross_entropy_tracker.update_state(cross_entropy)
        self.l1_tracker.update_state(l1)
        self.top1_accuracy.update_state(labels, y_pred)
        self.top5_accuracy.update_state(labels, y_pred)
        loss = ops.mean(cross_entropy + l1)
        forward_losses = self.losses
        if forward_losses:
            loss = loss + ops.sum(ops.stack([ops.cast(v, "float32") for v in forward_losses]))
            if training and self.ssl_weight > 0:
                self.ssl_tracker.update_state(forward_losses[0] / self.ssl_weight)
        return scale_loss_for_replicas(loss)

    # --- evaluation API (numpy in, numpy out) -------------------------------------------------

    def _numpy_videos(self, videos):
        if isinstance(videos, dict):
            if self.video_key not in videos:
                raise ValueError(
                    f"SnitchLocalizer: expected the videos under '{self.video_key}', received "
                    f"keys {sorted(videos)}."
                )
            videos = videos[self.video_key]
        videos = np.asarray(videos)
        if videos.dtype != np.uint8:  # uint8 stays uint8: a quarter of the memory
            videos = to_float_video(videos, name="videos")
        self.check_video_shape(videos.shape, "videos")
        return videos

    def crop_starts(self, num_videos, video_length, seed=None):
        """First frames `[num_test_crops, num_videos]` of the random test crops of
        `num_frames` consecutive frames (same seed, same crops)."""
        if video_length < self.num_frames:
            raise ValueError(
                f"SnitchLocalizer: videos of {video_length} frames are shorter than the clip "
                f"length num_frames={self.num_frames}. Lower num_frames or pass longer videos."
            )
        starts = keras.random.randint(
            (self.num_test_crops, num_videos),
            0,
            video_length - self.num_frames + 1,
            seed=keras.random.SeedGenerator(seed),
        )
        return ops.convert_to_numpy(starts).astype("int64")

    def predict_location(self, videos, seed=None, batch_size=8, verbose=0):
        """Snitch cell probabilities, the softmax averaged over `num_test_crops` random crops
        of `num_frames` consecutive frames (10.B.3).

        Args:
            videos: `[B, T >= num_frames, H, W, C]` uint8 or floats in [0, 1] (or a dict with
                them under `video_key`).
            seed: seed of the crops.
            batch_size: clips per compiled forward pass.
            verbose: 1 shows a progress bar.

        Returns:
            float32 numpy `[B, num_classes]`, rows summing to 1.
        """
        videos = self._numpy_videos(videos)
        num_videos = videos.shape[0]
        starts = self.crop_starts(num_videos, videos.shape[1], seed)
        pairs = [(crop, video) for video in range(num_videos) for crop in range(len(starts))]
        groups = [pairs[i : i + batch_size] for i in range(0, len(pairs), batch_size)]
        progress = keras.utils.Progbar(len(groups), verbose=verbose, unit_name="batch")
        total = np.zeros((num_videos, self.num_classes), "float64")
        for index, group in enumerate(groups):
            clips = np.stack(
                [videos[v, starts[c, v] : starts[c, v] + self.num_frames] for c, v in group]
            )
            logits = np.asarray(self.predict_on_batch(clips), "float64")
            probabilities = np.exp(logits - logits.max(axis=-1, keepdims=True))
            probabilities /= probabilities.sum(axis=-1, keepdims=True)
            np.add.at(total, [v for _, v in group], probabilities)
            progress.update(index + 1)
        return (total / len(starts)).astype("float32")

    def evaluate_localization(self, videos, labels, seed=None, batch_size=8, verbose=0):
        """Top-1 and top-5 accuracy of `predict_location` (the thesis' table 10.4 protocol).

        Args:
            videos: as in `predict_location`.
            labels: int `[B]` in `[0, num_classes)` (`grid_size * row + col`).
            seed, batch_size, verbose: as in `predict_location`.

        Returns:
            A dict with `"top1_accuracy"`, `"top5_accuracy"` (top-`min(5, num_classes)`) and
            `"probabilities"` `[B, num_classes]`.
        """
        videos = self._numpy_videos(videos)
        labels = self.check_labels(labels, videos.shape[0])
        probabilities = self.predict_location(videos, seed, batch_size, verbose)
        ranking = np.argsort(-probabilities, axis=-1)
        in_top_k = np.any(ranking[:, : self.top_k] == labels[:, None], axis=-1)
        return {
            "top1_accuracy": float(np.mean(ranking[:, 0] == labels)),
            "top5_accuracy": float(np.mean(in_top_k)),
            "probabilities": probabilities,
        }

    def check_labels(self, labels, num_videos):
        """Validates numpy labels: ints `[num_videos]` in `[0, num_classes)`."""
        labels = np.asarray(labels)
        if not np.issubdtype(labels.dtype, np.integer) or labels.shape != (num_videos,):
            raise ValueError(
                f"SnitchLocalizer: expected labels as {num_videos} integers (one per video), "
                f"received dtype {labels.dtype} and shape {list(labels.shape)}."
            )
        bad = labels[(labels < 0) | (labels >= self.num_classes)]
        if bad.size:
            raise ValueError(
                f"SnitchLocalizer: expected labels in [0, {self.num_classes}) (grid_size * row "
                f"+ col on the {self.grid_size}x{self.grid_size} grid), received "
                f"{sorted(set(bad.tolist()))[:10]}. Build the model with the dataset's "
                "num_classes and grid_size."
            )
        return labels

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "scene_encoder": keras.saving.serialize_keras_object(self.scene_encoder),
                "num_frames": self.num_frames,
                "num_layers": self.num_layers,
                "hidden_size": self.hidden_size,
                "num_heads": self.num_heads,
                "intermediate_size": self.intermediate_size,
                "head_hidden_size": self.head_hidden_size,
                "num_classes": self.num_classes,
                "grid_size": self.grid_size,
                "ssl_weight": self.ssl_weight,
                "num_test_crops": self.num_test_crops,
                "dropout": self.dropout,
                "video_key": self.video_key,
                "label_key": self.label_key,
                "seed": self.seed,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["scene_encoder"] = keras.saving.deserialize_keras_object(config["scene_encoder"])
        return cls(**config)
