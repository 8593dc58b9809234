"""The measurements of Kumar et al. 2018 for scene models (JUMP, GQN): minimum MSE over sampled
sets of frames (section 4.1) on forward, backward and jumpy prediction, and the KL_1 / KL_3
consistency analysis (section 4.2); written as metrics.json + plots by `dynscene evaluate`."""

import json
import os
import time

import numpy as np
from tqdm.auto import tqdm

from keras_dynscene.metrics.best_of_n import best_of_n
from keras_dynscene.metrics.mse import mse

TASKS = ("forward", "backward", "jumpy")
# Section 4.2 takes 1 vs 3 target frames; "duplicate" repeats one frame (no new information by
# construction), "adjacent" takes the target and the two frames before it.
CONSISTENCY_VARIANTS = ("duplicate", "adjacent")


def scene_task(task: str, num_frames: int, num_context: int) -> tuple[list, list]:
    """Context and query frame indices of a prediction task on an `num_frames`-frame scene.

    - `forward`: the first `num_context` frames -> every later frame (the paper's metric).
    - `backward`: the last `num_context` frames -> every earlier frame (figure 3D-E).
    - `jumpy`: the first `min(num_context, 3)` frames -> only the frames at 1/2, 3/4 and the end
      of the scene, with nothing rendered in between.
    """
    if not 1 <= num_context < num_frames:
        raise ValueError(
            f"Expected 1 <= context frames < scene frames ({num_frames}), received {num_context}."
        )
    last = num_frames - 1
    if task == "forward":
        return list(range(num_context)), list(range(num_context, num_frames))
    if task == "backward":
        return list(range(num_frames - num_context, num_frames)), list(
            range(num_frames - num_context)
        )
    if task == "jumpy":
        context = list(range(min(num_context, 3)))
        queries = sorted({max(round(f * last), context[-1] + 1) for f in (0.5, 0.75, 1.0)})
        return context, queries
    raise ValueError(f"Unknown scene task {task!r}; expected one of {TASKS}.")


def copy_nearest_context_frame(
    context_frames, context_views, query_views, num_samples=1, seed=None
) -> np.ndarray:
    """Baseline: every query gets the context frame whose viewpoint is nearest (in the sampler
    interface of `min_mse_of_samples`; deterministic, so one "sample").

    Returns:
        float32 `[B, 1, Q, H, W, C]` in [0, 1].
    """
    del num_samples, seed  # deterministic
    context_views, query_views = np.asarray(context_views), np.asarray(query_views)
    distance = np.linalg.norm(query_views[:, :, None] - context_views[:, None], axis=-1)
    nearest = np.argmin(distance, axis=-1)  # [B, Q]
    copied = np.take_along_axis(np.asarray(context_frames), nearest[..., None, None, None], 1)
    return to_float(copied)[:, None]


def to_float(frames) -> np.ndarray:
    frames = np.asarray(frames)
    return (frames.astype("float32") / 255.0) if frames.dtype == np.uint8 else frames


def min_mse_of_samples(
    sampler,
    frames,
    views,
    context_index,
    query_index,
    num_samples,
    batch_size=32,
    seed=0,
    description=None,
) -> dict:
    """Minimum over `num_samples` sampled sets of the MSE to the true query frames (section 4.1).

    Args:
        sampler: `(context_frames, context_views, query_views, num_samples, seed)` ->
            `[b, S, Q, H, W, C]` in [0, 1], e.g. a model's `render`.
        frames: uint8 / float scenes `[B, N, H, W, C]`; views `[B, N, V]`.
        context_index, query_index: frame indices of the task.
        num_samples: sampled sets per scene (30 in the paper).
        batch_size: scenes per sampler call.
        seed: sampling seed (batch `i` uses `seed + i`).
        description: label of the progress bar (none without).

    Returns:
        `{"mean": mean over scenes of the per-scene minimum MSE, "std_error", "per_step": [Q]
        MSE of the chosen set per query, "per_scene": [B]}`.
    """
    per_scene, per_step = [], []
    starts = range(0, len(frames), batch_size)
    if description:
        starts = tqdm(starts, desc=description, unit="batch")
    for index, start in enumerate(starts):
        chunk = slice(start, start + batch_size)
        scenes, scene_views = frames[chunk], views[chunk]
        samples = sampler(
            scenes[:, context_index],
            scene_views[:, context_index],
            scene_views[:, query_index],
            num_samples,
            seed + index,
        )
        result = best_of_n(mse, samples, to_float(scenes[:, query_index]), higher_is_better=False)
        per_scene.append(np.asarray(result["per_sequence"]))
        per_step.append(np.asarray(result["per_step"]))
    per_scene = np.concatenate(per_scene)
    return {
        "mean": float(per_scene.mean()),
        "std_error": float(per_scene.std(ddof=1) / np.sqrt(len(per_scene)))
        if len(per_scene) > 1
        else 0.0,
        "per_step": np.concatenate(per_step).mean(axis=0).tolist(),
        "per_scene": per_scene.tolist(),
    }


