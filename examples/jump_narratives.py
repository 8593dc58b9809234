"""Train JUMP and its GQN baseline on the traveling-salesman narratives, then compare them as
Kumar et al. 2018 do (section 4.1: min MSE of 30 sampled continuations; 4.2: KL_1 vs KL_3).

    python examples/jump_narratives.py --steps 12000 --out runs/narratives      # resumable

The same from the command line:

    dynscene train jump_narratives_cpu --dataset narratives/traveling_salesman_32 \\
        --steps 12000 --checkpoint-every 250 --batch-size 16 --learning-rate 5e-4 \\
        --initial-learning-rate 5e-5 --warmup-steps 250 --beta-1 0.9 --beta-2 0.999 \\
        --weight-decay 0 --clip-norm 1.0 --out runs/narratives/jump
    dynscene evaluate --preset runs/narratives/jump/model.keras \\
        --dataset narratives/traveling_salesman_32 --num-videos 256 --num-samples 30 \\
        --consistency --compare runs/narratives/gqn/model.keras \\
        --baselines copy_nearest_context_frame,untrained --out runs/narratives/eval
    dynscene sample --preset runs/narratives/jump/model.keras \\
        --dataset narratives/traveling_salesman_32 --out runs/narratives/jump.gif
"""

import argparse

from keras_dynscene.cli.main import main as dynscene

PRESETS = {"jump": "jump_narratives_cpu", "gqn": "gqn_narratives_cpu"}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", default="narratives/traveling_salesman_32")
    parser.add_argument("--steps", type=int, default=12000)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--num-videos", type=int, default=256)
    parser.add_argument("--out", default="runs/narratives")
    args = parser.parse_args()
    for name, preset in PRESETS.items():
        train = ["train", preset, "--dataset", args.dataset, "--steps", str(args.steps)]
        train += ["--checkpoint-every", "250", "--batch-size", str(args.batch_size)]
        train += ["--learning-rate", "5e-4", "--initial-learning-rate", "5e-5"]
        train += ["--warmup-steps", "250", "--beta-1", "0.9", "--beta-2", "0.999"]
        train += ["--weight-decay", "0", "--clip-norm", "1.0", "--out", f"{args.out}/{name}"]
        if dynscene(train) != 0:
            raise SystemExit(f"training {name} failed")
    evaluate = ["evaluate", "--preset", f"{args.out}/jump/model.keras", "--dataset", args.dataset]
    evaluate += ["--num-videos", str(args.num_videos), "--num-samples", "30", "--consistency"]
    evaluate += ["--compare", f"{args.out}/gqn/model.keras", "--out", f"{args.out}/eval"]
    evaluate += ["--baselines", "copy_nearest_context_frame,untrained"]
    if dynscene(evaluate) != 0:
        raise SystemExit("evaluation failed")
    sample = ["sample", "--preset", f"{args.out}/jump/model.keras", "--dataset", args.dataset]
    raise SystemExit(dynscene(sample + ["--out", f"{args.out}/jump.gif"]))


if __name__ == "__main__":
    main()
