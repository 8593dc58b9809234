"""Adjusted Rand index (ARI) between true and predicted segmentations, per image."""

import keras
from keras import ops


def segment_one_hot(segmentation, name: str, num_segments):
    """Flattened segment ids and their one-hot memberships, from ids or masks.

    Integer (or bool) tensors are segment ids shaped `[B, ...spatial]`; floating tensors are
    (soft) masks shaped `[B, ...spatial, K]`, converted to ids by an argmax over the last axis.

    Args:
        segmentation: the ids or masks.
        name: the argument's name, used in error messages.
        num_segments: the number of ids for id inputs, or None to infer `max id + 1`.

    Returns:
        `(one_hot, ids, spatial_shape)`: `one_hot` float32 `[B, P, K]` over the `P` pixels,
        `ids` int32 `[B, P]` and `spatial_shape` the tuple of spatial axes.

    Example:
    ```python
    one_hot, ids, spatial = segment_one_hot(np.array([[[0, 1], [1, 2]]]), "ids", None)
    ```
    """
    segmentation = ops.convert_to_tensor(segmentation)
    dtype = keras.backend.standardize_dtype(segmentation.dtype)
    shape = tuple(segmentation.shape)
    is_mask = "float" in dtype
    if not is_mask and "int" not in dtype and dtype != "bool":
        raise ValueError(
            f"adjusted_rand_index: expected {name} with an integer dtype (segment ids) or a "
            f"float dtype (masks), received dtype {dtype}. Cast ids with ops.cast(x, 'int32')."
        )
    if is_mask:
        if len(shape) < 3:
            raise ValueError(
                f"adjusted_rand_index: expected float {name} to be masks shaped "
                f"[B, ...spatial, K] (rank >= 3), received shape {shape}. Pass segment ids "
                "with an integer dtype instead, or add the batch axis with x[None]."
            )
        count = shape[-1]
        ids = ops.cast(ops.argmax(segmentation, axis=-1), "int32")
        spatial = shape[1:-1]
    else:
        if len(shape) < 2:
            raise ValueError(
                f"adjusted_rand_index: expected {name} to be segment ids shaped [B, ...spatial] "
                f"(rank >= 2), received shape {shape}. Add the batch axis with x[None]."
            )
        ids = ops.cast(segmentation, "int32")
        spatial = shape[1:]
        if num_segments is None:
            values = ops.convert_to_numpy(ids)
            if values.size and values.min() < 0:
                raise ValueError(
                    f"adjusted_rand_index: expected non-negative segment ids in {name}, received "
                    f"a minimum of {values.min()}. Relabel the segments to 0, 1, 2, ..."
                )
            count = int(values.max()) + 1 if values.size else 1
        else:
            count = num_segments
    ids = ops.reshape(ids, (ops.shape(ids)[0], -1))
    return ops.one_hot(ids, count, dtype="float32"), ids, spatial