def model_sampler(model):
    def sample(context_frames, context_views, query_views, num_samples, seed):
        return model.render(
            context_frames, context_views, query_views, num_samples, seed=seed, verbose=0
        )

    return sample


def consistency_kl(model, frames, views, num_context: int, target: int, batch_size: int = 64):
    """KL_1 vs KL_3 of section 4.2 on video scenes.

    The context is the first `num_context` frames; KL_1 conditions the posterior on the target
    frame `target`, KL_3 on three target frames showing the same content: the target frame three
    times (`duplicate`: no new information by construction) or the target and the two frames
    before it (`adjacent`). A consistent model (one scene latent) keeps KL_3 close to KL_1; a
    factored one (GQN, one latent per frame) pays for every frame, KL_3 = 3 KL_1 for duplicates.

    Returns:
        `{variant: {"kl_1", "kl_3", "ratio" (mean KL_3 / mean KL_1), "std_difference"}}`.
    """
    if not num_context <= target - 2 or target >= frames.shape[1]:
        raise ValueError(
            f"Expected num_context <= target - 2 and target < {frames.shape[1]} frames, received "
            f"num_context={num_context}, target={target}."
        )
    context = list(range(num_context))
    layouts = {
        "one": [target],
        "duplicate": [target] * 3,
        "adjacent": [target - 2, target - 1, target],
    }
    kls = {name: [] for name in layouts}
    for start in range(0, len(frames), batch_size):
        scenes, scene_views = frames[start : start + batch_size], views[start : start + batch_size]
        batch = len(scenes)
        for name, targets in layouts.items():
            order = context + targets
            masks = np.zeros((2, batch, len(order)), "float32")
            masks[0, :, : len(context)] = 1.0
            masks[1, :, len(context) :] = 1.0
            kl = model.posterior_kl(scenes[:, order], scene_views[:, order], *masks)
            kls[name].append(kl)
    kls = {name: np.concatenate(values).astype("float64") for name, values in kls.items()}
    report = {}
    for variant in CONSISTENCY_VARIANTS:
        difference = kls[variant] - kls["one"]
        report[variant] = {
            "kl_1": float(kls["one"].mean()),
            "kl_3": float(kls[variant].mean()),
            "ratio": float(kls[variant].mean() / max(kls["one"].mean(), 1e-12)),
            "std_difference": float(difference.std(ddof=1)) if len(difference) > 1 else 0.0,
        }
    return report


def evaluate_scene_model(
    models: dict,
    frames,
    views,
    num_context: int,
    num_samples: int = 30,
    tasks=TASKS,
    baselines=("copy_nearest_context_frame",),
    consistency: bool = False,
    batch_size: int = 32,
    seed: int = 0,
) -> dict:
    """Min-MSE of every model and baseline on every task, plus the consistency analysis.

    Args:
        models: name -> scene model (e.g. `{"model": jump, "untrained": ..., "gqn": gqn}`).
        frames, views: test scenes `[B, N, H, W, C]`, `[B, N, V]`.
        num_context: context frames of the forward / backward tasks.
        num_samples: sampled sets per scene (30 in the paper).
        tasks: subset of `TASKS`.
        baselines: `"copy_nearest_context_frame"` or nothing.
        consistency: also run `consistency_kl` (context the first `num_context` frames, target
            the last frame).

    Returns:
        `{"min_mse": {task: {method: result}}, "tasks": {task: indices}, "consistency": ...}`.
    """
    num_frames = frames.shape[1]
    report = {"min_mse": {}, "tasks": {}, "seconds": {}}
    for task in tasks:
        context_index, query_index = scene_task(task, num_frames, num_context)
        report["tasks"][task] = {"context": context_index, "queries": query_index}
        results = {}
        samplers = {name: (model_sampler(model), num_samples) for name, model in models.items()}
        if "copy_nearest_context_frame" in baselines:
            samplers["copy_nearest_context_frame"] = (copy_nearest_context_frame, 1)
        for name, (sampler, count) in samplers.items():
            start = time.time()
            results[name] = min_mse_of_samples(
                sampler,
                frames,
                views,
                context_index,
                query_index,
                count,
                batch_size,
                seed,
                description=f"{task} / {name}",
            )
            report["seconds"][f"{task}/{name}"] = round(time.time() - start, 1)
        report["min_mse"][task] = results
    if consistency:
        report["consistency"] = {
            name: consistency_kl(model, frames, views, num_context, num_frames - 1)
            for name, model in models.items()
        }
    return report


