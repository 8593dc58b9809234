"""Train-step and best-of-N sampling throughput of video-prediction models per backend.

Each variant runs in its own process (Keras picks the backend at import), builds the model from
a preset, runs `fit` on random uint8 videos (warm-up steps excluded from timing) and
`predict_future` with N samples; results go to JSON and a bar plot of frames/s. Compare ratios
within one run: the machines are shared and noisy.

Example:
    python benchmarks/train_step_throughput.py --presets hier_vrnn_smmnist_cpu svg_lp \
        --batch-size 16 --steps 3 --out benchmarks/results
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

VARIANTS = {
    "tensorflow": {"backend": "tensorflow", "jit_compile": False},
    "tensorflow_xla": {"backend": "tensorflow", "jit_compile": True},
    "jax": {"backend": "jax", "jit_compile": True},
    "torch": {"backend": "torch", "jit_compile": False},
}

WORKER = r"""
import json, sys, time
import keras, numpy as np
from keras_dynscene.models import load_preset

args = json.loads(sys.argv[1])
overrides = {"context_frames": args["context_frames"], "future_frames": args["future_frames"]}
model = load_preset(args["preset"], **overrides)
frames = model.context_frames + model.future_frames
videos = np.random.default_rng(0).integers(
    0, 256, (args["batch_size"] * (args["steps"] + 1), frames, model.image_size, model.image_size,
             model.channels)).astype("uint8")
model.compile(optimizer=keras.optimizers.Adam(1e-4), jit_compile=args["jit_compile"])
start = time.perf_counter()
model.fit(videos[: args["batch_size"]], batch_size=args["batch_size"], epochs=1, verbose=0)
first_step = time.perf_counter() - start
start = time.perf_counter()
model.fit(videos[args["batch_size"]:], batch_size=args["batch_size"], epochs=1, verbose=0)
step = (time.perf_counter() - start) / args["steps"]
context = videos[:1, : model.context_frames]
n = args["num_samples"]
model.predict_future(context, num_samples=n, seed=0, batch_size=n, verbose=0)
start = time.perf_counter()
model.predict_future(context, num_samples=n, seed=1, batch_size=n, verbose=0)
sample_time = time.perf_counter() - start
print("RESULT " + json.dumps({
    "params": int(model.count_params()),
    "first_step_s": first_step,
    "step_s": step,
    "train_frames_per_s": args["batch_size"] * frames / step,
    "best_of_n_s": sample_time,
    "sampled_frames_per_s": args["num_samples"] * model.future_frames / sample_time,
}))
"""


def run_variant(preset, variant, args):
    config = VARIANTS[variant]
    payload = {
        "preset": preset,
        "batch_size": args.batch_size,
        "steps": args.steps,
        "context_frames": args.context_frames,
        "future_frames": args.future_frames,
        "num_samples": args.num_samples,
        "jit_compile": config["jit_compile"],
    }
    env = {**os.environ, "KERAS_BACKEND": config["backend"], "TF_CPP_MIN_LOG_LEVEL": "3"}
    start = time.time()
    try:
        result = subprocess.run(
            [sys.executable, "-c", WORKER, json.dumps(payload)],
            env=env,
            capture_output=True,
            text=True,
            timeout=args.timeout,
        )
    except subprocess.TimeoutExpired:
        return {"status": f"timeout after {args.timeout} s"}
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    if result.returncode or not lines:
        return {"status": "failed", "error": result.stderr[-1500:]}
    return {"status": "ok", "wall_s": round(time.time() - start, 1), **json.loads(lines[-1][7:])}


def plot(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    presets = sorted({r["preset"] for r in results})
    variants = list(VARIANTS)
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    width = 0.8 / len(variants)
    for metric, axis, title in (
        ("train_frames_per_s", axes[0], "train step (frames/s)"),
        ("sampled_frames_per_s", axes[1], "best-of-N sampling (frames/s)"),
    ):
        for index, variant in enumerate(variants):
            values = [
                next(
                    (
                        r.get(metric, 0.0)
                        for r in results
                        if r["preset"] == p and r["variant"] == variant
                    ),
                    0.0,
                )
                for p in presets
            ]
            axis.bar([i + index * width for i in range(len(presets))], values, width, label=variant)
        axis.set_xticks([i + 0.4 - width / 2 for i in range(len(presets))], presets)
        axis.set_title(title)
        axis.set_yscale("log")
    axes[0].legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--presets", nargs="+", default=["hier_vrnn_smmnist_cpu", "svg_lp"])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--context-frames", type=int, default=5)
    parser.add_argument("--future-frames", type=int, default=10)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--num-samples", type=int, default=100)
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument("--out", default="benchmarks/results")
    args = parser.parse_args()
    results = []
    for preset in args.presets:
        for variant in args.variants:
            print(f"{preset} / {variant} ...", flush=True)
            result = {"preset": preset, "variant": variant, **run_variant(preset, variant, args)}
            print(json.dumps(result), flush=True)
            results.append(result)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "settings": vars(args),
        "results": results,
    }
    (out / "train_step_throughput.json").write_text(json.dumps(report, indent=2))
    plot([r for r in results if r.get("status") == "ok"], out / "train_step_throughput.png")
    print(f"Wrote {out / 'train_step_throughput.json'} and the plot beside it")


if __name__ == "__main__":
    main()
