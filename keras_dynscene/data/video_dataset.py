"""tf.data pipelines from TFDS examples to model inputs (tf.data feeds every Keras backend)."""

import tensorflow as tf


def load_video_dataset(name: str, split: str, data_dir: str | None = None) -> tf.data.Dataset:
    """`tfds.load(name, split=split)` after registering keras_dynscene's builders.

    Builds the dataset on first use (procedural datasets generate locally; `bair_push`
    downloads; `cityscapes_sequences`, `kinetics600` and `bdd100k` need the manual downloads
    described in their READMEs; TFDS's `ucf101` downloads, or builds offline from archives
    staged with `keras_dynscene.data.ucf101_archives.stage_ucf101_archives`).
    """
    import tensorflow_datasets as tfds

    import keras_dynscene.datasets  # noqa: F401 (registers the builders)
    from keras_dynscene.data.ucf101_archives import ensure_ffmpeg_on_path

    try:
        builder = tfds.builder(name, data_dir=data_dir)
    except tfds.core.registered.DatasetNotFoundError as error:
        raise ValueError(
            f"Unknown dataset '{name}'. keras_dynscene provides 'stochastic_moving_mnist/1digit', "
            "'stochastic_moving_mnist/2digits', 'bair_push', 'cityscapes_sequences', "
            "'kinetics600/<128x128|64x64>', 'bdd100k/<256x256|128x128>', "
            "'random_walk/<atomic|compositional|compositional_ood|ood_objects>' and "
            "'narratives/<traveling_salesman|color_reaction>'; any other TFDS video dataset "
            "with a 'video' feature (e.g. 'ucf101/ucf101_1_256') works too."
        ) from error
    if not builder.is_prepared():
        # TFDS's Video feature (e.g. ucf101's) encodes video files by running `ffmpeg`.
        ensure_ffmpeg_on_path()
    builder.download_and_prepare()
    if split.split("[")[0] not in builder.info.splits:
        raise ValueError(
            f"Dataset '{name}' has no split '{split}'; available: {sorted(builder.info.splits)}."
        )
    return builder.as_dataset(split=split, shuffle_files=False)