def evaluate_scene_preset(args, model) -> dict:
    """`dynscene evaluate` for JUMP / GQN presets: metrics.json, per-query MSE plots and a
    prediction grid per task."""
    from keras_dynscene.cli.commands import preset_info
    from keras_dynscene.data.test_clips import load_test_scenes
    from keras_dynscene.evaluation.evaluate_preset import compared_models
    from keras_dynscene.evaluation.evaluate_preset import untrained_copy
    from keras_dynscene.visualization.metric_plots import plot_metric_per_step

    dataset = args.dataset or preset_info(args.preset).get("dataset")
    if dataset is None:
        raise ValueError(f"Preset '{args.preset}' names no dataset; pass --dataset.")
    known = {"copy_last_frame", "copy_nearest_context_frame", "untrained"}
    baselines = [b for b in args.baselines.split(",") if b]
    unknown = sorted(set(baselines) - known)
    if unknown:
        raise ValueError(
            f"Unknown baselines {unknown}; available for scene models: {sorted(known)}."
        )
    models = {"model": model}
    if "untrained" in baselines:
        models["untrained"] = untrained_copy(model)
    models.update(compared_models(args.compare))
    frames, views = load_test_scenes(
        dataset, args.num_videos, (model.video_key, model.viewpoint_key), args.data_dir
    )
    copy = {"copy_last_frame", "copy_nearest_context_frame"} & set(baselines)
    report = evaluate_scene_model(
        models,
        frames,
        views,
        num_context=args.context_frames or model.max_context,
        num_samples=args.num_samples,
        baselines=("copy_nearest_context_frame",) if copy else (),
        consistency=args.consistency,
        batch_size=args.batch_size,
        seed=args.seed,
    )
    report["protocol"] = {
        "preset": args.preset,
        "dataset": dataset,
        "split": "test",
        "num_scenes": int(len(frames)),
        "num_samples": args.num_samples,
        "metric": "per scene, the minimum over sampled sets of the MSE of [0, 1] pixels averaged "
        "over the query frames; mean over scenes (Kumar et al. 2018, 4.1)",
        "consistency": "posterior means through the DRAW steps; context = first frames, target "
        "= last frame",
        "seed": args.seed,
    }
    os.makedirs(args.out, exist_ok=True)
    for task, results in report["min_mse"].items():
        queries = report["tasks"][task]["queries"]
        plot_metric_per_step(
            os.path.join(args.out, f"min_mse_{task}.png"),
            {name: result["per_step"] for name, result in results.items()},
            ylabel=f"MSE of the best of {args.num_samples} sampled sets",
            title=f"{args.preset}: {task} prediction, queries {queries[0]}..{queries[-1]}",
            steps=[query + 1 for query in queries],
            xlabel="Frame (1-based)",
        )
    for results in report["min_mse"].values():
        for result in results.values():
            result.pop("per_scene")
    with open(os.path.join(args.out, "metrics.json"), "w") as file:
        json.dump(report, file, indent=2)
    summary = {
        task: {name: round(result["mean"], 5) for name, result in results.items()}
        for task, results in report["min_mse"].items()
    }
    print(json.dumps({"min_mse": summary, "consistency": report.get("consistency")}, indent=2))
    return report
