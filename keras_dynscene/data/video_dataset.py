"""tf.data pipelines from TFDS examples to model inputs (tf.data feeds every Keras backend)."""

import tensorflow as tf


def load_video_dataset(name: str, split: str, data_dir: str | None = None) -> tf.data.Dataset:
    """`tfds.load(name, split=split)` after registering keras_dynscene's builders.

    Builds the dataset on first use (procedural datasets generate locally; `bair_push`
    downloads; `cityscapes_sequences` needs the manual download described in its README).
    """
    import tensorflow_datasets as tfds

    import keras_dynscene.datasets  # noqa: F401 (registers the builders)

    try:
        builder = tfds.builder(name, data_dir=data_dir)
    except tfds.core.registered.DatasetNotFoundError as error:
        raise ValueError(
            f"Unknown dataset '{name}'. keras_dynscene provides 'stochastic_moving_mnist/1digit', "
            "'stochastic_moving_mnist/2digits', 'bair_push', 'cityscapes_sequences', "
            "'random_walk/<atomic|compositional|compositional_ood|ood_objects>' and "
            "'narratives/<traveling_salesman|color_reaction>'; any other TFDS video dataset "
            "with a 'video' feature works too."
        ) from error
    builder.download_and_prepare()
    if split.split("[")[0] not in builder.info.splits:
        raise ValueError(
            f"Dataset '{name}' has no split '{split}'; available: {sorted(builder.info.splits)}."
        )
    return builder.as_dataset(split=split, shuffle_files=False)


def video_windows(
    dataset: tf.data.Dataset,
    num_frames: int,
    random_offset: bool,
    video_key: str = "video",
    keep_keys: tuple = (),
) -> tf.data.Dataset:
    """Maps each example to `{video_key: a window of num_frames consecutive frames}`.

    With `random_offset` the window starts at a random frame (the "randomly subsample 12 frames"
    of thesis 4.5.1); otherwise at the first frame (the evaluation protocol). Features named in
    `keep_keys` (e.g. a class `label`) are kept as they are.
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
) -> tf.data.Dataset:
    """Random windows, shuffled, batched (full batches only), repeated forever, prefetched."""
    windows = video_windows(dataset.repeat(), num_frames, True, video_key, keep_keys)
    return (
        windows.shuffle(shuffle_buffer, seed=seed)
        .batch(batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )


def evaluation_batches(
    dataset: tf.data.Dataset, num_frames: int, batch_size: int, video_key: str = "video"
) -> tf.data.Dataset:
    """The first `num_frames` frames of every example, in order, batched."""
    return video_windows(dataset, num_frames, False, video_key).batch(batch_size)


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
