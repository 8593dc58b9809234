"""Time to sample the last frame of a video: one JUMP jump vs an autoregressive roll-out.

For a `--frames`-frame video (default 40) with timestamps t / (frames - 1), both models see the
first `--context` frames (default 5) of one random clip and produce the frame at index
frames - 1 (the 40th frame):
- `jump`: `JUMP.render` with one query at timestamp 1.0 (one jump, whatever the distance);
- `jump_all_frames`: `JUMP.render` with the frames - context future timestamps in one call (the
  fair comparison for a whole video);
- `autoregressive`: `HierarchicalVRNN.predict_future` with horizon frames - context, which must
  roll out every frame before the last one.
Both models are untrained architecture presets at the same resolution (default 64x64, the
issue's comparison: `jump_narratives` vs `vrnn_1_level`); this measures time, not quality. Each
backend runs in its own process (Keras picks the backend at import): a warm-up call per variant
(reported as `first_call_s`, trace / compile included), then the median of `--repeats` calls.
Results go to JSON (speed-up = autoregressive_s / jump_s per backend) and a log-scale bar plot.
Compare ratios within one run: the machines are shared and noisy. Where the full roll-out is too
slow (the 133M-parameter `vrnn_1_level` takes minutes per roll-out on a small CPU),
`--rollout-horizons 1 5` times shorter roll-outs and extrapolates a line (fixed + per-frame cost,
one `fori_loop` step per frame) to the full horizon; the JSON and the plot flag it.

Example:
    python benchmarks/jump_vs_autoregressive_sampling.py --backends tensorflow jax torch \
        --frames 40 --context 5 --repeats 3 --out benchmarks/results
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

BACKENDS = ("tensorflow", "jax", "torch")
VARIANTS = ("jump", "jump_all_frames", "autoregressive")

WORKER = r"""
import inspect, json, statistics, sys, time
import keras, numpy as np
from keras_dynscene.models import JUMP, HierarchicalVRNN

args = json.loads(sys.argv[1])
size, frames, context, n = args["resolution"], args["frames"], args["context"], args["num_samples"]


def timed(name, model, call):
    # A fresh predict function per variant: TF's `reduce_retracing` would otherwise retrace a
    # second input shape (horizon, query count) with an unknown axis, which the loops cannot take.
    model.predict_function = None
    start = time.perf_counter()
    output = call()
    first = time.perf_counter() - start
    times = []
    for _ in range(args["repeats"]):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    print("RESULT " + json.dumps({name: {
        "first_call_s": first, "seconds": statistics.median(times), "times_s": times,
    }}), flush=True)
    return output


def overrides(cls, preset, **values):
    # Only what differs from the architecture preset, so trained presets load unchanged.
    config = cls.architecture_presets.get(preset, {})
    return {key: value for key, value in values.items() if config.get(key) != value}


jump_overrides = overrides(JUMP, args["jump_preset"], image_size=size)
jump = JUMP.from_preset(args["jump_preset"], **jump_overrides)
vrnn = HierarchicalVRNN.from_preset(args["vrnn_preset"], **overrides(
    HierarchicalVRNN, args["vrnn_preset"], image_size=size, context_frames=context,
    future_frames=frames - context,
))
if jump.channels != vrnn.channels:
    raise ValueError(f"Channels differ: JUMP {jump.channels}, autoregressive {vrnn.channels}.")
# `render` runs Keras' compiled predict loop where it takes `verbose`, else eager ops.
quiet = {"verbose": 0} if "verbose" in inspect.signature(jump.render).parameters else {}
print("RESULT " + json.dumps({"models": {
    "jump": {"preset": args["jump_preset"], "params": int(jump.count_params()),
             "image_size": jump.image_size, "channels": jump.channels,
             "num_draw_steps": jump.num_draw_steps, "render": "predict" if quiet else "eager"},
    "autoregressive": {"preset": args["vrnn_preset"], "params": int(vrnn.count_params()),
                       "image_size": vrnn.image_size, "channels": vrnn.channels,
                       "latent_resolutions": list(vrnn.latent_resolutions),
                       "jit_compile": bool(vrnn.jit_compile)},
}}), flush=True)
clip = np.random.default_rng(0).integers(
    0, 256, (1, context, size, size, vrnn.channels)).astype("uint8")
