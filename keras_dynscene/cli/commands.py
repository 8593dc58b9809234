"""Subcommand bodies of `dynscene` (imported after the backend is set)."""

import json
import os
import warnings
from pathlib import Path

import numpy as np

from keras_dynscene.cli.main import parse_overrides

MODEL_NAMES = {
    "hier_vrnn": "HierarchicalVRNN",
    "svg_lp": "SVGLP",
    "vim": "VIM",
    "jump": "JUMP",
    "gqn": "GQN",
    "cvg": "CascadedVideoGAN",
    "inferno": "INFERNO",
    "nerf_ae": "NeRFAutoEncoder",
}


def is_gan(model) -> bool:
    """GANs (CVG) train with two optimizers and generate videos from noise, not from context."""
    return hasattr(model, "generator_variables")


def is_scene_model(model) -> bool:
    """Scene models (JUMP, GQN) take whole scenes of (viewpoint, frame) pairs, not clips."""
    return hasattr(model, "viewpoint_key")


def is_scene_inference_model(model) -> bool:
    """Scene inference models (INFERNO, NeRF-AE) reconstruct single images through 3D scenes."""
    return hasattr(model, "infer_scene")


def preset_info(preset: str) -> dict:
    """`saved_models/<preset>/preset.json` (dataset and protocol of a trained preset), if any."""
    from keras_dynscene.models.preset_mixin import presets_dir

    folder = Path(preset) if Path(preset).is_dir() else presets_dir() / preset
    path = folder / "preset.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def build_model(name: str, overrides: dict, dataset_shape=None):
    """A model from a class name, an architecture preset or a trained preset (to fine-tune)."""
    import keras_dynscene.models as models

    if name in MODEL_NAMES:
        config = {}
        if dataset_shape is not None:
            # Sizes a dataset leaves open (e.g. ucf101's unresized configs) come from --set.
            sizes = {"image_size": dataset_shape[1], "channels": dataset_shape[-1]}
            config = {key: int(value) for key, value in sizes.items() if value is not None}
        config.update(overrides)
        return getattr(models, MODEL_NAMES[name])(**config)
    return models.load_preset(name, **overrides)


