"""Training throughput with 1 vs 2 replicas (MirroredStrategy) and the all-reduce cost per step.

One TensorFlow process splits the CPU into 2 logical devices (as `dynscene train --cpu-replicas
2` does) and, for each preset, times the same global batch through `fit` under: no strategy,
MirroredStrategy on 1 device, and MirroredStrategy on 2 devices. It also times the gradient
all-reduce alone: one `all_reduce` of tensors shaped like every trainable variable (what the
strategy sums each step; twice, G and D, for the GAN) inside `strategy.run`. Warm-up steps are
excluded. On a CPU the two logical devices share the same cores, so 2 replicas cannot be faster
here: the run measures the strategy's overhead; on a multi-GPU host the same command measures
scaling. Results go to JSON and a plot; compare ratios within one run.

Example:
    python benchmarks/distributed_throughput.py --presets hier_vrnn_smmnist_cpu cvg_cpu \
        --global-batch 8 --steps 4 --out benchmarks/results
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def random_batches(model, global_batch, count):
    import numpy as np

    rng = np.random.default_rng(0)
    if hasattr(model, "num_levels"):
        frames = model.num_frames
    else:
        frames = model.context_frames + model.future_frames
    shape = (global_batch * count, frames, model.image_size, model.image_size, model.channels)
    data = {"video": rng.integers(0, 256, shape).astype("uint8")}
    if getattr(model, "num_classes", 0):
        data["label"] = rng.integers(0, model.num_classes, global_batch * count).astype("int32")
    return data, frames


def compile_model(model):
    import keras

    if hasattr(model, "num_levels"):
        model.compile(
            level=1,
            g_optimizer=keras.optimizers.Adam(1e-4),
            d_optimizer=keras.optimizers.Adam(4e-4),
            jit_compile=False,
        )
    else:
        model.compile(optimizer=keras.optimizers.Adam(1e-4), jit_compile=False)


def time_fit(preset, strategy, args):
    import contextlib

    import tensorflow as tf

    from keras_dynscene.models import load_preset

    scope = strategy.scope() if strategy is not None else contextlib.nullcontext()
    with scope:
        model = load_preset(preset)
        compile_model(model)
    data, frames = random_batches(model, args.global_batch, args.steps + args.warmup_steps)
    dataset = tf.data.Dataset.from_tensor_slices(data).batch(args.global_batch, True)
    model.fit(dataset.take(args.warmup_steps), verbose=0)
    start = time.perf_counter()
    model.fit(dataset.skip(args.warmup_steps), verbose=0)
    step_s = (time.perf_counter() - start) / args.steps
    return model, {
        "step_s": step_s,
        "train_frames_per_s": args.global_batch * frames / step_s,
        "params": int(model.count_params()),
    }


def time_all_reduce(model, strategy, repeats):
    """Seconds per step spent summing gradient-shaped tensors over the replicas."""
    import tensorflow as tf

    groups = [model.trainable_variables]
    if hasattr(model, "generator_variables"):
        groups = [model.generator_variables(), model.discriminator_variables()]
    shapes = [[tuple(v.shape) for v in group] for group in groups]

    @tf.function
    def reduce_once():
        def replica_fn():
            context = tf.distribute.get_replica_context()
            return [
                context.all_reduce(tf.distribute.ReduceOp.SUM, [tf.ones(s) for s in group])
                for group in shapes
            ]

        return strategy.run(replica_fn)

    reduce_once()
    start = time.perf_counter()
    for _ in range(repeats):
        reduce_once()
    return (time.perf_counter() - start) / repeats, sum(
        int(tf.reduce_prod(s)) for group in shapes for s in group
    )


def plot(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    presets = sorted({r["preset"] for r in results})
    variants = ["no strategy", "mirrored, 1 replica", "mirrored, 2 replicas"]
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    width = 0.8 / len(variants)
    for index, variant in enumerate(variants):
        values = [
            next(
                (
                    r["train_frames_per_s"]
                    for r in results
                    if (r["preset"], r["variant"]) == (p, variant)
                ),
                0.0,
            )
            for p in presets
        ]
        axes[0].bar([i + index * width for i in range(len(presets))], values, width, label=variant)
    axes[0].set_xticks([i + 0.4 - width / 2 for i in range(len(presets))], presets)
    axes[0].set_title("train throughput, same global batch (frames/s)")
    axes[0].legend()
    overhead = [
        next(r["all_reduce_ms"] for r in results if r["preset"] == p and "all_reduce_ms" in r)
        for p in presets
    ]
    step = [
        next(r["step_s"] * 1e3 for r in results if r["preset"] == p and "all_reduce_ms" in r)
        for p in presets
    ]
    axes[1].bar(range(len(presets)), step, 0.4, label="2-replica train step")
    axes[1].bar([i + 0.4 for i in range(len(presets))], overhead, 0.4, label="gradient all-reduce")
    axes[1].set_xticks([i + 0.2 for i in range(len(presets))], presets)
    axes[1].set_yscale("log")
    axes[1].set_ylabel("ms per step")
    axes[1].set_title("all-reduce overhead per step (2 replicas)")
    axes[1].legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--presets", nargs="+", default=["hier_vrnn_smmnist_cpu", "cvg_cpu"])
    parser.add_argument("--global-batch", type=int, default=8)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--warmup-steps", type=int, default=1)
    parser.add_argument("--all-reduce-repeats", type=int, default=20)
    parser.add_argument("--out", default="benchmarks/results")
    args = parser.parse_args()

    from keras_dynscene.distribute import split_cpu_into_logical_devices

    split_cpu_into_logical_devices(2)
    import tensorflow as tf

    gpus = tf.config.list_logical_devices("GPU")
    devices = [d.name for d in (gpus or tf.config.list_logical_devices("CPU"))][:2]
    results = []
    # One strategy object per variant for all presets: a second 2-replica MirroredStrategy in
    # the same process restarts the collective instance keys and its all-reduces collide with
    # the first one's ("Shape mismatch in the collective instance").
    variants = (
        ("no strategy", None),
        ("mirrored, 1 replica", tf.distribute.MirroredStrategy(devices[:1])),
        ("mirrored, 2 replicas", tf.distribute.MirroredStrategy(devices)),
    )
    for preset in args.presets:
        for variant, strategy in variants:
            print(f"{preset} / {variant} ...", flush=True)
            model, result = time_fit(preset, strategy, args)
            if strategy is not None and strategy.num_replicas_in_sync == 2:
                seconds, values = time_all_reduce(model, strategy, args.all_reduce_repeats)
                result.update(
                    all_reduce_ms=seconds * 1e3,
                    all_reduce_values=values,
                    all_reduce_fraction_of_step=seconds / result["step_s"],
                )
            result = {"preset": preset, "variant": variant, **result}
            print(json.dumps(result), flush=True)
            results.append(result)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "devices": devices},
        "settings": vars(args),
        "results": results,
    }
    (out / "distributed_throughput.json").write_text(json.dumps(report, indent=2))
    plot(results, out / "distributed_throughput.png")
    print(f"Wrote {out / 'distributed_throughput.json'} and the plot beside it")


if __name__ == "__main__":
    main()
