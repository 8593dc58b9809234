"""Train a Hierarchical VRNN on BAIR robot pushing (thesis 4.5.1 protocol).

Data: the `bair_push` TFDS builder downloads the official archive
(http://rail.eecs.berkeley.edu/datasets/bair_robot_pushing_dataset_v0.tar, ~30 GB) on first use,
verifies its checksum and prepares 43,264 train / 256 test trajectories of 30 64x64 frames.
Offline, place the tar in TFDS' manual/download folder or pass `--data-dir` to a prepared copy.

Training takes random 12-frame windows: 2 context frames, 10 predicted. The paper's model is
the `hier_vrnn_1_8_32` preset (230M parameters: use accelerators and a strategy, see
`keras_dynscene.distribute` once available); `--small` trains a CPU-sized variant.

    python examples/train_bair.py --small --steps 200 --out runs/bair_small
    python examples/train_bair.py --steps 200000 --batch-size 128 --out runs/bair_paper
"""

import argparse

from keras_dynscene.data.video_dataset import load_video_dataset
from keras_dynscene.data.video_dataset import training_batches
from keras_dynscene.models import HierarchicalVRNN
from keras_dynscene.training import paper_optimizer
from keras_dynscene.training import train_model


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="CPU-sized model")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--checkpoint-every", type=int, default=100)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--out", default="runs/bair")
    args = parser.parse_args()

    overrides = {}
    if args.small:
        overrides = {
            "encoder_filters": [16, 32, 64, 64, 64],
            "latent_channels": [16, 16, 8],
            "kl_warmup_steps": 1000,
        }
    model = HierarchicalVRNN.from_preset("hier_vrnn_1_8_32", **overrides)
    frames = model.context_frames + model.future_frames
    train = training_batches(
        load_video_dataset("bair_push", "train", args.data_dir), frames, args.batch_size
    )
    # Thesis 4.5: lr warmup 2e-5 -> 1.6e-4 over 5 epochs (43,264 sequences per epoch).
    steps_per_epoch = max(1, 43264 // args.batch_size)
    train_model(
        model,
        train,
        total_steps=args.steps,
        checkpoint_every=args.checkpoint_every,
        output_dir=args.out,
        optimizer=paper_optimizer(steps_per_epoch=steps_per_epoch),
    )


if __name__ == "__main__":
    main()
