"""The measurements of thesis chapter 10 for a trained INFERNO (or NeRF-AE): metrics.json + plots.

Reconstruction (table 10.1: MSE, PSNR, SSIM, optionally LPIPS), object discovery (table 10.3:
foreground ARI of the slot attention masks, and of the rendered 3D object masks), and, on
`procedural_objects3d`, a ground-truth check of object removal: the scene is re-rendered
without its most visible object by the dataset's own ray caster and compared with INFERNO's
render of the inferred scene with the matching slot removed.
"""

import json
import os
import time

import numpy as np

from keras_dynscene.metrics.adjusted_rand_index import foreground_adjusted_rand_index
from keras_dynscene.metrics.mse import mse
from keras_dynscene.metrics.psnr import psnr
from keras_dynscene.metrics.ssim import ssim

SCENE_INFERENCE_BASELINES = ("untrained", "mean_image")
RECONSTRUCTION_METRICS = ("mse", "psnr", "ssim", "lpips")


def load_scene_inference_test(dataset: str, num_images: int, data_dir=None) -> dict:
    """The first `num_images` test scenes of an image dataset as numpy arrays.

    `procedural_objects3d` configs (any builder whose config has a scene `generator`) are
    regenerated from the test split's seed (the very scenes
    of the TFDS test split, in index order) so that each comes with its objects, which the
    removal check re-renders; other datasets (CLEVR6, CLEVR2345, CATER frames) are read from
    TFDS.

    Returns:
        `{"images": uint8 [N, H, W, 3], "segmentations": uint8 [N, H, W] or None, "objects":
        list of per-scene object dicts or None, "generator": the scene generator or None}`.
    """
    import tensorflow_datasets as tfds

    import keras_dynscene.datasets  # noqa: F401 (registers the builders)

    builder = tfds.builder(dataset, data_dir=data_dir)
    if hasattr(builder.builder_config, "generator"):  # procedural_objects3d and its configs
        generator = builder.builder_config.generator("test")
        test_size = builder.builder_config.num_test
        if num_images > test_size:
            raise ValueError(
                f"{dataset!r} has {test_size} test scenes; received --num-videos {num_images}."
            )
        scenes = [generator.example(index) for index in range(num_images)]
        return {
            "images": np.stack([scene["image"] for scene in scenes]),
            "segmentations": np.stack([scene["segmentation"] for scene in scenes]),
            "objects": [scene["objects"] for scene in scenes],
            "generator": generator,
        }
    from keras_dynscene.data.video_dataset import load_video_dataset

    test = load_video_dataset(dataset, "test", data_dir)
    if "image" not in test.element_spec:
        raise ValueError(
            f"Scene inference evaluation needs an 'image' feature in {dataset!r}; found "
            f"{sorted(test.element_spec)}."
        )
    keys = [key for key in ("image", "segmentation") if key in test.element_spec]
    batch = next(
        iter(test.map(lambda ex: {k: ex[k] for k in keys}).batch(num_images).as_numpy_iterator())
    )
    if len(batch["image"]) < num_images:
        raise ValueError(
            f"{dataset!r} has {len(batch['image'])} test images; received --num-videos "
            f"{num_images}. Lower --num-videos."
        )
    segmentations = batch.get("segmentation")
    if segmentations is not None and segmentations.ndim == 4:
        segmentations = segmentations[..., 0]
    return {
        "images": batch["image"],
        "segmentations": segmentations,
        "objects": None,
        "generator": None,
    }


def mean_training_image(dataset: str, count: int = 512, data_dir=None) -> np.ndarray:
    """The mean of the first `count` training images, float32 `[H, W, 3]` in [0, 1]: the
    trivial reconstruction baseline (the best constant image under MSE)."""
    from keras_dynscene.data.video_dataset import load_video_dataset

    train = load_video_dataset(dataset, "train", data_dir).map(lambda ex: ex["image"])
    total, seen = None, 0
    for images in train.take(count).batch(128).as_numpy_iterator():
        images = images.astype("float64") / 255.0
        total = images.sum(axis=0) if total is None else total + images.sum(axis=0)
        seen += len(images)
    return (total / seen).astype("float32")