stamps = np.arange(frames, dtype="float32")[None, :, None] / (frames - 1)
context_views, last_view, future_views = stamps[:, :context], stamps[:, -1:], stamps[:, context:]
last = timed("jump", jump, lambda: jump.render(
    clip, context_views, last_view, num_samples=n, seed=0, **quiet))
every = timed("jump_all_frames", jump, lambda: jump.render(
    clip, context_views, future_views, num_samples=n, seed=0, **quiet))
frame = (size, size, vrnn.channels)
assert last.shape == (1, n, 1, *frame) and every.shape == (1, n, frames - context, *frame)
for horizon in args["rollout_horizons"] or [frames - context]:
    rollout = timed(f"rollout_{horizon}", vrnn, lambda: vrnn.predict_future(
        clip, horizon=horizon, num_samples=n, seed=0, batch_size=n, verbose=0))
    assert rollout.shape == (1, n, horizon, *frame), rollout.shape
"""


def run_backend(backend, args):
    payload = {
        "jump_preset": args.jump_preset,
        "vrnn_preset": args.vrnn_preset,
        "resolution": args.resolution,
        "frames": args.frames,
        "context": args.context,
        "num_samples": args.num_samples,
        "repeats": args.repeats,
        "rollout_horizons": args.rollout_horizons,
    }
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
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
        # Keep what finished before the limit (the variants print as they complete).
        stdout = error.stdout or ""
        stdout = stdout.decode() if isinstance(stdout, bytes) else stdout
        status = f"timeout after {args.timeout} s"
    record = {"status": status, "wall_s": round(time.time() - start, 1)}
    for line in stdout.splitlines():
        if line.startswith("RESULT "):
            record.update(json.loads(line[7:]))
    if status == "failed":
        record["error"] = stderr[-1500:]
    rollouts = {int(key[8:]): record.pop(key) for key in list(record) if key.startswith("rollout_")}
    if rollouts:
        record["autoregressive"] = autoregressive_time(rollouts, args.frames - args.context)
    ar = record.get("autoregressive", {}).get("seconds")
    for variant in ("jump", "jump_all_frames"):
        if ar and variant in record:
            record[f"speedup_vs_{variant}"] = ar / record[variant]["seconds"]
    return record


def autoregressive_time(rollouts, horizon):
    """Seconds of the full roll-out: measured, or a least-squares line through shorter ones.

    The roll-out is one `ops.fori_loop` step per frame, so its time is a fixed cost (context
    encoding, predict overhead) plus a per-frame cost; `--rollout-horizons` measures it at a few
    short horizons and evaluates the line at the full one (flagged `extrapolated`).
    """
    if list(rollouts) == [horizon]:
        return {**rollouts[horizon], "horizon": horizon, "extrapolated": False}
    if len(rollouts) < 2:
        return {"horizon": horizon, "rollouts": rollouts, "error": "need two horizons to fit"}
    xs, ys = list(rollouts), [rollouts[h]["seconds"] for h in rollouts]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    intercept = mean_y - slope * mean_x
    if slope <= 0:
        return {
            "horizon": horizon,
            "rollouts": rollouts,
            "error": "roll-out time does not grow with the horizon (noise): use longer horizons "
            "or more repeats",
        }
    return {
        "seconds": intercept + slope * horizon,
        "horizon": horizon,
        "extrapolated": True,
        "fixed_s": intercept,
        "per_frame_s": slope,
        "rollouts": rollouts,
    }


def plot(results, args, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    horizon = args.frames - args.context
    labels = {
        "jump": "JUMP, 1 jump to the last frame",
        "jump_all_frames": f"JUMP, all {horizon} future frames in 1 call",
        "autoregressive": f"{args.vrnn_preset}, {horizon}-frame roll-out",
    }
    if args.rollout_horizons:
        measured = ", ".join(str(h) for h in args.rollout_horizons)
        labels["autoregressive"] += f" (line fit through {measured}-frame roll-outs)"
    backends = [r["backend"] for r in results]
    figure, axis = plt.subplots(figsize=(8, 4.8))
    width = 0.8 / len(VARIANTS)
    tops = [0.0] * len(backends)
    for index, variant in enumerate(VARIANTS):
        values = [r.get(variant, {}).get("seconds", 0.0) for r in results]
        tops = [max(top, value) for top, value in zip(tops, values)]
        positions = [i + index * width for i in range(len(backends))]
        hatch = "//" if variant == "autoregressive" and args.rollout_horizons else None
        bars = axis.bar(positions, values, width, label=labels[variant], hatch=hatch)
        axis.bar_label(bars, [f"{v:.3g}" if v else "n/a" for v in values], fontsize=8)
    for i, record in enumerate(results):
        lines = ["roll-out / JUMP:"] + [
            f"{record[f'speedup_vs_{variant}']:.1f}x ({name})"
            for variant, name in (("jump", "1 jump"), ("jump_all_frames", "all frames"))
            if f"speedup_vs_{variant}" in record
        ]
        if len(lines) > 1:
            axis.annotate(
                "\n".join(lines),
                (i + width, tops[i]),
                xytext=(0, 18),
                textcoords="offset points",
                ha="center",
                fontsize=9,
                fontweight="bold",
            )
    axis.set_xticks([i + width for i in range(len(backends))], backends)
    axis.set_yscale("log")
    bottom, top = axis.get_ylim()
    axis.set_ylim(bottom, top * 30)
    axis.set_ylabel("seconds per call (median, log scale)")
    size = args.resolution
    axis.set_title(
        f"Sampling frame {args.frames} of {args.frames} ({args.context} context frames, "
        f"{size}x{size}, batch 1, {args.num_samples} sample{'s' * (args.num_samples > 1)})",
        fontsize=10,
    )
    axis.legend(fontsize=8, loc="upper left")
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument("--jump-preset", default="jump_narratives")
    parser.add_argument("--vrnn-preset", default="vrnn_1_level")
    parser.add_argument(
        "--resolution", type=int, default=64, help="frame side of both models (default 64)"
    )
    parser.add_argument("--frames", type=int, default=40, help="video length; the last is sampled")
    parser.add_argument("--context", type=int, default=5, help="context frames given to both")
    parser.add_argument("--num-samples", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--rollout-horizons",
        nargs="+",
        type=int,
        help="for a CPU too slow for the full roll-out: time the autoregressive model at these\n"
        "shorter horizons (two or more) and extrapolate a line to frames - context",
    )
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per backend process")
    parser.add_argument("--out", default="benchmarks/results")
    args = parser.parse_args()
    if not 1 <= args.context < args.frames:
        parser.error(f"--context must be in [1, frames); received {args.context}.")
    horizons = args.rollout_horizons
    if horizons and (
        len(set(horizons)) < 2 or not all(1 <= h <= args.frames - args.context for h in horizons)
    ):
        parser.error(
            f"--rollout-horizons needs two or more distinct values in [1, {args.frames} - "
            f"{args.context}]; received {horizons}."
        )
    if horizons:
        args.rollout_horizons = sorted(set(horizons))
    results = []
    for backend in args.backends:
        print(f"{backend} ...", flush=True)
        result = {"backend": backend, **run_backend(backend, args)}
        print(json.dumps(result), flush=True)
        results.append(result)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "time to sample the last frame of a video: JUMP vs autoregressive roll-out",
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
        },
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "settings": vars(args),
        "results": results,
    }
    (out / "jump_vs_autoregressive_sampling.json").write_text(json.dumps(report, indent=2))
    plot(
        [r for r in results if any(v in r for v in VARIANTS)],
        args,
        out / "jump_vs_autoregressive_sampling.png",
    )
    print(f"Wrote {out / 'jump_vs_autoregressive_sampling.json'} and the plot beside it")


if __name__ == "__main__":
    main()
