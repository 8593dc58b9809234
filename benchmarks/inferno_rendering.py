"""INFERNO's two rendering stages (thesis 10.2.1, 10.E): training-step time and peak memory of
16x16 feature rendering + neural upscaler vs full-resolution NeRF rendering, and renderer rays/s.

Training variants (the `--preset` architecture, default `inferno_cpu`, 64x64 images, same batch):
- `upscaler_16x16`: 16x16 = 256 rays per image render features, the upscaler decodes 64x64;
- `full_512_rays`: full-resolution RGB on 512 random rays per image (what the shipped preset
  trains with after the switch);
- `full_all_rays`: full-resolution RGB on all 64x64 = 4096 rays (the thesis' second stage).

Per backend, in a process of its own (Keras picks the backend at import):
- TensorFlow: `fit` in graph mode (the `dynscene train` default) on random uint8 images; the
  median per-batch time after `--warmup` batches and TF's CPU allocator high-water mark during
  `fit` (`tf.config.experimental.get_memory_info("CPU:0")["peak"]`, tensors only).
- JAX: the train step Keras' JAX trainer jits (`model.train_step`, state donated) lowered and
  compiled on the real state and one batch; XLA's buffer assignment gives the exact bytes the
  step needs live (arguments + outputs + temporaries - donated aliases), then the compiled step
  is timed.
- torch: `fit` times only (no CPU peak-memory counter).
Renderer throughput: `render_image` of a batch of inferred scenes at full resolution (all
`num_objects` slots plus the background, `num_samples` samples per ray, no gradients), as
rays/s: eager on TensorFlow and torch, `jax.jit`-compiled on JAX (also eager there).

Results go to JSON and a plot. Compare ratios within one run: the machines are shared and
noisy.

Example:
    python benchmarks/inferno_rendering.py --out benchmarks/results
    python benchmarks/inferno_rendering.py --backends tensorflow --batch-size 4 --steps 2
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

VARIANTS = ("upscaler_16x16", "full_512_rays", "full_all_rays")
BACKENDS = ("tensorflow", "jax", "torch")

WORKER = r"""
import json, statistics, sys, time
import keras, numpy as np
from keras_dynscene.models import INFERNO

args = json.loads(sys.argv[1])
backend = keras.backend.backend()
VARIANT_CONFIG = {
    "upscaler_16x16": {"render_stage": "upscaler"},
    "full_512_rays": {"render_stage": "full", "full_resolution_training_rays": 512},
    "full_all_rays": {"render_stage": "full", "full_resolution_training_rays": None},
}


def build(variant):
    config = {**INFERNO.architecture_presets[args["preset"]], **VARIANT_CONFIG[variant], "seed": 0}
    model = INFERNO(**config)
    model.compile(optimizer=keras.optimizers.Adam(1e-4))
    return model


def images(model, count):
    rng = np.random.default_rng(0)
    size = model.image_size
    return rng.integers(0, 256, (count, size, size, model.channels), dtype="uint8")