def reconstruction_metrics(reconstructions, images, lpips_network=None) -> dict:
    """Per-image MSE, PSNR (dB), SSIM and optionally LPIPS, averaged over images.

    Args:
        reconstructions: float `[N, H, W, 3]` in [0, 1].
        images: uint8 `[N, H, W, 3]` or floats in [0, 1].
        lpips_network: `"alexnet"` or `"vgg16"` to add LPIPS; None leaves it out.
    """
    target = np.asarray(images, "float32")
    if np.asarray(images).dtype == np.uint8:
        target = target / 255.0
    reconstructions = np.clip(np.asarray(reconstructions, "float32"), 0.0, 1.0)
    values = {
        "mse": np.asarray(mse(reconstructions, target)),
        "psnr": np.asarray(psnr(reconstructions, target)),
        "ssim": np.asarray(ssim(reconstructions, target)),
    }
    if lpips_network:
        from keras_dynscene.metrics.lpips import lpips

        values["lpips"] = np.asarray(lpips(reconstructions, target, network=lpips_network))
    return {name: float(np.mean(value)) for name, value in values.items()}


def _masks_last(masks):
    """`[N, K, H, W]` -> `[N, H, W, K]` float32."""
    return np.moveaxis(np.asarray(masks, "float32"), 1, -1)


def object_discovery_metrics(attention, rendered, segmentations) -> dict:
    """FG-ARI of slot attention masks (the thesis' protocol, 10.4.2) and of rendered masks.

    Args:
        attention: slot attention `[N, K + 1, H, W]` (background slot first).
        rendered: `render_scene` output with `object_masks` `[N, K, H, W]` and
            `background_mask` `[N, H, W]`.
        segmentations: true ids `[N, H, W]`, 0 on the background.
    """
    ids = np.asarray(segmentations, "int32")
    num_segments = int(ids.max()) + 1
    rendered_masks = np.concatenate(
        [rendered["background_mask"][:, None], rendered["object_masks"]], axis=1
    )
    return {
        "fg_ari_attention": float(
            np.mean(foreground_adjusted_rand_index(ids, _masks_last(attention), 0, num_segments))
        ),
        "fg_ari_rendered": float(
            np.mean(
                foreground_adjusted_rand_index(ids, _masks_last(rendered_masks), 0, num_segments)
            )
        ),
    }


def most_visible_object_slots(attention, segmentations):
    """Per scene, the most visible true object and the object slot attending to it most.

    Returns:
        `(objects [N], slots [N])`: true object indices (segmentation id - 1) and slot indices
        (into the K object slots, background excluded).
    """
    ids = np.asarray(segmentations, "int32")
    counts = np.stack([np.bincount(row.ravel(), minlength=ids.max() + 1)[1:] for row in ids])
    objects = counts.argmax(axis=1)
    true_masks = ids == (objects + 1)[:, None, None]
    slots = (attention[:, 1:] * true_masks[:, None]).sum(axis=(2, 3)).argmax(axis=1)
    return objects, slots


def object_removal_check(model, scene, slots, objects, test: dict, reconstructions) -> dict:
    """Removes each scene's most visible object and compares with the true scene without it.

    Errors are over the whole image and over the region the object's removal changes in the
    true renders (its pixels and its shadow); `no_edit` is the same error of the unedited
    reconstruction, what an edit that does nothing would score.
    """
    from keras_dynscene.models.inferno.scene_edits import remove_objects

    images = test["images"].astype("float32") / 255.0
    targets = []
    for j, scene_objects in zip(objects, test["objects"]):
        keep = np.arange(len(scene_objects["pixels"])) != j
        without = test["generator"].render({k: v[keep] for k, v in scene_objects.items()})
        targets.append(without.astype("float32") / 255.0)
    targets = np.stack(targets)
    regions = np.abs(targets - images).max(axis=-1) > 1e-3
    removed = np.eye(scene["object_presence"].shape[1], dtype="float32")[slots]
    edited = render_in_batches(model, remove_objects(scene, removed))["image"]

    def errors(rendered):
        squared = np.square(rendered - targets).mean(axis=-1)
        region = (squared * regions).sum() / max(regions.sum(), 1)
        return {"mse": float(squared.mean()), "region_mse": float(region)}

    return {"removed": errors(edited), "no_edit": errors(np.clip(reconstructions, 0, 1))}


