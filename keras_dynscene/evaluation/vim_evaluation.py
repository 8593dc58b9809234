"""The measurements of thesis chapter 8 for a trained VIM, written as metrics.json + plots."""

import json
import os
import time

import numpy as np

from keras_dynscene.evaluation.rule_module_matching import DIRECTION_NAMES
from keras_dynscene.evaluation.rule_module_matching import match_objects_to_slots
from keras_dynscene.evaluation.rule_module_matching import rule_module_matching


def reconstruction_mse(model, videos, batch_size: int = 32) -> dict:
    """Inference-network reconstruction error of videos (thesis table 8.4, 5-frame sequences).

    Args:
        model: a `VIM`.
        videos: `[B, T, H, W, C]` uint8 or floats in [0, 1].
        batch_size: videos per forward pass.

    Returns:
        `{"per_pixel": mean squared error of [0, 1] pixels, "per_frame_sum": squared error summed
        over a frame's pixels and channels (the scale of table 8.4), "per_step": [T] per-pixel}`.
    """
    videos = np.asarray(videos)
    target = videos.astype("float32") / (255.0 if videos.dtype == np.uint8 else 1.0)
    reconstructions = model.infer(videos, batch_size=batch_size)["reconstructions"]
    squared = np.square(reconstructions - target)
    return {
        "per_pixel": float(squared.mean()),
        "per_frame_sum": float(squared.sum(axis=(2, 3, 4)).mean()),
        "per_step": squared.mean(axis=(0, 2, 3, 4)).tolist(),
    }


def foreground_ari(model, videos, segmentation, batch_size: int = 32) -> float:
    """FG-ARI of the inferred slot masks against the true object segmentation, averaged over
    the frames of the videos (how well the slots separate the objects; background pixels are
    left out, as in Slot Attention).

    Args:
        model: a `VIM`.
        videos: `[B, T, H, W, C]` test videos.
        segmentation: `[B, T, H, W]` true object ids (0 = background).
        batch_size: videos per forward pass.
    """
    from keras import ops

    from keras_dynscene.metrics.adjusted_rand_index import adjusted_rand_index

    masks = model.infer(videos, batch_size=batch_size)["masks"]  # [B, T, K, H, W]
    predicted = np.moveaxis(masks.reshape(-1, *masks.shape[2:]), 1, -1)
    truth = np.asarray(segmentation).reshape(-1, *segmentation.shape[2:])
    scores = adjusted_rand_index(truth, predicted, ignore_background=True)
    return float(np.mean(ops.convert_to_numpy(scores)))


def slot_pretraining_report(autoencoder, images, segmentation) -> dict:
    """How well slot pretraining (8.A.2) separates the objects of single frames.

    Args:
        autoencoder: a `SlotAttentionAutoEncoder` (e.g. a run's `slot_pretraining/model.keras`).
        images: `[B, H, W, C]` uint8 frames.
        segmentation: `[B, H, W]` true object ids (0 = background).

    Returns:
        `{"fg_ari": FG-ARI of the decoder masks, "sse_per_frame": squared error summed over a
        frame's pixels and channels, "mask_share_per_slot": [K] mean mask of each slot}`.

    Example:
    ```python
    test = load_random_walk_test("random_walk/atomic", 256)
    slot_pretraining_report(keras.saving.load_model("runs/vim/slot_pretraining/model.keras"),
                            test["video"][:, 0], test["segmentation"][:, 0])
    ```
    """
    from keras import ops

    from keras_dynscene.metrics.adjusted_rand_index import adjusted_rand_index

    images = np.asarray(images)
    outputs = autoencoder({"video": images[:, None]}, training=False)
    masks = ops.convert_to_numpy(outputs["masks"])  # [B, K, H, W]
    target = images.astype("float32") / 255.0
    squared = np.square(ops.convert_to_numpy(outputs["frames"]) - target)
    scores = adjusted_rand_index(
        np.asarray(segmentation), np.moveaxis(masks, 1, -1), ignore_background=True
    )
    return {
        "fg_ari": float(np.mean(ops.convert_to_numpy(scores))),
        "sse_per_frame": float(squared.sum(axis=(1, 2, 3)).mean()),
        "mask_share_per_slot": masks.mean(axis=(0, 2, 3)).tolist(),
    }


