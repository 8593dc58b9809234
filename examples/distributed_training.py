"""Train a Hierarchical VRNN data-parallel: 2 replicas on one host, or 2 loopback workers.

    # MirroredStrategy over the GPUs, or over 2 logical CPU devices on a CPU-only machine
    python examples/distributed_training.py --strategy mirrored --cpu-replicas 2 --steps 20
    # MultiWorkerMirroredStrategy: this script starts 2 worker processes on 127.0.0.1
    python examples/distributed_training.py --strategy multi_worker --workers 2 --steps 20
    # JAX: keras.distribution.DataParallel over 2 host-platform devices
    KERAS_BACKEND=jax python examples/distributed_training.py --strategy data_parallel \
        --cpu-replicas 2 --steps 20

Every run is resumable (kill it and run the same command again). On a real cluster, run the
script once per host with that host's TF_CONFIG and without --workers; see docs/DISTRIBUTED.md.
The same run from the command line:
    dynscene train hier_vrnn_smmnist_cpu --dataset stochastic_moving_mnist/2digits --steps 20 \
        --checkpoint-every 10 --batch-size 4 --strategy mirrored --cpu-replicas 2
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys


def parse():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--strategy", default="mirrored", choices=("mirrored", "multi_worker", "data_parallel")
    )
    parser.add_argument("--cpu-replicas", type=int, default=None, help="split the CPU")
    parser.add_argument("--workers", type=int, default=None, help="start N loopback workers")
    parser.add_argument("--preset", default="hier_vrnn_smmnist_cpu")
    parser.add_argument("--dataset", default="stochastic_moving_mnist/2digits")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--checkpoint-every", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=4, help="per replica")
    parser.add_argument("--out", default="runs/distributed")
    return parser.parse_args()


def launch_loopback_workers(args):
    """Runs this script once per worker with a TF_CONFIG on 127.0.0.1; stops them all on error."""
    count = args.workers
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    cluster = {"worker": [f"127.0.0.1:{s.getsockname()[1]}" for s in sockets]}
    for s in sockets:
        s.close()
    argv = [
        *("--strategy", "multi_worker", "--preset", args.preset, "--dataset", args.dataset),
        *("--steps", str(args.steps), "--checkpoint-every", str(args.checkpoint_every)),
        *("--batch-size", str(args.batch_size), "--out", args.out),
    ]
    workers = []
    for index in range(count):
        tf_config = {"cluster": cluster, "task": {"type": "worker", "index": index}}
        env = {**os.environ, "TF_CONFIG": json.dumps(tf_config)}
        workers.append(subprocess.Popen([sys.executable, __file__, *argv], env=env))
    try:
        codes = [worker.wait() for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.kill(worker.pid, signal.SIGTERM)
    if any(codes):
        sys.exit(f"worker exit codes {codes}")


def main():
    args = parse()
    if args.workers:
        return launch_loopback_workers(args)

    from keras_dynscene.distribute import make_distribution
    from keras_dynscene.distribute import split_cpu_into_logical_devices

    # Devices are split and the strategy built before any op initializes the devices.
    if args.cpu_replicas:
        split_cpu_into_logical_devices(args.cpu_replicas)
    distribution = make_distribution(args.strategy)

    from keras_dynscene.data.video_dataset import load_video_dataset
    from keras_dynscene.data.video_dataset import training_batches
    from keras_dynscene.models import HierarchicalVRNN
    from keras_dynscene.training import paper_optimizer
    from keras_dynscene.training import train_model

    print(distribution)
    with distribution.scope():
        model = HierarchicalVRNN.from_preset(args.preset)
    frames = model.context_frames + model.future_frames
    global_batch = distribution.global_batch_size(args.batch_size)
    train = training_batches(
        load_video_dataset(args.dataset, "train"), frames, global_batch, seed=0
    )
    train_model(
        model,
        train,
        total_steps=args.steps,
        checkpoint_every=args.checkpoint_every,
        output_dir=args.out,
        optimizer=paper_optimizer(steps_per_epoch=args.checkpoint_every),
        distribution=distribution,
    )
    if distribution.is_chief:
        summary = open(os.path.join(args.out, "train_summary.json")).read()
        print(f"Global batch {global_batch}; {summary}")


if __name__ == "__main__":
    main()