def mask_centroids(masks):
    """(x, y) pixel centroids `[N, 2]` of soft masks `[N, H, W]` (pixel centres at +0.5)."""
    masks = np.asarray(masks, "float64")
    size_y, size_x = masks.shape[1:]
    ys, xs = np.meshgrid(np.arange(size_y) + 0.5, np.arange(size_x) + 0.5, indexing="ij")
    mass = np.maximum(masks.sum(axis=(1, 2)), 1e-8)
    return np.stack([(masks * xs).sum((1, 2)) / mass, (masks * ys).sum((1, 2)) / mass], -1)


def object_translation_check(model, scene, slots, rendered, offset=(0.5, 0.0, 0.0)) -> dict:
    """Moves each scene's matched object slot by `offset` (scene units) and checks that its
    rendered mask moves the way the camera projects the move.

    Returns:
        `{"offset", "direction_cosine": mean cosine between the mask centroid's shift and the
        projected shift of the object's centre, "right_direction": share of scenes with a
        cosine above 0.5, "shift_px", "expected_shift_px": mean lengths}`.
    """
    from keras_dynscene.data.procedural_objects3d import project_points
    from keras_dynscene.models.inferno.scene_edits import translate_object

    rows = np.arange(len(slots))
    moved = render_in_batches(model, translate_object(scene, slots, offset))["object_masks"]
    shift = mask_centroids(moved[rows, slots]) - mask_centroids(
        rendered["object_masks"][rows, slots]
    )
    centres = scene["object_pose"][rows, slots, :3].astype("float64")
    expected = np.stack(
        [
            project_points(
                centre + np.asarray(offset), camera, model.image_size, model.field_of_view
            )[0]
            - project_points(centre, camera, model.image_size, model.field_of_view)[0]
            for centre, camera in zip(centres, scene["camera"])
        ]
    )
    cosine = (shift * expected).sum(-1) / np.maximum(
        np.linalg.norm(shift, axis=-1) * np.linalg.norm(expected, axis=-1), 1e-8
    )
    return {
        "offset": [float(value) for value in offset],
        "direction_cosine": float(cosine.mean()),
        "right_direction": float((cosine > 0.5).mean()),
        "shift_px": float(np.linalg.norm(shift, axis=-1).mean()),
        "expected_shift_px": float(np.linalg.norm(expected, axis=-1).mean()),
    }


def render_in_batches(model, scene, batch_size=16, ray_chunk_size=1024) -> dict:
    """`model.render_scene` over slices of a scene batch, concatenated."""
    size = len(scene["camera"])
    parts = []
    for start in range(0, size, batch_size):
        part = {key: value[start : start + batch_size] for key, value in scene.items()}
        parts.append(model.render_scene(part, ray_chunk_size=ray_chunk_size))
    return {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}


def infer_in_batches(model, images, seed, batch_size=16):
    """`model.infer_scene(..., return_attention=True)` over slices, concatenated."""
    scenes, attentions = [], []
    for start in range(0, len(images), batch_size):
        scene, attention = model.infer_scene(
            images[start : start + batch_size], seed=seed, return_attention=True
        )
        scenes.append(scene)
        attentions.append(attention)
    scene = {key: np.concatenate([part[key] for part in scenes]) for key in scenes[0]}
    return scene, np.concatenate(attentions)


def scene_inference_report(model, test: dict, seed=0, lpips_network=None, batch_size=16) -> dict:
    """Reconstruction, object discovery and (with ground truth) object removal of one model."""
    scene, attention = infer_in_batches(model, test["images"], seed, batch_size)
    rendered = render_in_batches(model, scene, batch_size)
    report = reconstruction_metrics(rendered["image"], test["images"], lpips_network)
    has_objects = scene["object_pose"].shape[1] > 0
    if has_objects and test["segmentations"] is not None:
        report.update(object_discovery_metrics(attention, rendered, test["segmentations"]))
    if has_objects and test["segmentations"] is not None:
        objects, slots = most_visible_object_slots(attention, test["segmentations"])
        report["object_translation"] = object_translation_check(model, scene, slots, rendered)
        if test["objects"] is not None:
            report["object_removal"] = object_removal_check(
                model, scene, slots, objects, test, rendered["image"]
            )
    return report


