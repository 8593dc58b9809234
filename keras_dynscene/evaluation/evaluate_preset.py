"""`dynscene evaluate`: a preset against its baselines, written as metrics.json + plots."""

import json
import os
import time

import keras

from keras_dynscene.data.test_clips import load_test_clips
from keras_dynscene.evaluation.video_prediction_evaluation import copy_last_frame_sampler
from keras_dynscene.evaluation.video_prediction_evaluation import evaluate_video_prediction
from keras_dynscene.evaluation.video_prediction_evaluation import model_sampler
from keras_dynscene.visualization.metric_plots import plot_kl_heatmap
from keras_dynscene.visualization.metric_plots import plot_metric_per_step

ACTIVE_KL_THRESHOLD = 0.01  # thesis 4.5.1, after Maaloe et al. (2019)

BASELINES = ("copy_last_frame", "untrained")


def untrained_copy(model):
    """A freshly initialized model of the same configuration (the 'untrained' baseline)."""
    return model.__class__.from_config(model.get_config())


def flat_metrics(summary: dict, num_samples: int) -> dict:
    """{"ssim": {...}} -> {"ssim_best_of_100": mean, ...} for model cards."""
    return {f"{name}_best_of_{num_samples}": values["mean"] for name, values in summary.items()}


def evaluate_preset(args) -> dict:
    from keras_dynscene.cli.commands import preset_info
    from keras_dynscene.models import load_preset

    model = load_preset(args.preset)
    info = preset_info(args.preset)
    dataset = args.dataset or info.get("dataset")
    if dataset is None:
        raise ValueError(f"Preset '{args.preset}' names no dataset; pass --dataset.")
    baselines = [b for b in args.baselines.split(",") if b]
    unknown = sorted(set(baselines) - set(BASELINES))
    if unknown:
        raise ValueError(f"Unknown baselines {unknown}; available: {list(BASELINES)}.")
    horizon = args.horizon or model.future_frames
    keras.utils.set_random_seed(args.seed)
    videos = load_test_clips(
        dataset, args.num_videos, model.context_frames + horizon, args.seed, args.data_dir
    )
    chunk = max(1, args.batch_size * 4 // args.num_samples)
    samplers = {"model": model_sampler(model, args.batch_size)}
    if "copy_last_frame" in baselines:
        samplers["copy_last_frame"] = copy_last_frame_sampler
    if "untrained" in baselines:
        samplers["untrained"] = model_sampler(untrained_copy(model), args.batch_size)
    results, timings = {}, {}
    for name, sampler in samplers.items():
        start = time.time()
        results[name] = evaluate_video_prediction(
            sampler,
            videos,
            model.context_frames,
            horizon,
            1 if name == "copy_last_frame" else args.num_samples,
            videos_per_chunk=chunk,
            seed=args.seed,
            description=name,
        )
        timings[name] = round(time.time() - start, 1)
    report = {
        "model": flat_metrics(results["model"], args.num_samples),
        "baselines": {
            name: flat_metrics(results[name], args.num_samples)
            for name in samplers
            if name != "model"
        },
        "per_step": {name: result for name, result in results.items()},
        "protocol": {
            "preset": args.preset,
            "dataset": dataset,
            "split": "test (MNIST test digits, generated with the seed below)"
            if dataset.startswith("stochastic_moving_mnist")
            else "test",
            "num_videos": int(len(videos)),
            "context_frames": model.context_frames,
            "predicted_frames": horizon,
            "num_samples": args.num_samples,
            "selection": "per video and metric, the sample with the best time-averaged value",
            "ssim": "Gaussian window 11, sigma 1.5, K1 0.01, K2 0.03, data range 1",
            "seed": args.seed,
            "backend": keras.backend.backend(),
            "seconds": timings,
        },
    }
    os.makedirs(args.out, exist_ok=True)
    if hasattr(model, "latent_kl_per_channel") and horizon <= model.future_frames:
        # Figure 4.4: average KL per latent channel on test sequences, and active units.
        kl = model.latent_kl_per_channel(videos[:, : model.sequence_length], seed=args.seed)
        plot_kl_heatmap(os.path.join(args.out, "kl_per_channel.png"), kl, title=args.preset)
        report["latent_usage"] = {
            level: {
                "active_channels": int((values > ACTIVE_KL_THRESHOLD).sum()),
                "channels": int(values.size),
                "mean_kl": float(values.mean()),
            }
            for level, values in kl.items()
        }
    with open(os.path.join(args.out, "metrics.json"), "w") as file:
        json.dump(report, file, indent=2)
    for name, label in (("ssim", "SSIM"), ("psnr", "PSNR (dB)"), ("mse", "MSE")):
        curves = {key: result[name]["per_step"] for key, result in results.items()}
        plot_metric_per_step(
            os.path.join(args.out, f"{name}_per_step.png"),
            curves,
            ylabel=f"best-of-{args.num_samples} {label}",
            title=f"{args.preset} on {dataset}",
            first_step=model.context_frames + 1,
        )
    print(json.dumps({"model": report["model"], "baselines": report["baselines"]}, indent=2))
    return report
