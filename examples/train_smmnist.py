"""Train a Hierarchical VRNN on Stochastic Moving MNIST with the Python API, then sample.

    python examples/train_smmnist.py --steps 900 --out runs/smmnist  # resumable
    KERAS_BACKEND=torch python examples/train_smmnist.py --steps 100 --out runs/smmnist_torch

The same run from the command line:
    dynscene train hier_vrnn_smmnist_cpu --dataset stochastic_moving_mnist/2digits --steps 900 \
        --checkpoint-every 100 --batch-size 16 --out runs/smmnist
"""

import argparse
import os

import numpy as np

from keras_dynscene.data.test_clips import load_test_clips
from keras_dynscene.data.video_dataset import load_video_dataset
from keras_dynscene.data.video_dataset import training_batches
from keras_dynscene.models import HierarchicalVRNN
from keras_dynscene.training import paper_optimizer
from keras_dynscene.training import train_model
from keras_dynscene.visualization import save_png
from keras_dynscene.visualization import video_comparison_grid


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=900)
    parser.add_argument("--checkpoint-every", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--out", default="runs/smmnist")
    args = parser.parse_args()

    model = HierarchicalVRNN.from_preset("hier_vrnn_smmnist_cpu")
    frames = model.context_frames + model.future_frames
    train = training_batches(
        load_video_dataset("stochastic_moving_mnist/2digits", "train"), frames, args.batch_size
    )
    optimizer = paper_optimizer(
        steps_per_epoch=1, learning_rate=5e-4, initial_learning_rate=5e-5, warmup_epochs=100
    )
    test = load_test_clips("stochastic_moving_mnist/2digits", 2, frames, seed=0)
    train_model(
        model,
        train,
        total_steps=args.steps,
        checkpoint_every=args.checkpoint_every,
        output_dir=args.out,
        optimizer=optimizer,
        sample_video=test,
    )
    samples = model.predict_future(test[:, : model.context_frames], num_samples=5, seed=0)
    grid = np.concatenate(
        [
            video_comparison_grid(clip[: model.context_frames], clip[model.context_frames :], s)
            for clip, s in zip(test, samples)
        ]
    )
    print("Wrote", save_png(os.path.join(args.out, "final_samples.png"), grid))


if __name__ == "__main__":
    main()
