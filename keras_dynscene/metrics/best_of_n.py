"""Best-of-N evaluation of stochastic video predictions (the SVG / SAVP protocol)."""

from collections.abc import Callable

from keras import ops

REDUCTIONS = ("best", "mean", "worst")


def best_of_n(
    metric_fn: Callable,
    samples,
    target,
    higher_is_better: bool = True,
    reduction: str = "best",
) -> dict:
    """Scores N predicted videos per sequence against the truth and keeps the chosen sample.

    For each test sequence the model draws N samples; the standard protocol (Denton & Fergus,
    2018; Lee et al., 2018) reports the sample whose time-averaged metric is best for that
    sequence, per time step and averaged over time. The metric runs once over all frames of all
    samples: the target is broadcast over N and the `B * N * T` frame pairs form one batch.

    Args:
        metric_fn: per-image metric mapping two `[M, H, W, C]` batches to `[M]` values, e.g.
            `ssim`, `psnr`, `mse` or an LPIPS distance.
        samples: predicted videos shaped `[B, N, T, H, W, C]`.
        target: true videos shaped `[B, T, H, W, C]`.
        higher_is_better: True for similarities (SSIM, PSNR), False for distances (MSE, LPIPS).
        reduction: `"best"` keeps the best sample per sequence, `"worst"` the worst one, and
            `"mean"` averages over the N samples.

    Returns:
        A dict with `"per_sample"` `[B, N, T]` (every frame's metric), `"per_step"` `[B, T]` and
        `"per_sequence"` `[B]` (the chosen sample's metric per step and averaged over time), and,
        for `"best"` and `"worst"`, `"index"` `[B]` (int, the chosen sample per sequence).

    Example:
    ```python
    samples = keras.random.uniform((2, 5, 10, 64, 64, 1))  # 5 samples of 10 future frames
    target = keras.random.uniform((2, 10, 64, 64, 1))
    result = best_of_n(ssim, samples, target)
    curve = ops.mean(result["per_step"], axis=0)  # [10], the best-sample SSIM per time step
    ```
    """
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"best_of_n: expected reduction in {REDUCTIONS}, received {reduction!r}. Use 'best' "
            "for the standard best-of-N protocol."
        )
    samples = ops.convert_to_tensor(samples)
    target = ops.convert_to_tensor(target)
    if len(samples.shape) != 6 or len(target.shape) != 5:
        raise ValueError(
            "best_of_n: expected samples shaped [B, N, T, H, W, C] and target shaped "
            f"[B, T, H, W, C], received {tuple(samples.shape)} and {tuple(target.shape)}. For a "
            "single sample per sequence add the N axis with samples[:, None]."
        )
    expected = (samples.shape[0], *samples.shape[2:])
    if tuple(target.shape) != expected:
        raise ValueError(
            f"best_of_n: expected target shaped {expected} to match samples "
            f"{tuple(samples.shape)} (batch, time and frame axes), received "
            f"{tuple(target.shape)}. Pass the same sequences and future frames as were predicted."
        )
    batch, num_samples, steps = ops.shape(samples)[:3]
    frame_shape = tuple(ops.shape(samples)[3:])
    target = ops.broadcast_to(ops.expand_dims(target, 1), ops.shape(samples))
    values = metric_fn(
        ops.reshape(samples, (-1, *frame_shape)), ops.reshape(target, (-1, *frame_shape))
    )
    values = ops.convert_to_tensor(values)
    num_pairs = batch * num_samples * steps
    if tuple(values.shape) != (num_pairs,):
        raise ValueError(
            "best_of_n: expected metric_fn to return one value per image pair, shaped "
            f"({num_pairs},), received shape {tuple(values.shape)}. Reduce the metric over H, W "
            "and C only."
        )
    per_sample = ops.reshape(values, (batch, num_samples, steps))
    result = {"per_sample": per_sample}
    if reduction == "mean":
        result["per_step"] = ops.mean(per_sample, axis=1)
    else:
        sequence_scores = ops.mean(per_sample, axis=2)
        pick_max = higher_is_better == (reduction == "best")
        index = (
            ops.argmax(sequence_scores, axis=1) if pick_max else ops.argmin(sequence_scores, axis=1)
        )
        chosen = ops.take_along_axis(per_sample, ops.reshape(index, (-1, 1, 1)), axis=1)
        result["per_step"] = ops.squeeze(chosen, axis=1)
        result["index"] = index
    result["per_sequence"] = ops.mean(result["per_step"], axis=1)
    return result
