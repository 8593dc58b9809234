"""Number-of-modules ablation of VIM (thesis figure 8.3): train with M in {1, 2, 4, 5, 7}
modules at a matched total module capacity, then plot reconstruction MSE and KL against M.

    python examples/vim_module_ablation.py --steps 3000 --out runs/vim_ablation   # resumable

Each model trains in its own run folder (`runs/vim_ablation/modules_<M>`), so an interrupted
ablation resumes where it stopped. Models with fewer modules get proportionally wider modules
(`module_hidden_size = 320 / M`), as in 8.5.1. `--pretrained-slots runs/vim/slot_pretraining/
model.keras` starts every model from one slot pretraining instead of none.
"""

import argparse
import json
import os

import keras
import numpy as np
from matplotlib.figure import Figure

from keras_dynscene.cli.main import main as dynscene
from keras_dynscene.evaluation.vim_evaluation import load_random_walk_test
from keras_dynscene.evaluation.vim_evaluation import reconstruction_mse
from keras_dynscene.models import load_preset
from keras_dynscene.visualization.metric_plots import saved_figure

TOTAL_MODULE_WIDTH = 320


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--modules", type=int, nargs="+", default=[1, 2, 4, 5, 7])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--num-videos", type=int, default=128)
    parser.add_argument("--out", default="runs/vim_ablation")
    parser.add_argument("--pretrained-slots", default=None, help="a slot_pretraining/model.keras")
    args = parser.parse_args()
    test = load_random_walk_test("random_walk/atomic", args.num_videos)
    results = {}
    for modules in args.modules:
        run = os.path.join(args.out, f"modules_{modules}")
        train = ["train", "vim_cpu", "--dataset", "random_walk/atomic", "--steps", str(args.steps)]
        train += ["--checkpoint-every", "250", "--learning-rate", "4e-4", "--warmup-steps", "500"]
        train += ["--initial-learning-rate", "4e-5", "--beta-1", "0.9", "--beta-2", "0.999"]
        if args.pretrained_slots:
            train += ["--pretrained-slots", args.pretrained_slots]
        train += ["--weight-decay", "0", "--out", run, "--set", f"num_modules={modules}"]
        train += [f"module_hidden_size={TOTAL_MODULE_WIDTH // modules}"]
        if dynscene(train) != 0:
            raise SystemExit(f"training with {modules} modules failed")
        model = load_preset(os.path.join(run, "model.keras"))
        outputs = model(test["video"][:, : model.sequence_length], training=False)
        kl = keras.ops.stop_gradient(outputs["kl_gaussian"] + outputs["kl_module"])
        results[modules] = {
            "reconstruction_mse": reconstruction_mse(model, test["video"][:, :10])["per_pixel"],
            "kl_per_step": float(np.mean(keras.ops.convert_to_numpy(kl))),
        }
        print(modules, results[modules], flush=True)
    with open(os.path.join(args.out, "ablation.json"), "w") as file:
        json.dump(results, file, indent=2)
    figure = Figure(figsize=(7, 3))
    for axis, key, label in zip(
        figure.subplots(1, 2), ("reconstruction_mse", "kl_per_step"), ("MSE", "KL / step")
    ):
        axis.plot(list(results), [r[key] for r in results.values()], marker="o")
        axis.set_xlabel("modules M")
        axis.set_ylabel(label)
        axis.grid(alpha=0.3)
    figure.tight_layout()
    print("Wrote", saved_figure(figure, os.path.join(args.out, "ablation.png")))


if __name__ == "__main__":
    main()