def evaluate_scene_inference_preset(args, model) -> dict:
    """`dynscene evaluate` for INFERNO / NeRF-AE: the model, its baselines and `--compare`."""
    from keras_dynscene.cli.commands import preset_info
    from keras_dynscene.evaluation.evaluate_preset import compared_models
    from keras_dynscene.evaluation.evaluate_preset import untrained_copy
    from keras_dynscene.visualization.metric_plots import plot_scene_inference_metrics

    dataset = args.dataset or preset_info(args.preset).get("dataset")
    if dataset is None:
        raise ValueError(f"Preset '{args.preset}' names no dataset; pass --dataset.")
    baselines = [name for name in (args.baselines or "").split(",") if name]
    if args.baselines == "copy_last_frame,untrained":  # the video default: this model's own
        baselines = list(SCENE_INFERENCE_BASELINES)
    unknown = sorted(set(baselines) - set(SCENE_INFERENCE_BASELINES))
    if unknown:
        raise ValueError(
            f"Unknown baselines {unknown}; available for scene inference: "
            f"{list(SCENE_INFERENCE_BASELINES)}."
        )
    metrics = [name for name in args.metrics.split(",") if name in RECONSTRUCTION_METRICS]
    lpips_network = args.lpips_network if "lpips" in metrics else None
    test = load_scene_inference_test(dataset, args.num_videos, args.data_dir)
    model.check_image_shape(test["images"].shape, "test images")
    models = {"model": model}
    if "untrained" in baselines:
        models["untrained"] = untrained_copy(model)
    models.update(compared_models(args.compare))
    results, seconds = {}, {}
    for name, candidate in models.items():
        start = time.time()
        results[name] = scene_inference_report(
            candidate, test, args.seed, lpips_network, min(args.batch_size, 16)
        )
        seconds[name] = round(time.time() - start, 1)
    if "mean_image" in baselines:
        mean = mean_training_image(dataset, data_dir=args.data_dir)
        constant = np.broadcast_to(mean, test["images"].shape)
        results["mean_image"] = reconstruction_metrics(constant, test["images"], lpips_network)
    report = {
        "model": results["model"],
        "baselines": {name: values for name, values in results.items() if name != "model"},
        "protocol": {
            "preset": args.preset,
            "dataset": dataset,
            "split": "test",
            "num_images": int(len(test["images"])),
            "image_size": int(test["images"].shape[1]),
            "render_stage": model.render_stage,
            "reconstruction": "render_scene(infer_scene(image)) from the input camera; MSE / "
            "PSNR / SSIM (11x11 Gaussian window) of [0, 1] pixels per image, averaged"
            + (f"; LPIPS {lpips_network}" if lpips_network else ""),
            "fg_ari": "foreground ARI (true background pixels left out); attention: argmax "
            "of the slot attention masks (the thesis' protocol, 10.4.2); rendered: argmax of "
            "the rendered object / background masks",
            "object_edits": "the most visible true object of each scene, matched to the object "
            "slot with the most attention on its pixels; translation: that slot moved by "
            "(0.5, 0, 0) scene units, its rendered mask centroid shift against the camera "
            "projection of the move; removal: that slot removed vs the dataset's re-render "
            "without the object, region = the pixels the removal changes in the true renders, "
            "no_edit = the unedited reconstruction",
            "mean_image": "mean of the first 512 training images",
            "slot_seed": args.seed,
            "seconds": seconds,
        },
    }
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "metrics.json"), "w") as file:
        json.dump(report, file, indent=2)
    plot_scene_inference_metrics(
        os.path.join(args.out, "scene_inference_metrics.png"), results, title=args.preset
    )
    print(json.dumps({"model": report["model"], "baselines": report["baselines"]}, indent=2))
    return report
