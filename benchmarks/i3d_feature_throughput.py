"""I3D feature extraction throughput (videos/s) per backend, and the FVD resize sensitivity.

Each variant runs in its own process (Keras picks the backend at import), loads the Kinetics-400
I3D, extracts logits and features of random 64x64 clips through `I3DFeatureExtractor` (the FVD
preprocessing: TF1-bilinear resize to 224x224, [-1, 1]) after a warm-up batch, and reports
videos/s. The TensorFlow process also measures how much the FVD of noisy clips changes when the
frames are resized with half-pixel-centre bilinear (TF2 / torch) instead of TF1 `resize_bilinear`.
Results go to JSON and a bar plot. Compare ratios within one run: the machines are shared.

Example:
    python benchmarks/i3d_feature_throughput.py --frames 16 --batch-size 8 --batches 3 \
        --out benchmarks/results
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

VARIANTS = {
    "tensorflow": {"backend": "tensorflow", "jit_compile": False},
    "tensorflow_xla": {"backend": "tensorflow", "jit_compile": True},
    "jax": {"backend": "jax", "jit_compile": True},
    "torch": {"backend": "torch", "jit_compile": False},
}

WORKER = r"""
import json, sys, time
import numpy as np
from keras_dynscene.metrics import I3DFeatureExtractor, frechet_distance

args = json.loads(sys.argv[1])
extractor = I3DFeatureExtractor(batch_size=args["batch_size"], jit_compile=args["jit_compile"])
rng = np.random.default_rng(0)
shape = (args["batch_size"], args["frames"], args["size"], args["size"], 3)
videos = rng.integers(0, 256, (args["batches"] + 1, *shape)).astype("uint8")
start = time.perf_counter()
extractor(videos[0], progress=False)
first = time.perf_counter() - start
start = time.perf_counter()
for batch in videos[1:]:
    extractor(batch, progress=False)
seconds = time.perf_counter() - start
result = {
    "first_batch_s": first,
    "videos_per_s": args["batch_size"] * args["batches"] / seconds,
}
if args["resize_study"]:
    # Smooth random clips and their noisy copies (64x64, as in the FVD resize discussion).
    from scipy import ndimage
    clean = ndimage.gaussian_filter(rng.random((64, 16, 64, 64, 3)), sigma=(0, 1, 3, 3, 0))
    clean = (clean - clean.min()) / (clean.max() - clean.min())
    noisy = np.clip(clean + 0.1 * rng.normal(size=clean.shape), 0, 1).astype("float32")
    fvd = {}
    for method in ("tf1_bilinear", "bilinear"):
        e = I3DFeatureExtractor(resize_method=method, batch_size=args["batch_size"])
        fvd[method] = frechet_distance(
            e(clean.astype("float32"), progress=False)["logits"],
            e(noisy, progress=False)["logits"],
        )
    result["fvd_resize_study"] = {
        **fvd,
        "relative_difference": abs(fvd["bilinear"] - fvd["tf1_bilinear"]) / fvd["tf1_bilinear"],
        "num_videos": 64,
        "clips": "16 frames 64x64, Gaussian-smoothed noise vs +N(0, 0.1) noise",
    }
print("RESULT " + json.dumps(result))
"""


def run_variant(name: str, settings: dict, args) -> dict:
    payload = {
        "jit_compile": settings["jit_compile"],
        "batch_size": args.batch_size,
        "batches": args.batches,
        "frames": args.frames,
        "size": args.size,
        "resize_study": name == "tensorflow" and not args.skip_resize_study,
    }
    env = dict(os.environ, KERAS_BACKEND=settings["backend"])
    completed = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps(payload)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in completed.stdout.splitlines():
        if line.startswith("RESULT "):
            return {**settings, **json.loads(line[len("RESULT ") :])}
    raise RuntimeError(f"variant {name} failed:\n{completed.stderr[-3000:]}")


def plot(results: dict, path: Path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    values = [results[name]["videos_per_s"] for name in names]
    figure, axis = plt.subplots(figsize=(6, 3.2))
    bars = axis.bar(names, values, color=["#4c72b0", "#55a868", "#c44e52", "#8172b2"])
    axis.bar_label(bars, fmt="%.2f")
    axis.set_ylim(0, 1.15 * max(values))
    axis.set_ylabel("videos / s")
    axis.set_title("I3D feature extraction (FVD preprocessing), CPU")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS))
    parser.add_argument("--frames", type=int, default=16)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--batches", type=int, default=3)
    parser.add_argument("--skip-resize-study", action="store_true")
    parser.add_argument("--out", default="benchmarks/results")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    for name in args.variants:
        results[name] = run_variant(name, VARIANTS[name], args)
        print(name, json.dumps(results[name]), flush=True)
    report = {
        "benchmark": "i3d_feature_throughput",
        "clips": f"{args.frames} frames {args.size}x{args.size} RGB, resized to 224x224",
        "batch_size": args.batch_size,
        "timed_batches": args.batches,
        "machine": f"{os.cpu_count()} CPU cores, no GPU",
        "results": results,
    }
    (out / "i3d_feature_throughput.json").write_text(json.dumps(report, indent=2))
    plot(results, out / "i3d_feature_throughput.png")


if __name__ == "__main__":
    main()