def train_step(variant):
    model = build(variant)
    batch, warmup, steps = args["batch_size"], args["warmup"], args["steps"]
    data = {"image": images(model, batch * (warmup + steps))}
    result = {"params": int(model.count_params())}
    if backend == "jax":
        import jax

        model.fit({"image": data["image"][:batch]}, batch_size=batch, epochs=1, verbose=0)
        state = model._get_jax_state(True, True, True, True)
        first = {"image": data["image"][:batch]}
        start = time.perf_counter()
        compiled = jax.jit(model.train_step, donate_argnums=0).lower(state, first).compile()
        result["compile_s"] = time.perf_counter() - start
        stats = compiled.memory_analysis()
        result["peak_bytes"] = (
            stats.argument_size_in_bytes + stats.output_size_in_bytes
            + stats.temp_size_in_bytes - stats.alias_size_in_bytes
        )
        times = []
        for index in range(warmup + steps):
            step = {"image": data["image"][index * batch : (index + 1) * batch]}
            start = time.perf_counter()
            logs, state = compiled(state, step)
            jax.block_until_ready(logs)
            times.append(time.perf_counter() - start)
    else:
        stamps = []

        class Clock(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                stamps.append(time.perf_counter())

        if backend == "tensorflow":
            import tensorflow as tf

            tf.config.experimental.reset_memory_stats("CPU:0")
        start = time.perf_counter()
        model.fit(data, batch_size=batch, epochs=1, verbose=0, shuffle=False, callbacks=[Clock()])
        times = np.diff([start, *stamps]).tolist()
        if backend == "tensorflow":
            result["peak_bytes"] = tf.config.experimental.get_memory_info("CPU:0")["peak"]
        result["first_step_s"] = times[0]
    result["step_times_s"] = times
    result["step_s"] = statistics.median(times[warmup:])
    return result


def render_throughput():
    model = build("full_all_rays")
    scenes = args["render_scenes"]
    batch = images(model, scenes)
    scene = model.infer_scene(batch)
    tensors = {key: keras.ops.convert_to_tensor(value) for key, value in scene.items()}
    rays = scenes * model.image_size**2
    results = {}

    def timed(function, label):
        function()  # warm-up (and compile)
        times = []
        for _ in range(args["render_repeats"]):
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
        seconds = statistics.median(times)
        results[label] = {"seconds": seconds, "rays_per_s": rays / seconds}

    def eager():
        out = model.render_image(tensors, stage="full", ray_chunk_size=4096)["image"]
        keras.ops.convert_to_numpy(out)

    timed(eager, "eager")
    if backend == "jax":
        import jax

        def image(scene):
            return model.render_image(scene, stage="full", ray_chunk_size=4096)["image"]

        render = jax.jit(image)
        timed(lambda: jax.block_until_ready(render(tensors)), "jit")
    return {"rays": rays, "objects": model.num_objects, "samples": model.num_samples, **results}


for job in args["jobs"]:
    try:
        value = render_throughput() if job == "render" else train_step(job)
        print("RESULT " + json.dumps({"job": job, "status": "ok", **value}), flush=True)
    except Exception as error:  # one failing variant must not lose the others
        failure = {"job": job, "status": f"failed: {error!r}"[:500]}
        print("RESULT " + json.dumps(failure), flush=True)
"""


def run_backend(backend, args):
    """All jobs of one backend in one process; the results that finished before a timeout."""
    payload = {
        "preset": args.preset,
        "batch_size": args.batch_size,
        "warmup": args.warmup,
        "steps": args.steps,
        "render_scenes": args.render_scenes,
        "render_repeats": args.render_repeats,
        "jobs": [*args.variants, "render"],
    }
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    start = time.time()
    try:
        result = subprocess.run(
            [sys.executable, "-c", WORKER, json.dumps(payload)],
            env=env,
            capture_output=True,
            text=True,
            timeout=args.timeout,
        )
        stdout, stderr = result.stdout, result.stderr
    except subprocess.TimeoutExpired as error:
        stdout = error.stdout.decode() if isinstance(error.stdout, bytes) else error.stdout or ""
        stderr = f"timeout after {args.timeout} s"
    records = [json.loads(line[7:]) for line in stdout.splitlines() if line.startswith("RESULT ")]
    done = {record["job"] for record in records}
    for job in payload["jobs"]:
        if job not in done:
            records.append({"job": job, "status": "missing", "error": stderr[-1500:]})
    print(f"{backend}: {len(records)} jobs in {time.time() - start:.0f} s", flush=True)
    return {record["job"]: {"backend": backend, **record} for record in records}


def summarize(results):
    summary = {}
    for backend, jobs in results.items():
        train = {
            variant: {key: record[key] for key in ("step_s", "peak_bytes") if key in record}
            for variant, record in jobs.items()
            if variant != "render" and record["status"] == "ok"
        }
        base = train.get("upscaler_16x16", {})
        for record in train.values():
            if base.get("step_s"):
                record["step_ratio_to_upscaler"] = record["step_s"] / base["step_s"]
            if base.get("peak_bytes") and "peak_bytes" in record:
                record["peak_mib"] = record["peak_bytes"] / 2**20
                record["memory_ratio_to_upscaler"] = record["peak_bytes"] / base["peak_bytes"]
        render = jobs.get("render", {})
        summary[backend] = {
            "train_step": train,
            "render_rays_per_s": {
                mode: render[mode]["rays_per_s"] for mode in ("eager", "jit") if mode in render
            },
        }
    return summary


def plot(summary, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    backends = list(summary)
    figure, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    width = 0.8 / len(VARIANTS)
    colors = dict(zip(VARIANTS, ("tab:blue", "tab:orange", "tab:red")))
    for panel, (key, label) in enumerate(
        (("step_s", "training step (s)"), ("peak_mib", "peak training memory (MiB)"))
    ):
        axis = axes[panel]
        for index, variant in enumerate(VARIANTS):
            xs, ys = [], []
            for position, backend in enumerate(backends):
                value = summary[backend]["train_step"].get(variant, {}).get(key)
                if value is not None:
                    xs.append(position + (index - 1) * width)
                    ys.append(value)
            bars = axis.bar(xs, ys, width, color=colors[variant], label=variant)
            axis.bar_label(bars, fmt="%.3g", fontsize=7)
        axis.set_xticks(range(len(backends)), backends)
        axis.set_title(label + (" (TF allocator / XLA bytes)" if key == "peak_mib" else ""))
        axis.grid(axis="y", alpha=0.3)
        axis.legend(fontsize=8)
    axis = axes[2]
    labels, values = [], []
    for backend in backends:
        for mode, rays in summary[backend]["render_rays_per_s"].items():
            labels.append(f"{backend}\n{mode}")
            values.append(rays)
    bars = axis.bar(range(len(values)), values, color="tab:green")
    axis.bar_label(bars, fmt="%.3g", fontsize=7)
    axis.set_xticks(range(len(values)), labels, fontsize=8)
    axis.set_title("full-resolution renderer (rays/s, no gradients)")
    axis.grid(axis="y", alpha=0.3)
    figure.suptitle("INFERNO: 16x16 features + upscaler vs full-resolution rendering at 64x64")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="inferno_cpu")
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--render-scenes", type=int, default=4)
    parser.add_argument("--render-repeats", type=int, default=3)
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per backend")
    parser.add_argument("--out", default="benchmarks/results")
    args = parser.parse_args(argv)
    started = time.time()
    results = {backend: run_backend(backend, args) for backend in args.backends}
    report = {
        "benchmark": "inferno_rendering",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "settings": {
            key: getattr(args, key)
            for key in ("preset", "batch_size", "warmup", "steps", "render_scenes")
        },
        "summary": summarize(results),
        "results": results,
        "wall_s": round(time.time() - started, 1),
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "inferno_rendering.json").write_text(json.dumps(report, indent=2))
    plot(report["summary"], out / "inferno_rendering.png")
    print(json.dumps(report["summary"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
