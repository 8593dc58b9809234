"""The best-of-N evaluation protocol of thesis 4.5.2 (Denton & Fergus 2018; Lee et al. 2018)."""

import functools
from collections.abc import Callable

import keras
import numpy as np
from tqdm.auto import tqdm

from keras_dynscene.data.video_validation import to_float_video
from keras_dynscene.metrics.best_of_n import best_of_n
from keras_dynscene.metrics.frechet_video_distance import evaluate_video_population_metrics
from keras_dynscene.metrics.lpips import lpips
from keras_dynscene.metrics.mse import mse
from keras_dynscene.metrics.power_spectral_density import video_power_spectral_density
from keras_dynscene.metrics.psnr import psnr
from keras_dynscene.metrics.ssim import ssim
from keras_dynscene.metrics.video_metric_protocol import get_video_metric_protocol

# name -> (per-image metric, higher is better)
FRAME_METRICS = {
    "ssim": (ssim, True),
    "psnr": (psnr, True),
    "mse": (mse, False),
    "lpips": (lpips, False),
}
POPULATION_METRICS = ("fvd", "i3d_fid", "inception_score")
SPECTRUM_METRICS = ("psd",)


def psd_frame_indices(horizon: int) -> list:
    """First, middle and last predicted frame (thesis figure 6.7 uses frames 1, 10, 24, 48)."""
    return sorted({0, horizon // 2, horizon - 1})


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
    population_protocol=None,
    population_options: dict | None = None,
    lpips_network: str = "alexnet",
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
        metrics: names from `FRAME_METRICS` (best-of-N per frame: ssim, psnr, mse, lpips) and
            `POPULATION_METRICS` (fvd, i3d_fid, inception_score, computed with
            `population_protocol`) and `"psd"` (power spectra of the true and of the first
            sampled future frames, at the first, middle and last predicted step).
        videos_per_chunk: videos sampled per sampler call (memory: chunk x N x horizon frames).
        seed: base seed; chunk `i` uses `seed + i`.
        description: progress-bar label.
        population_protocol: a `VideoMetricProtocol` or its name (e.g. `"smmnist_5_10"`,
            `"bair_2_28"`), required when population metrics are requested. Only its `repeats`
            first samples per video are kept for them (i.i.d. samples, so this is the protocol's
            random choice).
        population_options: extra keyword arguments of `evaluate_video_population_metrics`
            (e.g. `extractor`, `cache`, `real_data_key`, `strict`).
        lpips_network: LPIPS backbone, `"alexnet"` or `"vgg16"`.

    Returns:
        `{metric: {"per_step": [horizon], "per_step_std": [horizon], "mean": float,
        "std": float}}` with `mean` the test-set average of the per-video best time average;
        population metrics give `{"mean", "std", "per_repeat"}` and the shared
        `"population"` entry records their protocol, weights and counts.
    """
    known = set(FRAME_METRICS) | set(POPULATION_METRICS) | set(SPECTRUM_METRICS)
    unknown = sorted(set(metrics) - known)
    if unknown:
        raise ValueError(f"Unknown metrics {unknown}; available: {sorted(known)}.")
    population = [name for name in metrics if name in POPULATION_METRICS]
    spectrum = "psd" in metrics
    metrics = [name for name in metrics if name in FRAME_METRICS]
    frame_metrics = dict(FRAME_METRICS)
    frame_metrics["lpips"] = (functools.partial(lpips, network=lpips_network), False)
    if population and population_protocol is None:
        raise ValueError(
            f"evaluate_video_prediction: {population} need a population_protocol, e.g. "
            "'smmnist_5_10' or 'bair_2_28' (see keras_dynscene.metrics.VIDEO_METRIC_PROTOCOLS)."
        )
    keep = int(spectrum)
    if population:
        protocol = get_video_metric_protocol(population_protocol)
        keep = protocol.repeats
        strict = (population_options or {}).get("strict", True)
        if strict and (protocol.context_frames, protocol.predicted_frames) != (
            context_frames,
            horizon,
        ):
            raise ValueError(
                f"evaluate_video_prediction: protocol {protocol.name!r} is "
                f"{protocol.context_frames} context + {protocol.predicted_frames} predicted "
                f"frames, received {context_frames} + {horizon}. Evaluate at the protocol's "
                "horizon, choose another protocol, or pass strict=False (--non-strict)."
            )
    kept = {"context": [], "truth": [], "samples": []}
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
        if keep:
            kept["context"].append(context)
            kept["truth"].append(truth)
            kept["samples"].append(samples[:, :keep])
        for name in metrics:
            metric_fn, higher_is_better = frame_metrics[name]
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
    if spectrum:
        truth = np.concatenate(kept["truth"])
        first_samples = np.concatenate(kept["samples"])[:, 0]
        indices = psd_frame_indices(horizon)
        summary["psd"] = {
            "frame_indices": indices,
            "ground_truth": {
                key: np.asarray(value).tolist()
                for key, value in video_power_spectral_density(truth, indices).items()
            },
            "samples": {
                key: np.asarray(value).tolist()
                for key, value in video_power_spectral_density(first_samples, indices).items()
            },
        }
    if population:
        result = evaluate_video_population_metrics(
            np.concatenate(kept["truth"]),
            np.concatenate(kept["samples"]),
            np.concatenate(kept["context"]),
            protocol=population_protocol,
            metrics=population,
            seed=seed,
            sample_selection="sequential",
            **(population_options or {}),
        )
        for name in population:
            summary[name] = result.pop(name)
        summary["population"] = result
    return summary
