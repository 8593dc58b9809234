"""Training memory and iteration time of a 2-level CVG vs a non-cascaded GAN (thesis 6.5, 6.G).

Three variants with the same output (`--frames` frames at the preset's resolution, same batch):
- `non_cascaded`: a one-level `CascadedVideoGAN` at the full resolution and frame count (the
  DVD-GAN-like baseline: the level-1 generator with one more unit, so it also starts at 4x4,
  and the level-2 discriminators);
- `cvg_level_1`: the cascade's first level (half resolution, half the frames);
- `cvg_level_2`: the upsampling level, trained on fixed windows of `window_frames` level-1
  frames (with the frozen level 1 sampling its full-length input in the same step).
The architecture is the `--preset` (default `cvg_cpu`: 32x32, windows of 4/16x16 frames); only
the frame count varies. Figure 6.3: peak training memory per variant vs the output length;
table 6.6: seconds per training iteration (2 D updates + 1 G update, as `fit` runs it).

Every variant runs in processes of its own (Keras picks the backend at import):
- JAX (one process per variant, compiling every length: the bytes come from the compiler, not
  from process state): the train step that Keras' JAX trainer jits (`jax.jit(model.train_step,
  donate_argnums=0)`) is lowered and compiled on the real state and one batch, and XLA's buffer
  assignment gives exact, noise-free bytes (`memory_analysis()`): arguments (weights, optimizer
  and metric state, the batch) + outputs + temporaries - the outputs aliased to donated
  arguments. This is what the step needs live at once, on XLA's CPU schedule. The compile runs
  with `--xla_backend_optimization_level=0` (LLVM code generation only: the buffer assignment is
  the same, checked on the test-size cascade). With `--jax-timing`, a separate process compiles
  the step at `--time-frames` with full optimization and times it.
- TensorFlow (one process per variant and length), graph mode, the `dynscene train` default:
  `fit` on random uint8 videos. The cross-check is TF's CPU allocator high-water mark during
  `fit` (`tf.config.experimental.get_memory_info("CPU:0")["peak"]`, reset before: tensors only);
  the growth of the process' peak RSS (`ru_maxrss`) is recorded too, but tracing, oneDNN
  primitive caches and allocator slack dominate it (0.6-1.3 GB here). At `--time-frames`, the
  median of the per-batch times after `--warmup` batches is the iteration time.
Results go to JSON and a plot (memory vs frames, iteration-time bars). Compare ratios within one
run: the machines are shared and noisy.

Trace and compile time grow with the length (the ConvGRU is unrolled per frame): the default
(8-64 frames, TF at every length, JAX timing) takes about an hour on a loaded 2-core CPU;
`--quick` (8-32 frames on JAX, TF at `--time-frames` only) 20 minutes.

Example:
    python benchmarks/cvg_memory_and_time.py --quick --out benchmarks/results
    python benchmarks/cvg_memory_and_time.py --frames 8 16 32 64 --batch-size 4 \
        --time-frames 16 32 --steps 3 --out benchmarks/results
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

VARIANTS = ("non_cascaded", "cvg_level_1", "cvg_level_2")
BACKENDS = ("jax", "tensorflow")

WORKER = r"""
import json, resource, statistics, sys, time
import keras, numpy as np
from keras_dynscene.models import CascadedVideoGAN

args = json.loads(sys.argv[1])