def square_frames(video: tf.Tensor, frame_size: int) -> tf.Tensor:
    """Centre-crops frames `[..., H, W, C]` to a square and resizes them to `frame_size`.

    The crop keeps the centre `min(H, W)` square; the resize is antialiased Lanczos (as Pillow's,
    which the Kinetics-600, BDD100K and Cityscapes builders use). Integer videos (uint8 frames)
    are rounded and clipped back to their dtype; float videos stay float.

    Args:
        video: frames `[..., height, width, channels]`, e.g. one clip `[T, H, W, C]`.
        frame_size: side of the square output frames.

    Returns:
        The frames `[..., frame_size, frame_size, channels]`, in the input dtype.
    """
    if isinstance(frame_size, bool) or not isinstance(frame_size, int) or frame_size < 1:
        raise ValueError(f"`frame_size` must be a positive int; received {frame_size!r}.")
    video = tf.convert_to_tensor(video)
    shape = tf.shape(video)
    height, width, channels = shape[-3], shape[-2], video.shape[-1]
    side = tf.minimum(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    square = video[..., top : top + side, left : left + side, :]
    frames = tf.reshape(square, tf.concat([[-1, side, side], shape[-1:]], axis=0))
    resized = tf.image.resize(
        tf.cast(frames, tf.float32), (frame_size, frame_size), method="lanczos3", antialias=True
    )
    if video.dtype.is_integer:
        resized = tf.saturate_cast(tf.round(resized), video.dtype)
    else:
        resized = tf.cast(resized, video.dtype)
    output_shape = tf.concat([shape[:-3], [frame_size, frame_size], shape[-1:]], axis=0)
    resized = tf.reshape(resized, output_shape)
    return tf.ensure_shape(
        resized, video.shape[:-3].concatenate([frame_size, frame_size, channels])
    )


def resize_videos(
    dataset: tf.data.Dataset, frame_size: int, video_key: str = "video"
) -> tf.data.Dataset:
    """Maps `square_frames` over the `video_key` feature of every example (others are kept).

    E.g. TFDS's `ucf101/ucf101_1_256` (256x256 frames) to the 128x128 frames of a CVG model.
    """

    def resize(example):
        return {**example, video_key: square_frames(example[video_key], frame_size)}

    return dataset.map(resize, num_parallel_calls=tf.data.AUTOTUNE)


def video_windows(
    dataset: tf.data.Dataset,
    num_frames: int,
    random_offset: bool,
    video_key: str = "video",
    keep_keys: tuple = (),
    frame_size: int | None = None,
) -> tf.data.Dataset:
    """Maps each example to `{video_key: a window of num_frames consecutive frames}`.

    With `random_offset` the window starts at a random frame (the "randomly subsample 12 frames"
    of thesis 4.5.1); otherwise at the first frame (the evaluation protocol). Features named in
    `keep_keys` (e.g. a class `label`) are kept as they are. With `frame_size`, the window's
    frames are centre-cropped to a square and resized to `frame_size` (`square_frames`), e.g.
    for datasets stored at another size than the model's; by default they are left as stored.
    """

    def crop(example):
        video = example[video_key]
        length = tf.shape(video)[0]
        tf.debugging.assert_greater_equal(
            length,
            num_frames,
            message=f"videos must have at least {num_frames} frames for this model",
        )
        if random_offset:
            start = tf.random.uniform((), maxval=length - num_frames + 1, dtype=tf.int32)
        else:
            start = 0
        window = {video_key: video[start : start + num_frames]}
        if frame_size is not None:
            window[video_key] = square_frames(window[video_key], frame_size)
        window.update({key: example[key] for key in keep_keys})
        return window

    return dataset.map(crop, num_parallel_calls=tf.data.AUTOTUNE)


def training_batches(
    dataset: tf.data.Dataset,
    num_frames: int,
    batch_size: int,
    shuffle_buffer: int = 1024,
    seed: int | None = None,
    video_key: str = "video",
    keep_keys: tuple = (),
    frame_size: int | None = None,
) -> tf.data.Dataset:
    """Random windows, shuffled, batched (full batches only), repeated forever, prefetched.

    `frame_size` crops and resizes the frames to squares of that side (see `video_windows`).
    """
    windows = video_windows(dataset.repeat(), num_frames, True, video_key, keep_keys, frame_size)
    return (
        windows.shuffle(shuffle_buffer, seed=seed)
        .batch(batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )


def evaluation_batches(
    dataset: tf.data.Dataset,
    num_frames: int,
    batch_size: int,
    video_key: str = "video",
    frame_size: int | None = None,
) -> tf.data.Dataset:
    """The first `num_frames` frames of every example, in order, batched (`frame_size`: see
    `video_windows`)."""
    windows = video_windows(dataset, num_frames, False, video_key, frame_size=frame_size)
    return windows.batch(batch_size)


def scene_batches(
    dataset: tf.data.Dataset,
    batch_size: int,
    keys: tuple[str, ...] = ("video", "viewpoints"),
    shuffle_buffer: int = 1024,
    seed: int | None = None,
) -> tf.data.Dataset:
    """Whole scenes (the `keys` of each example, e.g. frames and viewpoints for JUMP), shuffled,
    batched (full batches only), repeated forever, prefetched. The model draws its own
    context / target split of every scene."""
    missing = [key for key in keys if key not in dataset.element_spec]
    if missing:
        raise ValueError(
            f"Expected examples with the features {list(keys)}; {missing} are missing (the "
            f"dataset has {sorted(dataset.element_spec)}). Use a dataset with per-frame "
            "viewpoints, e.g. narratives/traveling_salesman."
        )
    scenes = dataset.repeat().map(
        lambda example: {key: example[key] for key in keys}, num_parallel_calls=tf.data.AUTOTUNE
    )
    return (
        scenes.shuffle(shuffle_buffer, seed=seed)
        .batch(batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