def train(args):
    import keras

    from keras_dynscene.callbacks.scene_samples_logger import SceneSamplesLogger
    from keras_dynscene.callbacks.video_samples_logger import VideoSamplesLogger
    from keras_dynscene.data.video_dataset import load_video_dataset
    from keras_dynscene.data.video_dataset import scene_batches
    from keras_dynscene.data.video_dataset import training_batches
    from keras_dynscene.training.train_model import train_model

    # Devices are split and strategies built before any TensorFlow op initializes them.
    distribution = training_distribution(args)
    keras.utils.set_random_seed(args.seed)
    dataset = load_video_dataset(args.dataset, "train", args.data_dir)
    if "video" not in dataset.element_spec and "image" in dataset.element_spec:
        return train_images(args, dataset, distribution)
    if getattr(args, "switch_step", None) is not None:
        raise ValueError("--switch-step is for INFERNO / NeRF-AE on image datasets.")
    video_shape = dataset.element_spec["video"].shape
    with distribution.scope():
        model = build_model(args.model, parse_overrides(args.set), video_shape)
    args.batch_size = distribution.global_batch_size(args.batch_size)
    if distribution.kind != "none":
        print(
            f"Strategy {distribution.kind}: {distribution.num_replicas} replicas, global batch "
            f"{args.batch_size} ({args.batch_size // distribution.num_replicas} per replica)"
        )
    if args.pretrain_steps and distribution.uses_custom_loop:
        raise ValueError(
            "--pretrain-steps runs Keras fit, which multi-worker TensorFlow cannot (keras-team/"
            "keras#20585). Pretrain on one host (--strategy mirrored), then train from that "
            "run's model.keras with --strategy multi_worker."
        )
    if args.pretrain_steps and not hasattr(model, "slot_attention_autoencoder"):
        raise ValueError(
            f"--pretrain-steps needs a slot model (VIM); {type(model).__name__} has no slot "
            "attention to pretrain."
        )
    pretrained_slots = getattr(args, "pretrained_slots", None)
    if pretrained_slots and not hasattr(model, "slot_attention_autoencoder"):
        raise ValueError(
            f"--pretrained-slots needs a slot model (VIM); {type(model).__name__} has no slot "
            "attention to initialize."
        )
    if pretrained_slots and args.pretrain_steps:
        raise ValueError(
            "--pretrained-slots replaces slot pretraining; drop --pretrain-steps "
            f"({args.pretrain_steps}) or --pretrained-slots ({pretrained_slots!r})."
        )
    if args.pretrain_steps and args.pretrain_steps % args.checkpoint_every:
        raise ValueError(
            f"--pretrain-steps ({args.pretrain_steps}) must be a multiple of --checkpoint-every "
            f"({args.checkpoint_every}): pretraining checkpoints as often as training, so that "
            "a killed run resumes it exactly."
        )
    if is_gan(model):
        return train_gan(args, model, dataset, video_shape, distribution)
    if args.level != 1 or args.d_learning_rate is not None:
        raise ValueError(
            f"--level and --d-learning-rate are for cascaded GANs (CVG); {type(model).__name__} "
            f"has one level and one optimizer. Drop them (received --level {args.level}, "
            f"--d-learning-rate {args.d_learning_rate})."
        )
    if is_scene_model(model):
        keys = (model.video_key, model.viewpoint_key)
        batches = scene_batches(dataset, args.batch_size, keys, seed=args.seed)
        first = next(iter(batches))
        sample_scene = {key: first[key].numpy()[:2] for key in keys}
        samples_logger = SceneSamplesLogger(sample_scene, args.out)
    else:
        needed = model.context_frames + model.future_frames
        if video_shape[0] is not None and video_shape[0] < needed:
            raise ValueError(
                f"'{args.dataset}' videos have {video_shape[0]} frames; the model needs {needed} "
                "(context_frames + future_frames). Lower them with --set."
            )
        batches = training_batches(dataset, needed, args.batch_size, seed=args.seed)
        samples_logger = VideoSamplesLogger(next(iter(batches))["video"].numpy()[:2], args.out)
    optimizer = cli_optimizer(args)
    jit = {"auto": "auto", "true": True, "false": False}[args.jit_compile]
    if args.pretrain_steps:
        with distribution.scope():
            pretrain_slots(model, batches, args)
    if pretrained_slots:
        with distribution.scope():
            load_pretrained_slots(model, pretrained_slots, next(iter(batches)))
    train_model(
        model,
        batches,
        total_steps=args.steps,
        output_dir=args.out,
        checkpoint_every=args.checkpoint_every,
        optimizer=optimizer,
        jit_compile=jit,
        extra_callbacks=[samples_logger],
        distribution=distribution,
    )
    print(f"Saved {os.path.join(args.out, 'model.keras')}")


def cli_optimizer(args):
    """The `dynscene train` optimizer: Adam with linear warmup from the CLI flags (warmup
    defaults to 5 checkpoints)."""
    from keras_dynscene.training.paper_optimizer import paper_optimizer

    warmup_steps = args.warmup_steps if args.warmup_steps is not None else 5 * args.checkpoint_every
    return paper_optimizer(
        steps_per_epoch=1,
        learning_rate=args.learning_rate,
        initial_learning_rate=args.initial_learning_rate,
        warmup_epochs=warmup_steps,
        beta_1=args.beta_1,
        beta_2=args.beta_2,
        weight_decay=args.weight_decay,
        global_clipnorm=args.clip_norm,
    )


