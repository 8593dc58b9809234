"""Fréchet Video Distance, I3D-FID and the I3D Inception Score, with protocols recorded."""

import numpy as np

from keras_dynscene.metrics.feature_cache import FeatureCache
from keras_dynscene.metrics.frechet_distance import frechet_distance
from keras_dynscene.metrics.i3d_feature_extractor import I3DFeatureExtractor
from keras_dynscene.metrics.inception_score import inception_score
from keras_dynscene.metrics.video_metric_protocol import get_video_metric_protocol

FEATURE_OF_METRIC = {"fvd": "logits", "i3d_fid": "features"}
_DEFAULT_EXTRACTORS = {}


def default_i3d_extractor(resize_method: str = "tf1_bilinear") -> I3DFeatureExtractor:
    """One shared Kinetics-400 extractor per resize method (loading I3D takes seconds)."""
    if resize_method not in _DEFAULT_EXTRACTORS:
        _DEFAULT_EXTRACTORS[resize_method] = I3DFeatureExtractor(resize_method=resize_method)
    return _DEFAULT_EXTRACTORS[resize_method]


def frechet_video_distance(
    real_videos, generated_videos, extractor=None, feature: str = "logits", progress=False
) -> dict:
    """FVD (Unterthiner et al., 2018): Fréchet distance between I3D logits of two video sets.

    Both sets go through the same I3D preprocessing (224x224 TF1-bilinear resize, [-1, 1]);
    Gaussians are fitted in float64 with `ddof=1`. With `feature="features"` this is the I3D-FID
    of thesis 6.5.1 (last-layer activations instead of logits).

    Args:
        real_videos: `[N, T, H, W, C]` (uint8 or floats in [0, 1]; T >= 9), a dataset or an
            iterable of such batches.
        generated_videos: the same for generated videos (same T, H, W, C).
        extractor: an `I3DFeatureExtractor`; default: Kinetics-400 weights, TF1 resize.
        feature: `"logits"` (FVD) or `"features"` (I3D-FID).
        progress: show a progress bar per population.

    Returns:
        A dict with `"value"`, `"feature"`, `"num_real"`, `"num_generated"` and `"extractor"`
        (weights path and SHA-256, resize method).

    Example:
    ```python
    result = frechet_video_distance(test_videos, generated_videos)
    result["value"]
    ```

    Reference:
        - [Unterthiner et al., Towards Accurate Generative Models of Video: A New Metric &
          Challenges, 2018](https://arxiv.org/abs/1812.01717)
    """
    if feature not in ("logits", "features"):
        raise ValueError(
            f"frechet_video_distance: expected feature 'logits' (FVD) or 'features' (I3D-FID), "
            f"received {feature!r}."
        )
    extractor = extractor or default_i3d_extractor()
    real = extractor(real_videos, progress=progress)[feature]
    generated = extractor(generated_videos, progress=progress)[feature]
    return {
        "value": frechet_distance(real, generated),
        "feature": feature,
        "num_real": int(real.shape[0]),
        "num_generated": int(generated.shape[0]),
        "extractor": extractor.description(),
    }


def check_protocol_inputs(protocol, context, ground_truth, samples, strict: bool):
    if ground_truth.ndim != 5 or samples.ndim != 6:
        raise ValueError(
            "video protocol: expected ground_truth [N, T, H, W, C] and samples "
            f"[N, S, T, H, W, C], received shapes {ground_truth.shape} and {samples.shape}. Add "
            "the sample axis with samples[:, None] for one sample per video."
        )
    if samples.shape[0] != ground_truth.shape[0] or samples.shape[2:] != ground_truth.shape[1:]:
        raise ValueError(
            f"video protocol: samples {samples.shape} do not match ground_truth "
            f"{ground_truth.shape}: expected [N, S, *ground_truth.shape[1:]]."
        )
    if strict and ground_truth.shape[1] != protocol.predicted_frames:
        raise ValueError(
            f"video protocol {protocol.name!r}: expected {protocol.predicted_frames} predicted "
            f"frames, received {ground_truth.shape[1]}. Predict the protocol's horizon or pass "
            "strict=False to record a non-standard evaluation."
        )
    num_context = 0 if context is None else context.shape[1]
    if protocol.include_context and strict and num_context != protocol.context_frames:
        raise ValueError(
            f"video protocol {protocol.name!r}: expected {protocol.context_frames} context "
            f"frames, received {num_context}."
        )
    if strict and protocol.num_videos is not None and ground_truth.shape[0] != protocol.num_videos:
        raise ValueError(
            f"video protocol {protocol.name!r}: expected {protocol.num_videos} test videos, "
            f"received {ground_truth.shape[0]}. Evaluate the whole test split or pass "
            "strict=False (the result then records the actual count)."
        )