def measure(job):
    # The architecture preset only: a trained `cvg_cpu` in saved_models/ would change nothing.
    config = {**CascadedVideoGAN.architecture_presets[args["preset"]], **job["overrides"]}
    model = CascadedVideoGAN(**config)
    model.compile(level=job["level"])
    batch, frames, size = args["batch_size"], model.num_frames, model.image_size
    warmup, steps = job["warmup"], job["steps"]
    count = batch * max(warmup + steps, 1)
    rng = np.random.default_rng(0)
    data = {
        "video": rng.integers(0, 256, (count, frames, size, size, model.channels), dtype="uint8"),
        "label": rng.integers(0, max(model.num_classes, 1), count).astype("int32"),
    }
    result = {
        "params": int(model.count_params()),
        "trainable_params": int(sum(np.prod(v.shape) for v in model.trainable_variables)),
        "level_output_frames": model.training_frames(job["level"]),
        "level_output_size": model.sizes[job["level"] - 1],
    }
    if keras.backend.backend() == "jax":
        import jax

        state = model._get_jax_state(True, True, True, True)
        first = {key: value[:batch] for key, value in data.items()}
        assert first["video"].shape[0] == batch, first["video"].shape
        start = time.perf_counter()
        # The trainer's own step: keras' JAXTrainer.make_train_function jits `self.train_step`
        # with donate_argnums=0.
        compiled = jax.jit(model.train_step, donate_argnums=0).lower(state, first).compile()
        result["compile_s"] = time.perf_counter() - start
        stats = compiled.memory_analysis()
        result.update({
            "argument_bytes": stats.argument_size_in_bytes,
            "output_bytes": stats.output_size_in_bytes,
            "alias_bytes": stats.alias_size_in_bytes,
            "temp_bytes": stats.temp_size_in_bytes,
            "peak_bytes": stats.argument_size_in_bytes + stats.output_size_in_bytes
            + stats.temp_size_in_bytes - stats.alias_size_in_bytes,
        })
        times = []
        for index in range(warmup + steps):
            step = {key: value[index * batch : (index + 1) * batch] for key, value in data.items()}
            start = time.perf_counter()
            logs, state = compiled(state, step)
            jax.block_until_ready(logs)
            times.append(time.perf_counter() - start)
    else:
        import tensorflow as tf

        stamps = []

        class Clock(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                stamps.append(time.perf_counter())

        tf.config.experimental.reset_memory_stats("CPU:0")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        model.fit(data, batch_size=batch, epochs=1, verbose=0, shuffle=False, callbacks=[Clock()])
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        times = np.diff([start, *stamps]).tolist()
        result.update({
            # TF's CPU allocator high-water mark during fit (tensors only, no code or caches).
            "peak_bytes": tf.config.experimental.get_memory_info("CPU:0")["peak"],
            # Peak RSS growth: also counts tracing, oneDNN primitive caches, allocator slack.
            "rss_growth_bytes": (after - before) * 1024,
            "rss_before_fit_bytes": before * 1024,
            "first_step_s": times[0],
        })
    if steps:
        result["step_times_s"] = times
        result["step_s"] = statistics.median(times[warmup:])
    return result


for job in args["jobs"]:
    print("RESULT " + json.dumps({**job["key"], **measure(job)}), flush=True)
"""


def variant_overrides(variant, frames, args):
    """Config overrides of the preset and the level that `compile` trains, per variant."""
    common = {"num_frames": frames, "max_frames": max(args.frames), "seed": 0}
    if variant == "non_cascaded":
        # One level at the full size: the level-1 generator grows by one unit (it starts at 4x4
        # like level 1, as DVD-GAN does), the discriminators are the full-size level 2's.
        return 1, {
            **common,
            "spatial_factors": [],
            "temporal_factors": [],
            "window_frames": [],
            "generator_channels": [args.channels],
            "generator_multipliers": [[4, 4, 2, 1]],
            "discriminator_channels": [args.channels],
            "discriminator_multipliers": [[1, 2, 4]],
        }
    channels = {
        "generator_channels": [args.channels] * 2,
        "discriminator_channels": [args.channels] * 2,
    }
    return (1 if variant == "cvg_level_1" else 2), {**common, **channels}


def job(backend, variant, frames, timed, args):
    level, overrides = variant_overrides(variant, frames, args)
    return {
        "key": {"backend": backend, "variant": variant, "frames": frames, "timed": timed},
        "overrides": overrides,
        "level": level,
        # TF needs one executed step for its memory peak; the compile alone gives XLA's bytes.
        "warmup": args.warmup if timed else int(backend == "tensorflow"),
        "steps": args.steps if timed else 0,
    }


def run_process(backend, jobs, args, optimize=True):
    """One process for `jobs`; its results, with what finished before a failure or timeout."""
    payload = {"preset": args.preset, "batch_size": args.batch_size, "jobs": jobs}
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    if not optimize:
        # Cheaper LLVM code generation only; XLA's buffer assignment (the bytes) is unchanged.
        env["XLA_FLAGS"] = f"{env.get('XLA_FLAGS', '')} --xla_backend_optimization_level=0"
    start = time.time()
    status, stderr = "ok", ""
    try:
        result = subprocess.run(
            [sys.executable, "-c", WORKER, json.dumps(payload)],
            env=env,
            capture_output=True,
            text=True,
            timeout=args.timeout,
        )
        stdout, stderr = result.stdout, result.stderr
        if result.returncode:
            status = "failed"
    except subprocess.TimeoutExpired as error:
        stdout = error.stdout or ""
        stdout = stdout.decode() if isinstance(stdout, bytes) else stdout
        status = f"timeout after {args.timeout} s"
    done = [json.loads(line[7:]) for line in stdout.splitlines() if line.startswith("RESULT ")]
    wall = round(time.time() - start, 1)
    records = [{"status": "ok", "process_wall_s": wall, **record} for record in done]
    for missing in jobs[len(done) :]:
        records.append({**missing["key"], "status": status, "error": stderr[-1500:]})
    return records


def plan(args):
    """(backend, jobs, optimize) per process: JAX compiles all lengths of a variant in one
    process (exact bytes, no process state involved); TF runs each measurement alone (RSS)."""
    processes = []
    for backend in args.backends:
        for variant in args.variants:
            if backend == "jax":
                jobs = [job("jax", variant, frames, False, args) for frames in args.frames]
                processes.append(("jax", jobs, False))
                if args.jax_timing:
                    for frames in args.time_frames:
                        processes.append(("jax", [job("jax", variant, frames, True, args)], True))
            else:
                for frames in args.tf_frames:
                    timed = frames in args.time_frames
                    processes.append(
                        ("tensorflow", [job(backend, variant, frames, timed, args)], True)
                    )
    return processes


def summarize(results, args):
    """Peak MiB per (backend, variant) over frames; iteration times at each `--time-frames`."""
    ok = [r for r in results if r["status"] == "ok"]
    memory = {
        backend: {
            variant: {
                str(r["frames"]): round(r["peak_bytes"] / 2**20, 2)
                for r in ok
                # JAX's timed step is a second compile of one length: its bytes are a check.
                if r["backend"] == backend
                and r["variant"] == variant
                and not (backend == "jax" and r["timed"])
            }
            for variant in VARIANTS
        }
        for backend in args.backends
    }
    timing = {}
    for backend in args.backends:
        timing[backend] = {}
        for frames in args.time_frames:
            steps = {
                r["variant"]: r["step_s"]
                for r in ok
                if r["backend"] == backend and r["frames"] == frames and "step_s" in r
            }
            base = steps.get("non_cascaded")
            if steps:
                timing[backend][str(frames)] = {
                    variant: {
                        "step_s": seconds,
                        "ratio_to_non_cascaded": seconds / base if base else None,
                    }
                    for variant, seconds in steps.items()
                }
    ratios = {}
    for backend, series in memory.items():
        ratios[backend] = {}
        for frames in map(str, args.frames):
            levels = [series[v].get(frames) for v in ("cvg_level_1", "cvg_level_2")]
            if frames not in series["non_cascaded"] or None in levels:
                continue
            base = series["non_cascaded"][frames]
            # Greedy training holds one level at a time: the cascade needs the larger level.
            ratios[backend][frames] = {
                "non_cascaded/cvg_level_1": round(base / levels[0], 2),
                "non_cascaded/cvg_level_2": round(base / levels[1], 2),
                "non_cascaded/cascade_peak": round(base / max(levels), 2),
            }
    return {
        "resolution": max((r["level_output_size"] for r in ok), default=None),
        "peak_mib": memory,
        "memory_ratio": ratios,
        "iteration_time": timing,
    }


def plot(summary, args, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    labels = {
        "non_cascaded": "non-cascaded (1 level, full size)",
        "cvg_level_1": "CVG level 1 (T/2 frames, half size)",
        "cvg_level_2": "CVG level 2 (fixed windows)",
    }
    colors = dict(zip(VARIANTS, ("tab:red", "tab:blue", "tab:green")))
    figure, (memory_axis, time_axis) = plt.subplots(
        1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [1.4, 1]}
    )
    styles = {"jax": ("-", "o"), "tensorflow": ("--", "s")}
    sources = {"jax": "JAX: XLA buffer assignment", "tensorflow": "TF: CPU allocator peak"}
    for backend, series in summary["peak_mib"].items():
        line, marker = styles[backend]
        for variant, points in series.items():
            xs = sorted(int(f) for f in points)
            memory_axis.plot(
                xs, [points[str(x)] for x in xs], line, marker=marker, color=colors[variant]
            )
    # The cascade's saving at each length (on the exact JAX bytes where measured).
    exact = "jax" if summary["memory_ratio"].get("jax") else "tensorflow"
    for frames, ratio in summary["memory_ratio"].get(exact, {}).items():
        memory_axis.annotate(
            f"{ratio['non_cascaded/cascade_peak']:.2f}x",
            (int(frames), summary["peak_mib"][exact]["non_cascaded"][frames]),
            xytext=(8, -14),
            textcoords="offset points",
            ha="left",
            fontsize=8,
            color="tab:red",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1},
        )
    handles = [
        Line2D([], [], color=colors[variant], lw=6, label=labels[variant]) for variant in VARIANTS
    ] + [
        Line2D([], [], color="black", linestyle=styles[b][0], marker=styles[b][1], label=sources[b])
        for b in summary["peak_mib"]
    ]
    handles.append(Line2D([], [], color="none", label="red numbers: non-cascaded / max(levels)"))
    memory_axis.set_xscale("log", base=2)
    memory_axis.set_xlim(min(args.frames) / 1.2, max(args.frames) * 1.3)
    memory_axis.set_xticks(sorted(args.frames), [str(f) for f in sorted(args.frames)])
    memory_axis.set_xlabel("output frames T")
    memory_axis.set_ylabel("peak training memory (MiB)")
    size = summary["resolution"]
    memory_axis.set_title(
        f"Training memory vs length ({size}x{size}, batch {args.batch_size})", fontsize=10
    )
    memory_axis.legend(handles=handles, fontsize=7, loc="upper left")
    memory_axis.grid(alpha=0.3)
    names = {"jax": "JAX (jit)", "tensorflow": "TF (graph)"}
    groups = [
        (f"{names[backend]}, T={frames}", entries)
        for backend, lengths in summary["iteration_time"].items()
        for frames, entries in lengths.items()
    ]
    width = 0.8 / len(VARIANTS)
    for index, variant in enumerate(VARIANTS):
        entries = [group.get(variant, {}) for _, group in groups]
        values = [e.get("step_s", 0.0) for e in entries]
        positions = [i + index * width for i in range(len(groups))]
        bars = time_axis.bar(positions, values, width, color=colors[variant], label=labels[variant])
        texts = [
            f"{e['step_s']:.2f}s\n{e['ratio_to_non_cascaded']:.2f}x"
            if e.get("ratio_to_non_cascaded")
            else "n/a"
            for e in entries
        ]
        time_axis.bar_label(bars, texts, fontsize=8)
    time_axis.set_xticks([i + width for i in range(len(groups))], [name for name, _ in groups])
    time_axis.set_ylabel("seconds per iteration (median)")
    _, top = time_axis.get_ylim()
    time_axis.set_ylim(0, top * 1.45)
    time_axis.set_title("Iteration time per level (ratio to non-cascaded)", fontsize=10)
    time_axis.legend(fontsize=7, loc="upper left")
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--preset", default="cvg_cpu", help="architecture preset of the cascade")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument("--frames", nargs="+", type=int, default=[8, 16, 32, 64])
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--channels", type=int, default=16, help="base channels of every net")
    parser.add_argument(
        "--time-frames",
        nargs="+",
        type=int,
        default=[16, 32],
        help="output lengths of the iteration times (table 6.6); 32: level 2's window is 1/4 of\n"
        "the output, as in the paper (12 of 48 frames)",
    )
    parser.add_argument("--warmup", type=int, default=2, help="untimed first batches per fit")
    parser.add_argument("--steps", type=int, default=3, help="timed batches")
    parser.add_argument(
        "--jax-timing",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time the JAX step at --time-frames (a full-optimization compile)",
    )
    parser.add_argument(
        "--tf-frames",
        nargs="+",
        type=int,
        help="lengths TF measures (default: all of --frames; each is a process and a trace)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="frames 8 16 32 on JAX, TF at --time-frames only, no JAX timing (20 min here)",
    )
    parser.add_argument("--timeout", type=int, default=900, help="seconds per process")
    parser.add_argument("--out", default="benchmarks/results")
    args = parser.parse_args()
    if args.quick:
        args.frames, args.tf_frames, args.jax_timing = [8, 16, 32], [], False
    args.frames = sorted({*args.frames, *args.time_frames})
    tf_frames = args.frames if args.tf_frames is None else args.tf_frames
    args.tf_frames = sorted({*tf_frames, *args.time_frames})
    results = []
    start = time.time()
    for backend, jobs, optimize in plan(args):
        names = ", ".join(f"{j['key']['variant']} T={j['key']['frames']}" for j in jobs)
        print(f"{backend}: {names} ...", flush=True)
        for record in run_process(backend, jobs, args, optimize):
            shown = {k: v for k, v in record.items() if k not in ("error", "step_times_s")}
            print(json.dumps(shown), flush=True)
            if record["status"] != "ok":
                print(record.get("error", ""), flush=True)
            results.append(record)
    summary = summarize(results, args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "CVG training memory vs length (fig. 6.3) and iteration time (table 6.6)",
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
        },
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "total_wall_s": round(time.time() - start, 1),
        "settings": vars(args),
        "summary": summary,
        "results": results,
    }
    (out / "cvg_memory_and_time.json").write_text(json.dumps(report, indent=2))
    plot(summary, args, out / "cvg_memory_and_time.png")
    print(json.dumps(summary, indent=2))
    print(f"Wrote {out / 'cvg_memory_and_time.json'} and the plot beside it")


if __name__ == "__main__":
    main()