def train_images(args, dataset, distribution):
    """`dynscene train inferno --dataset procedural_objects3d`: scene inference on images.

    The thesis' schedule (10.4.1): Adam 1e-4 with warmup, weight decay 1e-6, the upscaler stage
    until `--switch-step`, then full-resolution rendering (`RenderStageSwitch`)."""
    import tensorflow as tf

    import keras_dynscene.models as models
    from keras_dynscene.callbacks.render_stage_switch import RenderStageSwitch
    from keras_dynscene.callbacks.scene_reconstruction_logger import SceneReconstructionLogger
    from keras_dynscene.training.train_model import train_model

    def refuse_video_model(name):
        raise ValueError(
            f"'{args.dataset}' holds single images; {name} trains on videos. "
            "Train INFERNO (`inferno`) or NeRF-AE (`nerf_ae`) on image datasets."
        )

    # A video model class is refused before it is built with image sizes it cannot take.
    named = getattr(models, MODEL_NAMES.get(args.model, ""), None)
    if named is not None and not is_scene_inference_model(named):
        refuse_video_model(named.__name__)
    image_shape = dataset.element_spec["image"].shape
    with distribution.scope():
        model = build_model(args.model, parse_overrides(args.set), (None, *image_shape))
    if not is_scene_inference_model(model):
        refuse_video_model(type(model).__name__)
    if args.pretrain_steps or args.level != 1 or args.d_learning_rate is not None:
        raise ValueError("--pretrain-steps, --level and --d-learning-rate are not INFERNO options.")
    args.batch_size = distribution.global_batch_size(args.batch_size)
    batches = (
        dataset.map(lambda example: {"image": example["image"]})
        .cache()
        .shuffle(4096, seed=args.seed)
        .repeat()
        .batch(args.batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
    optimizer = cli_optimizer(args)
    callbacks = [SceneReconstructionLogger(next(iter(batches))["image"].numpy()[:4], args.out)]
    if getattr(args, "switch_step", None) is not None:
        callbacks.append(RenderStageSwitch(args.switch_step))
    jit = {"auto": "auto", "true": True, "false": False}[args.jit_compile]
    train_model(
        model,
        batches,
        total_steps=args.steps,
        output_dir=args.out,
        checkpoint_every=args.checkpoint_every,
        optimizer=optimizer,
        jit_compile=jit,
        extra_callbacks=callbacks,
        distribution=distribution,
    )
    print(f"Saved {os.path.join(args.out, 'model.keras')}")


def train_gan(args, model, dataset, video_shape, distribution):
    """`dynscene train` for CVG: one cascade level per run, both optimizers resumable."""
    import keras

    from keras_dynscene.callbacks.generation_samples_logger import GenerationSamplesLogger
    from keras_dynscene.data.video_dataset import training_batches
    from keras_dynscene.training.train_model import train_model

    if video_shape[0] is not None and video_shape[0] < model.num_frames:
        raise ValueError(
            f"'{args.dataset}' videos have {video_shape[0]} frames; the cascade trains on "
            f"{model.num_frames}. Lower num_frames with --set."
        )
    keep = ("label",) if model.num_classes else ()
    # Datasets stored at another size (e.g. TFDS's 256x256 ucf101 for a 128x128 CVG) are
    # centre-cropped and resized to the model's frames; matching ones are left untouched.
    stored = tuple(video_shape[1:3])
    frame_size = None if stored == (model.image_size,) * 2 else model.image_size
    batches = training_batches(
        dataset,
        model.num_frames,
        args.batch_size,
        seed=args.seed,
        keep_keys=keep,
        frame_size=frame_size,
    )
    labels = np.arange(4) % model.num_classes if model.num_classes else None

    def adam(learning_rate):
        # Fixed learning rates (thesis 6.5.1); no warmup, no decay.
        return keras.optimizers.Adam(
            learning_rate, beta_1=args.beta_1, beta_2=args.beta_2, global_clipnorm=args.clip_norm
        )

    d_learning_rate = args.d_learning_rate or 5.0 * args.learning_rate
    jit = {"auto": "auto", "true": True, "false": False}[args.jit_compile]
    print(
        f"Training level {args.level} of {model.num_levels}: G lr {args.learning_rate}, "
        f"D lr {d_learning_rate}, {model.discriminator_steps} D steps per G step"
    )
    train_model(
        model,
        batches,
        total_steps=args.steps,
        output_dir=args.out,
        checkpoint_every=args.checkpoint_every,
        compile_kwargs={
            "level": args.level,
            "g_optimizer": adam(args.learning_rate),
            "d_optimizer": adam(d_learning_rate),
        },
        jit_compile=jit,
        extra_callbacks=[GenerationSamplesLogger(args.out, labels=labels, seed=args.seed)],
        distribution=distribution,
    )
    print(f"Saved {os.path.join(args.out, 'model.keras')}")


def training_distribution(args):
    """The `Distribution` of `dynscene train --strategy` (after `--cpu-replicas` splits)."""
    from keras_dynscene.distribute import make_distribution
    from keras_dynscene.distribute import split_cpu_into_logical_devices

    if args.cpu_replicas is not None:
        split_cpu_into_logical_devices(args.cpu_replicas)
    return make_distribution(args.strategy, tpu=args.tpu)


def pretrain_slots(model, batches, args):
    """Thesis 8.A.2: slot attention pretraining on first frames before sequence training.

    Runs through `train_model` in `<out>/slot_pretraining/` (checkpoints every
    `--checkpoint-every` steps, history, logs), so a run killed while pretraining resumes it,
    and a run killed after it restores the pretrained weights from its last checkpoint (zero
    steps left). Skipped when sequence training has already checkpointed: its own checkpoint
    holds every weight."""
    import keras

    from keras_dynscene.schedules.linear_warmup import LinearWarmup
    from keras_dynscene.training.train_model import train_model

    if os.path.isdir(os.path.join(args.out, "backup")):
        print("Resuming: slot pretraining already done in this run folder, skipped.")
        return
    output_dir = os.path.join(args.out, "slot_pretraining")
    if os.path.isdir(os.path.join(output_dir, "backup")):
        print(f"Resuming slot attention pretraining from {output_dir}")
    pretraining = model.slot_attention_autoencoder()
    # BackupAndRestore restores into built models only.
    pretraining(keras.tree.map_structure(lambda t: t.numpy(), next(iter(batches))))
    warmup = max(1, args.pretrain_steps // 10)
    peak = getattr(args, "pretrain_learning_rate", 4e-4)
    schedule = LinearWarmup(args.initial_learning_rate, peak, warmup)
    print(
        f"Slot attention pretraining on first frames: {args.pretrain_steps} steps, lr warmed "
        f"up to {peak} over {warmup}"
    )
    with warnings.catch_warnings():
        # The VIM's transition layers are outside the autoencoder: no gradients, on purpose.
        warnings.filterwarnings("ignore", message="Gradients do not exist")
        train_model(
            pretraining,
            batches,
            total_steps=args.pretrain_steps,
            output_dir=output_dir,
            checkpoint_every=args.checkpoint_every,
            optimizer=keras.optimizers.Adam(schedule),
            verbose=2,
        )


def load_pretrained_slots(model, path, batch):
    """`--pretrained-slots`: copies the encoder, slot attention and decoder weights of a saved
    VIM (or of its slot pretraining model) into `model` before sequence training."""
    import keras

    import keras_dynscene.models  # noqa: F401  (registers the classes to deserialize)

    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"--pretrained-slots: no file at {path!r}. Pass a run's slot_pretraining/model.keras "
            "or a VIM model.keras."
        )
    source = keras.saving.load_model(path, compile=False)
    source = getattr(source, "vim", source)
    layers = ("encoder", "slot_attention", "decoder")
    if not all(hasattr(source, name) for name in layers):
        raise ValueError(
            f"--pretrained-slots: {path!r} holds a {type(source).__name__}; expected a VIM or a "
            "SlotAttentionAutoEncoder (with an encoder, slot attention and decoder)."
        )
    # Built the way pretraining builds them, so the copied weights survive the VIM's build.
    model.slot_attention_autoencoder()(keras.tree.map_structure(lambda t: t.numpy(), batch))
    for name in layers:
        weights = getattr(source, name).get_weights()
        target = getattr(model, name)
        expected = [tuple(weight.shape) for weight in target.weights]
        received = [tuple(weight.shape) for weight in weights]
        if expected != received:
            raise ValueError(
                f"--pretrained-slots: the {name} of {path!r} has weight shapes {received}; this "
                f"model's has {expected}. Train with the same encoder/slot/decoder sizes (--set)."
            )
        target.set_weights(weights)
    print(f"Slot layers (encoder, slot attention, decoder) loaded from {path}")


def sample(args):
    from keras_dynscene.data.test_clips import load_test_clips
    from keras_dynscene.models import load_preset
    from keras_dynscene.visualization.video_grid import comparison_video
    from keras_dynscene.visualization.video_grid import save_png
    from keras_dynscene.visualization.video_grid import video_comparison_grid
    from keras_dynscene.visualization.video_writer import write_gif

    model = load_preset(args.preset)
    if is_gan(model):
        return sample_cascade(args, model)
    dataset = args.dataset or preset_info(args.preset).get("dataset")
    if dataset is None:
        raise ValueError(
            f"Preset '{args.preset}' names no dataset; pass --dataset (e.g. "
            "stochastic_moving_mnist/2digits)."
        )
    if is_scene_model(model):
        return sample_scenes(args, model, dataset)
    if is_scene_inference_model(model):
        return sample_scene_inference(args, model, dataset)
    horizon = args.horizon or model.future_frames
    clips = load_test_clips(
        dataset, args.num_clips, model.context_frames + horizon, args.seed, args.data_dir
    )
    context, truth = clips[:, : model.context_frames], clips[:, model.context_frames :]
    samples = model.predict_future(context, horizon, args.num_samples, seed=args.seed)
    gif_path = Path(args.out)
    gif_path.parent.mkdir(parents=True, exist_ok=True)
    videos = [comparison_video(c, t, s) for c, t, s in zip(context, truth, samples)]
    write_gif(str(gif_path), np.concatenate(videos, axis=1))
    grid = np.concatenate(
        [video_comparison_grid(c, t, s) for c, t, s in zip(context, truth, samples)], axis=0
    )
    png_path = gif_path.with_suffix(".png")
    save_png(str(png_path), grid)
    print(f"Wrote {gif_path} and {png_path} ({args.num_clips} clips x {args.num_samples} samples)")
    if hasattr(model, "sample_with_masks"):
        from keras_dynscene.visualization.video_grid import slot_video

        slotted = model.sample_with_masks(context, horizon, seed=args.seed)
        rows = [slot_video(f, m) for f, m in zip(slotted["frames"], slotted["masks"])]
        slots_gif = gif_path.with_name(f"{gif_path.stem}_slots.gif")
        write_gif(str(slots_gif), np.concatenate(rows, axis=1))
        strip = np.concatenate(rows, axis=1)  # clips stacked vertically, [T, H', W', 3]
        save_png(str(slots_gif.with_suffix(".png")), np.concatenate(list(strip), axis=1))
        print(f"Wrote {slots_gif} and its PNG strip (prediction | what each slot explains)")


def refresh_batch_norm_statistics(model, num_frames, passes, seed):
    """Per-frame statistics for an unroll longer than training (thesis 6.A dummy passes)."""
    print(
        f"Recomputing the per-frame batch-norm statistics for {num_frames} first-level frames "
        f"({passes} dummy forward passes, thesis 6.A); trained ones cover "
        f"{model.frames_with_statistics()}."
    )
    model.recompute_batch_norm_statistics(num_frames, passes=passes, seed=seed)


def sample_cascade(args, model):
    """`dynscene sample` for CVG: every level's video side by side (thesis figure 6.14)."""
    from keras_dynscene.visualization.cascade_grid import cascade_grid
    from keras_dynscene.visualization.cascade_grid import cascade_video
    from keras_dynscene.visualization.video_grid import save_png
    from keras_dynscene.visualization.video_writer import write_gif

    count = args.num_clips
    labels = np.arange(count) % model.num_classes if model.num_classes else None
    if args.num_frames and args.num_frames > model.frames_with_statistics():
        refresh_batch_norm_statistics(model, args.num_frames, args.statistics_passes, args.seed)
    levels = model.generate(
        labels=labels,
        num_samples=None if model.num_classes else count,
        num_frames=args.num_frames,
        seed=args.seed,
        return_all_levels=True,
    )
    gif_path = Path(args.out)
    gif_path.parent.mkdir(parents=True, exist_ok=True)
    write_gif(str(gif_path), cascade_video(levels))
    png_path = gif_path.with_suffix(".png")
    save_png(str(png_path), cascade_grid(levels))
    frames = " -> ".join(f"{v.shape[1]}/{v.shape[2]}x{v.shape[3]}" for v in levels)
    print(f"Wrote {gif_path} and {png_path}: {count} videos, levels {frames}")


def sample_scenes(args, model, dataset):
    """`dynscene sample` for JUMP / GQN: forward, backward and jumpy predictions of test scenes
    (`scene_task`), as a GIF (one row per task, panes truth | samples) and a PNG grid."""
    from keras_dynscene.data.test_clips import load_test_scenes
    from keras_dynscene.evaluation.scene_evaluation import TASKS
    from keras_dynscene.evaluation.scene_evaluation import scene_task
    from keras_dynscene.visualization.scene_grid import scene_prediction_grid
    from keras_dynscene.visualization.scene_grid import scene_prediction_video
    from keras_dynscene.visualization.video_grid import save_png
    from keras_dynscene.visualization.video_writer import write_gif

    frames, views = load_test_scenes(
        dataset, args.num_clips, (model.video_key, model.viewpoint_key), args.data_dir
    )
    num_context = min(model.max_context, frames.shape[1] - 1)
    grids, videos = [], []
    for task in TASKS:
        context, queries = scene_task(task, frames.shape[1], num_context)
        samples = model.render(
            frames[:, context],
            views[:, context],
            views[:, queries],
            args.num_samples,
            seed=args.seed,
        )
        for scene, rendered in zip(frames, samples):
            grids.append(scene_prediction_grid(scene, context, queries, rendered))
        videos.append(scene_prediction_video(frames[0], context, queries, samples[0]))
    gif_path = Path(args.out)
    gif_path.parent.mkdir(parents=True, exist_ok=True)
    write_gif(str(gif_path), np.concatenate(videos, axis=1))
    png_path = gif_path.with_suffix(".png")
    separator = np.full((4, grids[0].shape[1], 3), 255, np.uint8)
    save_png(str(png_path), np.concatenate([g for grid in grids for g in (grid, separator)]))
    print(
        f"Wrote {gif_path} (scene 0: {', '.join(TASKS)} prediction, truth | "
        f"{args.num_samples} samples) and {png_path} ({args.num_clips} scenes per task)"
    )


def sample_scene_inference(args, model, dataset):
    """`dynscene sample --preset inferno_objects3d`: PNG of input | reconstruction | objects |
    edits for `--num-clips` test images."""
    from keras_dynscene.data.video_dataset import load_video_dataset
    from keras_dynscene.visualization.scene_edit_grid import EDIT_COLUMNS
    from keras_dynscene.visualization.scene_edit_grid import scene_edit_grid
    from keras_dynscene.visualization.video_grid import save_png

    test = load_video_dataset(dataset, "test", args.data_dir)
    images = np.stack([ex["image"] for ex in test.take(args.num_clips).as_numpy_iterator()])
    grid = scene_edit_grid(model, images, seed=args.seed)
    path = Path(args.out).with_suffix(".png")
    save_png(str(path), grid)
    print(
        f"Wrote {path}: per image, input | reconstruction | {model.num_objects} objects alone | "
        f"{' | '.join(EDIT_COLUMNS)} (edits of the most visible object)"
    )


def evaluate(args):
    from keras_dynscene.evaluation.evaluate_preset import evaluate_preset

    evaluate_preset(args)


def export(args):
    from keras_dynscene.export.video_prediction_export import export_preset

    export_preset(args.preset, args.out, args.horizon)


def package_preset(args):
    from keras_dynscene.models.preset_mixin import load_keras_file
    from keras_dynscene.models.preset_mixin import presets_dir
    from keras_dynscene.models.preset_mixin import save_preset

    model = load_keras_file(args.model)
    if args.unroll_frames is not None:
        if not is_gan(model):
            raise ValueError(
                f"--unroll-frames is for cascaded GANs (CVG); {type(model).__name__} has no "
                "per-frame batch-norm statistics to recompute."
            )
        refresh_batch_norm_statistics(model, args.unroll_frames, args.statistics_passes, 0)
    folder = save_preset(model, presets_dir() / args.name, {"dataset": args.dataset})
    if not args.no_export:
        from keras_dynscene.export.scene_renderer_export import export_scene_renderer
        from keras_dynscene.export.video_generator_export import export_video_generator
        from keras_dynscene.export.video_prediction_export import export_video_predictor

        # Export the saved preset itself: no optimizer variables travel into the SavedModel.
        clean = load_keras_file(folder / "model.keras")
        if is_scene_inference_model(clean):
            from keras_dynscene.export.scene_inference_export import export_scene_inference

            exporter = export_scene_inference
        elif is_gan(clean):
            exporter = export_video_generator
        elif is_scene_model(clean):
            exporter = export_scene_renderer
        else:
            exporter = export_video_predictor
        exporter(clean, str(folder / "saved_model"))
    print(f"Wrote preset '{args.name}' to {folder}")


def serve_check(args):
    from keras_dynscene.export.serving_check import serving_check

    result = serving_check(args.model_dir)
    print(json.dumps(result, indent=2))