def tracking_error_by_iterations(model, videos, positions, iterations=(1, 2, 4, 8)) -> dict:
    """Object position error of VIM-k for several k (thesis figures 8.4 / 8.5).

    Objects are matched to their nearest slot in the first frame; the error is the distance in
    pixels between each object and its slot's mask centroid, averaged over objects, frames and
    videos. Larger k lets VIM compose modules to follow moves larger than one atomic step.

    Returns:
        `{k: mean position error}` (keys as strings, for JSON).
    """
    positions = np.asarray(positions, "float64")
    errors = {}
    for k in iterations:
        variant = model if k == model.select_iterations else model.with_select_iterations(k)
        inferred = variant.infer(videos)
        slot_of_object = match_objects_to_slots(inferred["positions"][:, 0], positions[:, 0])
        batch, frames = positions.shape[:2]
        tracks = inferred["positions"][
            np.arange(batch)[:, None, None],
            np.arange(frames)[None, :, None],
            slot_of_object[:, None],
        ]
        errors[str(k)] = float(np.linalg.norm(tracks - positions, axis=-1).mean())
    return errors


def load_random_walk_test(dataset: str, num_videos: int, data_dir=None) -> dict:
    """The first `num_videos` test examples of a `random_walk` config as numpy arrays."""
    from keras_dynscene.data.video_dataset import load_video_dataset

    examples = load_video_dataset(dataset, "test", data_dir).take(num_videos).batch(num_videos)
    batch = next(iter(examples.as_numpy_iterator()))
    for key in ("video", "actions", "positions"):
        if key not in batch:
            raise ValueError(
                f"VIM evaluation needs '{key}' in the test examples of {dataset!r} (a random_walk "
                f"config); found {sorted(batch)}."
            )
    return batch


def vim_report(model, test: dict, ood: dict | None, iterations) -> dict:
    matching = rule_module_matching(model, test["video"], test["actions"], test["positions"])
    reconstruction = reconstruction_mse(model, test["video"][:, :5])
    report = {
        "matching_accuracy": matching["matching_accuracy"],
        "reconstruction_mse_5_frames": reconstruction["per_pixel"],
        "reconstruction_sse_per_frame_5_frames": reconstruction["per_frame_sum"],
        "position_error_px": float(matching["position_error"].mean()),
        "modules_used": int((matching["module_usage"] > 0.01).sum()),
    }
    if "segmentation" in test:
        report["fg_ari_5_frames"] = foreground_ari(
            model, test["video"][:, :5], test["segmentation"][:, :5]
        )
    details = {"matching": {k: np.asarray(v).tolist() for k, v in matching.items()}}
    if ood is not None:
        details["ood_tracking_error_by_iterations"] = tracking_error_by_iterations(
            model, ood["video"], ood["positions"], iterations
        )
    return report, details


def trivial_baselines(test: dict) -> dict:
    """What the matching and reconstruction numbers are worth without a model.

    `same_module_always`: one module explains every transition, so the best assignment gets
    exactly the most frequent action right (the chance level of `matching_accuracy`).
    `black_frames`: every reconstruction is the black background, which is where a slot
    decoder sits before it learns to draw the objects."""
    actions = np.asarray(test["actions"])
    valid = actions[actions >= 0]
    frequency = np.bincount(valid, minlength=len(DIRECTION_NAMES)) / max(valid.size, 1)
    video = np.asarray(test["video"])[:, :5]
    target = video.astype("float32") / (255.0 if video.dtype == np.uint8 else 1.0)
    return {
        "same_module_always": {"matching_accuracy": float(frequency.max())},
        "black_frames": {
            "reconstruction_mse_5_frames": float(np.square(target).mean()),
            "reconstruction_sse_per_frame_5_frames": float(
                np.square(target).sum(axis=(2, 3, 4)).mean()
            ),
        },
    }


