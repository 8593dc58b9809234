"""The best-of-N evaluation protocol of thesis 4.5.2 (Denton & Fergus 2018; Lee et al. 2018)."""

from collections.abc import Callable

import keras
import numpy as np
from tqdm.auto import tqdm

from keras_dynscene.data.video_validation import to_float_video
from keras_dynscene.metrics.best_of_n import best_of_n
from keras_dynscene.metrics.mse import mse
from keras_dynscene.metrics.psnr import psnr
from keras_dynscene.metrics.ssim import ssim

# name -> (per-image metric, higher is better)
FRAME_METRICS = {"ssim": (ssim, True), "psnr": (psnr, True), "mse": (mse, False)}


def copy_last_frame_sampler(context, horizon: int, num_samples: int, seed=None) -> np.ndarray:
    """The trivial baseline: every future frame repeats the last context frame."""
    last = np.asarray(context, "float32")[:, -1:]
    futures = np.repeat(last, horizon, axis=1)
    return np.repeat(futures[:, None], num_samples, axis=1)


def model_sampler(model, batch_size: int = 64) -> Callable:
    """Wraps `model.predict_future` as a sampler(context, horizon, num_samples, seed)."""

    def sample(context, horizon, num_samples, seed=None):
        return model.predict_future(
            context, horizon, num_samples, seed=seed, batch_size=batch_size, verbose=0
        )

    return sample


def evaluate_video_prediction(
    sampler: Callable,
    videos,
    context_frames: int,
    horizon: int,
    num_samples: int,
    metrics=("ssim", "psnr", "mse"),
    videos_per_chunk: int = 4,
    seed: int = 0,
    description: str = "evaluating",
) -> dict:
    """Best-of-N frame metrics of a sampler on test videos, per time step and averaged.

    For every test video the sampler draws `num_samples` futures from its first
    `context_frames` frames; for each metric the sample with the best time-averaged value is
    kept (per metric, as in the SVG/SAVP protocol) and its per-step values are averaged over
    the test set.

    Args:
        sampler: `sampler(context, horizon, num_samples, seed) -> [B, N, horizon, H, W, C]`.
        videos: test clips [V, >= context_frames + horizon, H, W, C], uint8 or float in [0, 1].
        context_frames: conditioning frames.
        horizon: predicted frames scored.
        num_samples: N of best-of-N.
        metrics: names from `FRAME_METRICS`.
        videos_per_chunk: videos sampled per sampler call (memory: chunk x N x horizon frames).
        seed: base seed; chunk `i` uses `seed + i`.
        description: progress-bar label.

    Returns:
        `{metric: {"per_step": [horizon], "per_step_std": [horizon], "mean": float,
        "std": float}}` with `mean` the test-set average of the per-video best time average.
    """
    unknown = sorted(set(metrics) - set(FRAME_METRICS))
    if unknown:
        raise ValueError(f"Unknown metrics {unknown}; available: {sorted(FRAME_METRICS)}.")
    videos = to_float_video(videos, name="videos")
    if videos.ndim != 5 or videos.shape[1] < context_frames + horizon:
        raise ValueError(
            f"`videos` must be [V, >= {context_frames + horizon}, H, W, C] for {context_frames} "
            f"context + {horizon} predicted frames; received shape {videos.shape}."
        )
    per_step = {name: [] for name in metrics}
    per_video = {name: [] for name in metrics}
    starts = range(0, len(videos), videos_per_chunk)
    for index, start in enumerate(tqdm(starts, desc=description, unit="chunk")):
        chunk = videos[start : start + videos_per_chunk]
        context = chunk[:, :context_frames]
        truth = chunk[:, context_frames : context_frames + horizon]
        samples = np.asarray(sampler(context, horizon, num_samples, seed + index), "float32")
        for name in metrics:
            metric_fn, higher_is_better = FRAME_METRICS[name]
            result = best_of_n(metric_fn, samples, truth, higher_is_better=higher_is_better)
            per_step[name].append(keras.ops.convert_to_numpy(result["per_step"]))
            per_video[name].append(keras.ops.convert_to_numpy(result["per_sequence"]))
    summary = {}
    for name in metrics:
        steps = np.concatenate(per_step[name], axis=0)
        sequences = np.concatenate(per_video[name], axis=0)
        summary[name] = {
            "per_step": steps.mean(axis=0).tolist(),
            "per_step_std": steps.std(axis=0).tolist(),
            "mean": float(sequences.mean()),
            "std": float(sequences.std()),
        }
    return summary
