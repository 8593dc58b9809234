"""Train VIM on the Random Walk dataset, then measure what its modules learned (thesis 8.5).

    python examples/vim_random_walk.py --steps 6000 --out runs/vim         # resumable
    python examples/vim_random_walk.py --variant monolithic --out runs/vim_1_module \
        --pretrained-slots runs/vim/slot_pretraining/model.keras   # same pretrained slots

Steps: optional slot attention pretraining on first frames (8.A.2), sequence training with the
ELBO, then the rule-module matching histogram (figure 8.2), reconstruction MSE (table 8.4) and
the OOD tracking error of VIM-k (figure 8.5). The same from the command line:

    dynscene train vim_cpu --dataset random_walk/atomic --steps 6000 --checkpoint-every 250 \
        --learning-rate 4e-4 --initial-learning-rate 4e-5 --warmup-steps 500 \
        --beta-1 0.9 --beta-2 0.999 --weight-decay 0 --out runs/vim
    dynscene evaluate --preset runs/vim/model.keras --dataset random_walk/atomic \
        --num-videos 256 --out runs/vim/eval
"""

import argparse

from keras_dynscene.cli.main import main as dynscene

VARIANTS = {
    "vim": "vim_cpu",
    "monolithic": "vim_monolithic_cpu",
    "deterministic": "vim_deterministic_cpu",
    "vim_2": "vim_2_cpu",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="vim")
    parser.add_argument("--dataset", default="random_walk/atomic")
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--pretrain-steps", type=int, default=0)
    parser.add_argument("--pretrain-learning-rate", type=float, default=4e-4)
    parser.add_argument(
        "--pretrained-slots", default=None, help="another run's slot_pretraining/model.keras"
    )
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--num-videos", type=int, default=256)
    parser.add_argument("--out", default="runs/vim")
    args = parser.parse_args()
    train = ["train", VARIANTS[args.variant], "--dataset", args.dataset]
    train += ["--steps", str(args.steps), "--checkpoint-every", "250"]
    train += ["--batch-size", str(args.batch_size), "--pretrain-steps", str(args.pretrain_steps)]
    train += ["--learning-rate", "4e-4", "--initial-learning-rate", "4e-5", "--warmup-steps", "500"]
    train += ["--beta-1", "0.9", "--beta-2", "0.999", "--weight-decay", "0", "--out", args.out]
    train += ["--pretrain-learning-rate", str(args.pretrain_learning_rate)]
    if args.pretrained_slots:
        train += ["--pretrained-slots", args.pretrained_slots]
    if dynscene(train) != 0:
        raise SystemExit("training failed")
    evaluate = ["evaluate", "--preset", f"{args.out}/model.keras", "--dataset", args.dataset]
    evaluate += ["--num-videos", str(args.num_videos), "--out", f"{args.out}/eval"]
    raise SystemExit(dynscene(evaluate))


if __name__ == "__main__":
    main()
