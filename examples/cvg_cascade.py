"""Train a 2-level CVG cascade greedily on class-labelled SM-MNIST, its No-MD ablation from the
same level 1 (thesis table 6.3), then evaluate and sample both (thesis ch. 6).

    python examples/cvg_cascade.py --level-1-steps 1500 --level-2-steps 500 --out runs/cvg

Every run resumes from its checkpoints when started again. The same from the command line:

    dynscene train cvg_cpu --dataset stochastic_moving_mnist/1digit_labelled_32 --level 1 \\
        --steps 1500 --checkpoint-every 250 --learning-rate 1e-4 --d-learning-rate 5e-4 \\
        --beta-1 0 --beta-2 0.999 --out runs/cvg/level_1
    dynscene train runs/cvg/level_1/model.keras \\
        --dataset stochastic_moving_mnist/1digit_labelled_32 --level 2 --steps 500 \\
        --checkpoint-every 250 --learning-rate 1e-4 --d-learning-rate 5e-4 \\
        --beta-1 0 --beta-2 0.999 --out runs/cvg/level_2
    dynscene train runs/cvg/level_1/model.keras --set matching_discriminator=false ... \\
        --out runs/cvg/level_2_no_md
    dynscene evaluate --preset runs/cvg/level_2/model.keras \\
        --dataset stochastic_moving_mnist/1digit_labelled_32 \\
        --baselines untrained,upsampled_lower_level \\
        --compare runs/cvg/level_2_no_md/model.keras --num-videos 256 --out runs/cvg/eval
    dynscene sample --preset runs/cvg/level_2/model.keras --num-frames 16 --out runs/cvg/cvg.gif
"""

import argparse

from keras_dynscene.cli.main import main as dynscene

DATASET = "stochastic_moving_mnist/1digit_labelled_32"
# Thesis 6.5.1: Adam with beta_1 0, G lr 1e-4, D lr 5e-4, fixed rates.
OPTIMIZER = ["--learning-rate", "1e-4", "--d-learning-rate", "5e-4", "--beta-1", "0"]
OPTIMIZER += ["--beta-2", "0.999"]


def train(model, level, steps, out, batch_size, extra=()):
    args = ["train", model, "--dataset", DATASET, "--level", str(level), "--steps", str(steps)]
    args += ["--checkpoint-every", "250", "--batch-size", str(batch_size), *OPTIMIZER]
    if dynscene([*args, *extra, "--out", out]) != 0:
        raise SystemExit(f"training level {level} into {out} failed")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--level-1-steps", type=int, default=1500)
    parser.add_argument("--level-2-steps", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--num-videos", type=int, default=256)
    parser.add_argument("--out", default="runs/cvg")
    args = parser.parse_args()
    level_1 = f"{args.out}/level_1/model.keras"
    train("cvg_cpu", 1, args.level_1_steps, f"{args.out}/level_1", args.batch_size)
    train(level_1, 2, args.level_2_steps, f"{args.out}/level_2", args.batch_size)
    no_md = ["--set", "matching_discriminator=false"]
    train(level_1, 2, args.level_2_steps, f"{args.out}/level_2_no_md", args.batch_size, no_md)
    evaluate = ["evaluate", "--preset", f"{args.out}/level_2/model.keras", "--dataset", DATASET]
    evaluate += ["--baselines", "untrained,upsampled_lower_level"]
    evaluate += ["--compare", f"{args.out}/level_2_no_md/model.keras"]
    evaluate += ["--num-videos", str(args.num_videos), "--out", f"{args.out}/eval"]
    if dynscene(evaluate) != 0:
        raise SystemExit("evaluation failed")
    sample = ["sample", "--preset", f"{args.out}/level_2/model.keras", "--num-frames", "16"]
    raise SystemExit(dynscene([*sample, "--out", f"{args.out}/cvg.gif"]))


if __name__ == "__main__":
    main()
