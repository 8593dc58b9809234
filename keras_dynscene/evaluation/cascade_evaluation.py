"""`dynscene evaluate` for cascaded video GANs (CVG): FVD, grounding and window coherence.

Thesis 6.5 measures a cascade by FVD/IS/FID on full-length unrolls and, for the matching
discriminator (table 6.3), by how those degrade when the upsampling level can ignore its input.
On class-labelled procedural data the same questions are asked here with three numbers:

- `fvd`: FVD (Kinetics-400 I3D logits) of label-matched generated vs real test videos, at the
  full length of the cascade, i.e. the upsampling level unrolled over several training windows.
- `grounding_error`: mean absolute difference, in [0, 1] intensity, between the last level's
  video taken down to the previous level's resolution and frame rate (the matching
  discriminator's `f_s(f_t(x^l))`) and the previous level's video. A valid upsampling has a small
  one; an upsampling level that ignores its input does not.
- `window_boundary_jump`: mean absolute frame difference across the seams between upsampling
  windows divided by the one inside windows. Independent windows jump at the seams (> 1); a level
  grounded in a coherent lower video does not (about 1, like real videos at the same positions).
"""

import json
import os
import time

import numpy as np
from keras import ops
from tqdm.auto import tqdm

from keras_dynscene.layers.video_frames import upsample_nearest
from keras_dynscene.models.cvg.cascaded_video_gan import lower_view

CASCADE_BASELINES = ("untrained", "upsampled_lower_level")


def load_labelled_test_videos(dataset: str, num_videos: int, num_frames: int, data_dir=None):
    """The first `num_videos` test videos (uint8, first `num_frames` frames) and their labels."""
    from keras_dynscene.data.video_dataset import load_video_dataset

    split = load_video_dataset(dataset, "test", data_dir)
    if "label" not in split.element_spec:
        raise ValueError(
            f"'{dataset}' has no `label` feature; a class-conditional cascade is evaluated on a "
            "labelled dataset, e.g. stochastic_moving_mnist/1digit_labelled_32."
        )
    videos, labels = [], []
    for example in split.take(num_videos).as_numpy_iterator():
        videos.append(example["video"][:num_frames])
        labels.append(example["label"])
    if len(videos) < num_videos:
        raise ValueError(
            f"The test split of '{dataset}' has {len(videos)} videos; {num_videos} were "
            "requested. Lower --num-videos."
        )
    videos = np.stack(videos)
    if videos.shape[1] < num_frames:
        raise ValueError(
            f"'{dataset}' test videos have {videos.shape[1]} frames; the cascade generates "
            f"{num_frames}."
        )
    return videos, np.asarray(labels, "int32")


def grounding_error(video, lower_video, spatial_factor: int, temporal_factor: int):
    """Per-video mean |f_s(f_t(video)) - lower_video|, videos in [0, 1]."""
    view = ops.convert_to_numpy(
        lower_view(ops.convert_to_tensor(video), spatial_factor, temporal_factor)
    )
    return np.abs(view - np.asarray(lower_video)).mean(axis=(1, 2, 3, 4))


def window_boundary_jump(videos, window: int):
    """Mean |x_{t+1} - x_t| across window seams over the same inside windows (`[N, T, ...]`)."""
    videos = np.asarray(videos, "float32")
    if videos.shape[1] < 2 * window:
        raise ValueError(
            f"window_boundary_jump needs at least two windows of {window} frames; received "
            f"videos of {videos.shape[1]} frames."
        )
    steps = np.abs(np.diff(videos, axis=1)).mean(axis=(2, 3, 4))  # [N, T - 1]
    seams = (np.arange(1, videos.shape[1]) % window) == 0
    return float(steps[:, seams].mean() / max(steps[:, ~seams].mean(), 1e-12))


def generate_levels(model, labels, batch_size: int, seed: int):
    """Every level's video for each label (windows unroll), float in [0, 1], in batches."""
    levels = None
    starts = range(0, len(labels), batch_size)
    for index, start in enumerate(tqdm(starts, desc="generating", unit="batch", leave=False)):
        batch = model.generate(
            labels=labels[start : start + batch_size], seed=seed + index, return_all_levels=True
        )
        batch = [ops.convert_to_numpy(video) for video in batch]
        levels = (
            [[v] for v in batch] if levels is None else [a + [v] for a, v in zip(levels, batch)]
        )
    return [np.concatenate(parts) for parts in levels]