def evaluate_video_population_metrics(
    ground_truth,
    samples,
    context=None,
    protocol="bair_2_28",
    metrics=None,
    extractor=None,
    seed: int = 0,
    strict: bool = True,
    cache: FeatureCache | None = None,
    real_data_key: dict | None = None,
    inception_score_splits: int = 10,
    progress: bool = True,
    sample_selection: str = "random",
) -> dict:
    """Runs a population-metric protocol (FVD, I3D-FID, IS) on predictions of a test set.

    The real population is the test videos (with their context when the protocol says so). For
    each of `protocol.repeats` rounds one of the S samples of every test video is drawn at random
    (seeded), the context is prepended, and the metrics are computed against the real
    population; the mean and standard deviation over rounds are reported. Only the drawn samples
    go through I3D. Real-data features are cached when `cache` and `real_data_key` (e.g.
    `{"dataset": "bair_push", "split": "test"}`) are given; the key also holds the protocol and
    the weights checksum.

    Args:
        ground_truth: true future frames `[N, T, H, W, C]`.
        samples: predictions `[N, S, T, H, W, C]`.
        context: context frames `[N, C, H, W, C]`, or None for unconditional generation.
        protocol: a protocol name from `VIDEO_METRIC_PROTOCOLS` or a `VideoMetricProtocol`.
        metrics: subset of `("fvd", "i3d_fid", "inception_score")`; default `protocol.metrics`.
        extractor: an `I3DFeatureExtractor` (default Kinetics-400 with the protocol's resize).
        seed: seed of the per-round sample choice.
        strict: refuse inputs that do not match the protocol (frame counts, number of videos).
        cache: a `FeatureCache` for real-data features.
        real_data_key: what identifies the real videos (dataset, split, ...), for the cache.
        inception_score_splits: splits of the Inception Score.
        progress: show progress bars.
        sample_selection: `"random"` draws the sample of each video per round with `seed`;
            `"sequential"` uses sample `r % S` in round `r` (equivalent for i.i.d. samples, and
            lets callers keep only `repeats` samples per video in memory).

    Returns:
        A dict: for each metric `{"mean", "std", "per_repeat"}`, plus `"protocol"`,
        `"extractor"`, `"num_real"`, `"num_generated_per_repeat"`, `"samples_per_video"`,
        `"seed"`, `"strict"` and `"real_features_cached"`.

    Example:
    ```python
    result = evaluate_video_population_metrics(truth, samples, context, protocol="bair_2_28")
    result["fvd"]["mean"]
    ```
    """
    protocol = get_video_metric_protocol(protocol)
    metrics = tuple(metrics or protocol.metrics)
    unknown = set(metrics) - {"fvd", "i3d_fid", "inception_score"}
    if unknown:
        raise ValueError(
            f"evaluate_video_population_metrics: unknown metrics {sorted(unknown)}; expected a "
            "subset of ('fvd', 'i3d_fid', 'inception_score')."
        )
    if sample_selection not in ("random", "sequential"):
        raise ValueError(
            "evaluate_video_population_metrics: expected sample_selection 'random' or "
            f"'sequential', received {sample_selection!r}."
        )
    ground_truth = np.asarray(ground_truth)
    samples = np.asarray(samples)
    context = None if context is None or not protocol.include_context else np.asarray(context)
    check_protocol_inputs(protocol, context, ground_truth, samples, strict)
    extractor = extractor or default_i3d_extractor(protocol.resize_method)

    def with_context(videos):
        return videos if context is None else np.concatenate([context, videos], axis=1)

    real = None
    key = None
    if cache is not None and real_data_key is not None:
        key = {
            **real_data_key,
            "protocol": protocol.to_dict(),
            "extractor": extractor.description(),
            "num_videos": int(ground_truth.shape[0]),
        }
        real = cache.load(key)
    cached = real is not None
    if real is None:
        real = extractor(with_context(ground_truth), progress=progress)
        if key is not None:
            cache.save(key, real)

    rng = np.random.default_rng(seed)
    per_repeat = {name: [] for name in metrics}
    rows = np.arange(samples.shape[0])
    for round_index in range(protocol.repeats):
        if sample_selection == "random":
            columns = rng.integers(0, samples.shape[1], size=samples.shape[0])
        else:
            columns = np.full(samples.shape[0], round_index % samples.shape[1])
        chosen = samples[rows, columns]
        generated = extractor(with_context(chosen), progress=progress)
        for name in metrics:
            if name == "inception_score":
                splits = min(inception_score_splits, generated["logits"].shape[0])
                per_repeat[name].append(inception_score(generated["logits"], splits)["mean"])
            else:
                feature = FEATURE_OF_METRIC[name]
                per_repeat[name].append(frechet_distance(real[feature], generated[feature]))
    result = {
        name: {
            "mean": float(np.mean(values)),
            "std": float(np.std(values)),
            "per_repeat": [float(value) for value in values],
        }
        for name, values in per_repeat.items()
    }
    result.update(
        {
            "protocol": protocol.to_dict(),
            "extractor": extractor.description(),
            "num_real": int(ground_truth.shape[0]),
            "num_generated_per_repeat": int(samples.shape[0]),
            "samples_per_video": int(samples.shape[1]),
            "frames_per_video": int(
                ground_truth.shape[1] + (0 if context is None else context.shape[1])
            ),
            "seed": int(seed),
            "sample_selection": sample_selection,
            "strict": bool(strict),
            "real_features_cached": cached,
            "real_statistics_rank_deficient": bool(
                ground_truth.shape[0] <= real["logits"].shape[1]
            ),
        }
    )
    return result


def video_inception_score(videos, extractor=None, num_splits: int = 10, progress=False) -> dict:
    """Inception Score of generated videos on I3D logits (thesis 6.5.1).

    Args:
        videos: generated videos `[N, T >= 9, H, W, C]` in [0, 1] (or uint8), or batches of them.
        extractor: an `I3DFeatureExtractor` (default Kinetics-400).
        num_splits: splits of the score (10 is the standard).
        progress: show a progress bar.

    Returns:
        The `inception_score` dict plus `"extractor"`.

    Example:
    ```python
    video_inception_score(generated_videos)["mean"]
    ```
    """
    extractor = extractor or default_i3d_extractor()
    logits = extractor(videos, progress=progress)["logits"]
    return {**inception_score(logits, num_splits), "extractor": extractor.description()}


__all__ = [
    "evaluate_video_population_metrics",
    "frechet_video_distance",
    "video_inception_score",
]