def adjusted_rand_index(
    true_segmentation,
    predicted_segmentation,
    ignore_background: bool = False,
    background_id: int = 0,
    num_segments: int | None = None,
):
    """Adjusted Rand index of each image's predicted segmentation against the true one.

    The Rand index counts the pixel pairs on which two segmentations agree (both put the pair in
    one segment, or both split it); the adjusted Rand index (Hubert & Arabie, 1985) rescales it
    so that random labelings score 0 in expectation and identical partitions score 1, whatever
    the segment ids: `ARI = (index - expected) / (max - expected)`. It may be negative. The
    contingency table of each image comes from one einsum of one-hot memberships, so the whole
    batch is computed at once. Each value equals
    `sklearn.metrics.adjusted_rand_score(true.ravel(), predicted.ravel())`, including its
    special case: identical partitions (among them a single segment in both, a single pixel and
    no pixels at all) give exactly 1.0 instead of 0/0.

    With `ignore_background=True` this is the foreground ARI (FG-ARI) used to evaluate
    unsupervised object discovery (MONet, IODINE, Slot Attention; thesis section 10.B.2): pixels
    whose true id is `background_id` are left out, so only the split of the objects counts,
    whatever the model does with the background. An image without foreground pixels scores 1.0,
    as sklearn scores two empty labelings.

    Args:
        true_segmentation: the true segments of a batch, as integer ids shaped `[B, ...spatial]`
            (e.g. `[B, H, W]`), or as one-hot float masks shaped `[B, ...spatial, K]` (converted
            to ids by argmax, so channel `k` has id `k`).
        predicted_segmentation: the predicted segments, as integer ids shaped like the true ids,
            or as float (soft) masks `[B, ...spatial, K_pred]` such as the slots' alpha masks,
            converted to ids by argmax over the last axis. The spatial axes must match.
        ignore_background: if True, exclude the pixels whose true id is `background_id`.
        background_id: the true id of the background (the mask channel for one-hot masks).
        num_segments: the number of ids of integer inputs, whose ids must then lie in
            `[0, num_segments)`. If None it is inferred as the largest id + 1, which reads the
            values, so pass it inside `jit` / `tf.function`. Masks give their count by their
            last axis.

    Returns:
        A float32 tensor `[B]`, the ARI of each image.

    Example:
    ```python
    true_ids = keras.random.randint((8, 64, 64), 0, 5)  # [B, H, W], id 0 is the background
    slot_masks = keras.random.uniform((8, 64, 64, 7))  # [B, H, W, num_slots]
    fg_ari = adjusted_rand_index(true_ids, slot_masks, ignore_background=True, num_segments=5)
    ```

    Reference:
    - [Hubert & Arabie, 1985](https://doi.org/10.1007/BF01908075)
    - [Greff et al., 2019](https://arxiv.org/abs/1903.00450) (IODINE, foreground ARI)
    """
    if num_segments is not None and (
        not isinstance(num_segments, int) or isinstance(num_segments, bool) or num_segments < 1
    ):
        raise ValueError(
            f"adjusted_rand_index: expected num_segments to be a positive int or None, received "
            f"{num_segments!r}. Pass the number of distinct ids (largest id + 1)."
        )
    if not isinstance(background_id, int) or isinstance(background_id, bool):
        raise ValueError(
            f"adjusted_rand_index: expected background_id to be an int, received "
            f"{background_id!r}. Pass the id of the background segment, usually 0."
        )
    true_one_hot, true_ids, true_spatial = segment_one_hot(
        true_segmentation, "true_segmentation", num_segments
    )
    pred_one_hot, _, pred_spatial = segment_one_hot(
        predicted_segmentation, "predicted_segmentation", num_segments
    )
    true_batch = tuple(ops.shape(true_one_hot))[0]
    pred_batch = tuple(ops.shape(pred_one_hot))[0]
    if true_spatial != pred_spatial or true_batch != pred_batch:
        raise ValueError(
            "adjusted_rand_index: expected true and predicted segmentations with the same batch "
            f"and spatial axes, received batch {true_batch} with spatial shape {true_spatial} "
            f"and batch {pred_batch} with spatial shape {pred_spatial}. Float masks carry the "
            "segments on an extra last axis: [B, ...spatial, K]."
        )
    if ignore_background:
        foreground = ops.cast(ops.not_equal(true_ids, background_id), "float32")
        true_one_hot = true_one_hot * ops.expand_dims(foreground, -1)
    # contingency[b, i, j]: the pixels of image b in true segment i and predicted segment j.
    contingency = ops.einsum("bpi,bpj->bij", true_one_hot, pred_one_hot)
    true_sizes = ops.sum(contingency, axis=2, keepdims=True)  # [B, I, 1]
    pred_sizes = ops.sum(contingency, axis=1, keepdims=True)  # [B, 1, J]
    num_pixels = ops.sum(true_sizes, axis=1, keepdims=True)  # [B, 1, 1]
    # Unordered pixel pairs split into the four agreement classes. Each is a sum of non-negative
    # per-cell terms (no large differences), so float32 keeps its relative precision, and the
    # disagreement counts are exactly zero for identical partitions.
    same_both = 0.5 * ops.sum(contingency * (contingency - 1.0), axis=(1, 2))
    same_true_only = 0.5 * ops.sum(contingency * (true_sizes - contingency), axis=(1, 2))
    same_pred_only = 0.5 * ops.sum(contingency * (pred_sizes - contingency), axis=(1, 2))
    different_both = 0.5 * ops.sum(
        contingency * (num_pixels - true_sizes - pred_sizes + contingency), axis=(1, 2)
    )
    # (index - expected) / (max - expected), written with the pair counts as in scikit-learn.
    numerator = 2.0 * (same_both * different_both - same_true_only * same_pred_only)
    denominator = (same_both + same_true_only) * (same_true_only + different_both) + (
        same_both + same_pred_only
    ) * (same_pred_only + different_both)
    identical = ops.logical_and(ops.equal(same_true_only, 0.0), ops.equal(same_pred_only, 0.0))
    # The denominator is positive unless the partitions are identical.
    safe_denominator = ops.where(identical, 1.0, denominator)
    return ops.where(identical, 1.0, numerator / safe_denominator)


def foreground_adjusted_rand_index(
    true_segmentation,
    predicted_segmentation,
    background_id: int = 0,
    num_segments: int | None = None,
):
    """Foreground adjusted Rand index (FG-ARI): the ARI over pixels outside the true background.

    The standard object-discovery score of MONet, IODINE and Slot Attention (thesis section
    10.B.2); `adjusted_rand_index(..., ignore_background=True)`, see there for the details.

    Args:
        true_segmentation: true integer ids `[B, ...spatial]` or one-hot masks
            `[B, ...spatial, K]`.
        predicted_segmentation: predicted integer ids `[B, ...spatial]` or (soft) masks
            `[B, ...spatial, K_pred]`.
        background_id: the true id of the background, whose pixels are left out.
        num_segments: the number of ids of integer inputs, or None to infer it (eager only).

    Returns:
        A float32 tensor `[B]`, the FG-ARI of each image (1.0 for an image without foreground).

    Example:
    ```python
    fg_ari = foreground_adjusted_rand_index(true_ids, slot_masks, num_segments=5)  # [B]
    ```

    Reference:
    - [Greff et al., 2019](https://arxiv.org/abs/1903.00450)
    - [Locatello et al., 2020](https://arxiv.org/abs/2006.15055)
    """
    return adjusted_rand_index(
        true_segmentation,
        predicted_segmentation,
        ignore_background=True,
        background_id=background_id,
        num_segments=num_segments,
    )