def cascade_report(model, real_logits, labels, extractor, seed=0, batch_size=32, levels=None):
    """FVD, grounding error and window-boundary jump of one cascade (see the module docstring).

    `real_logits` are the I3D logits of the real test videos (`extractor(videos)["logits"]`),
    extracted once for every cascade compared on them.
    """
    from keras_dynscene.metrics.frechet_distance import frechet_distance

    levels = levels if levels is not None else generate_levels(model, labels, batch_size, seed)
    last, lower = levels[-1], levels[-2]
    spatial, temporal = model.spatial_factors[-1], model.temporal_factors[-1]
    window = model.training_frames(model.num_levels)
    generated_logits = extractor(last, progress=True)["logits"]
    return {
        "fvd": frechet_distance(real_logits, generated_logits),
        "grounding_error": float(grounding_error(last, lower, spatial, temporal).mean()),
        "window_boundary_jump": window_boundary_jump(last, window),
        "frames": int(last.shape[1]),
        "training_window_frames": int(window),
    }


def upsampled_lower_levels(model, levels):
    """The trivial last level: the previous level's video repeated in time and space."""
    lower = ops.convert_to_tensor(levels[-2])
    lower = ops.repeat(lower, model.temporal_factors[-1], axis=1)
    return [*levels[:-1], ops.convert_to_numpy(upsample_nearest(lower, model.spatial_factors[-1]))]


def evaluate_cascade_preset(args, model) -> dict:
    """`dynscene evaluate` for CVG: the model, its baselines and `--compare` cascades."""
    from keras_dynscene.cli.commands import preset_info
    from keras_dynscene.evaluation.evaluate_preset import compared_models
    from keras_dynscene.evaluation.evaluate_preset import untrained_copy
    from keras_dynscene.metrics.frechet_video_distance import default_i3d_extractor
    from keras_dynscene.visualization.metric_plots import plot_cascade_metrics

    if model.num_levels < 2:
        raise ValueError(
            "Cascade evaluation compares the last level with the one below it; this "
            "CascadedVideoGAN has one level."
        )
    dataset = args.dataset or preset_info(args.preset).get("dataset")
    if dataset is None:
        raise ValueError(f"Preset '{args.preset}' names no dataset; pass --dataset.")
    baselines = [name for name in args.baselines.split(",") if name in CASCADE_BASELINES]
    real, labels = load_labelled_test_videos(
        dataset, args.num_videos, model.num_frames, args.data_dir
    )
    extractor = default_i3d_extractor()
    real_logits = extractor(real, progress=True)["logits"]
    results, seconds = {}, {}
    candidates = {"model": model}
    if "untrained" in baselines:
        candidates["untrained"] = untrained_copy(model)
    candidates.update(compared_models(args.compare))
    for name, candidate in candidates.items():
        start = time.time()
        levels = generate_levels(candidate, labels, batch_size=32, seed=args.seed)
        results[name] = cascade_report(candidate, real_logits, labels, extractor, levels=levels)
        if name == "model" and "upsampled_lower_level" in baselines:
            results["upsampled_lower_level"] = cascade_report(
                model, real_logits, labels, extractor, levels=upsampled_lower_levels(model, levels)
            )
        seconds[name] = round(time.time() - start, 1)
    window = results["model"]["training_window_frames"]
    reference = {"window_boundary_jump": window_boundary_jump(real / 255.0, window)}
    report = {
        "model": results["model"],
        "baselines": {name: values for name, values in results.items() if name != "model"},
        "real_videos": reference,
        "protocol": {
            "preset": args.preset,
            "dataset": dataset,
            "split": "test",
            "num_videos": int(len(real)),
            "labels": "generated with the labels of the real test videos (label-matched)",
            "unroll": "windows: the last level runs on consecutive training windows of the "
            "level below (thesis 6.5.2)",
            "fvd": "Kinetics-400 I3D logits, TF1-bilinear resize to 224x224, "
            f"{len(real)} real vs {len(real)} generated videos",
            "seed": args.seed,
            "extractor": extractor.description(),
            "seconds": seconds,
        },
    }
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "metrics.json"), "w") as file:
        json.dump(report, file, indent=2)
    plot_cascade_metrics(
        os.path.join(args.out, "cascade_metrics.png"), results, reference, title=args.preset
    )
    print(json.dumps({"model": report["model"], "baselines": report["baselines"]}, indent=2))
    return report