def evaluate_vim_preset(args, model) -> dict:
    """`dynscene evaluate` for a VIM: rule-module matching, reconstruction, tracking."""
    from keras_dynscene.cli.commands import preset_info
    from keras_dynscene.evaluation.evaluate_preset import compared_models
    from keras_dynscene.evaluation.evaluate_preset import untrained_copy
    from keras_dynscene.visualization.metric_plots import plot_rule_module_matching

    dataset = args.dataset or preset_info(args.preset).get("dataset") or "random_walk/atomic"
    test = load_random_walk_test(dataset, args.num_videos, args.data_dir)
    ood_name = getattr(args, "ood_dataset", None)
    if ood_name is None and dataset.startswith("random_walk/"):
        ood_name = "random_walk/compositional_ood"
    ood = load_random_walk_test(ood_name, args.num_videos, args.data_dir) if ood_name else None
    iterations = (1, 2, 4, 8)
    models = {"model": model}
    if "untrained" in args.baselines.split(","):
        models["untrained"] = untrained_copy(model)
    models.update(compared_models(args.compare))
    results, details, seconds = {}, {}, {}
    for name, candidate in models.items():
        start = time.time()
        results[name], details[name] = vim_report(candidate, test, ood, iterations)
        seconds[name] = round(time.time() - start, 1)
    report = {
        "model": results["model"],
        "baselines": {
            **{name: values for name, values in results.items() if name != "model"},
            **trivial_baselines(test),
        },
        "details": details,
        "protocol": {
            "preset": args.preset,
            "dataset": dataset,
            "split": "test",
            "num_videos": int(len(test["video"])),
            "frames": int(test["video"].shape[1]),
            "matching": "objects matched to the nearest slot mask centroid in frame 1 (8.5.1); "
            "argmax module selections of the inference network; best one-to-one "
            "action -> module assignment",
            "reconstruction": "inference-network reconstructions of the first 5 frames (8.B)",
            "ood_tracking": f"{ood_name} test split, VIM-k for k in {list(iterations)} (8.5.2)"
            if ood is not None
            else None,
            "seconds": seconds,
        },
    }
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "metrics.json"), "w") as file:
        json.dump(report, file, indent=2)
    proportions = np.asarray(details["model"]["matching"]["proportions"])
    plot_rule_module_matching(
        os.path.join(args.out, "rule_module_matching.png"),
        proportions,
        DIRECTION_NAMES,
        title=f"{args.preset}: matching accuracy {results['model']['matching_accuracy']:.2f}",
    )
    if ood is not None:
        curves = {
            name: [detail["ood_tracking_error_by_iterations"][str(k)] for k in iterations]
            for name, detail in details.items()
        }
        plot_tracking_error(os.path.join(args.out, "ood_tracking_error.png"), curves, iterations)
    print(json.dumps({"model": report["model"], "baselines": report["baselines"]}, indent=2))
    return report


def plot_tracking_error(path: str, curves: dict, iterations) -> str:
    """Object position error against the number of select-update iterations (figure 8.5)."""
    from matplotlib.figure import Figure

    from keras_dynscene.visualization.metric_plots import saved_figure

    figure = Figure(figsize=(5, 3.2))
    axis = figure.subplots()
    for name, values in curves.items():
        axis.plot(list(iterations), values, marker="o", label=name)
    axis.set_xscale("log", base=2)
    axis.set_xticks(list(iterations), [str(k) for k in iterations])
    axis.set_xlabel("select-update iterations per frame (VIM-k)")
    axis.set_ylabel("object position error (px)")
    axis.set_title("compositional OOD sequences")
    axis.grid(alpha=0.3)
    axis.legend()
    figure.tight_layout()
    return saved_figure(figure, path)
