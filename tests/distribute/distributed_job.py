"""A small distributed training job the distribute tests run in fresh processes.

Usage: python -m tests.distribute.distributed_job OUT --model vae|gan --steps N
    --checkpoint-every K [--strategy S] [--cpu-replicas R] [--per-replica-batch B]
    [--zero-noise] [--learning-rate LR] [--kill-at-step K] [--pause-after-checkpoint S]

Trains the tiny Hierarchical VRNN (or the tiny 2-level CVG, level 1) on a fixed in-memory
dataset through `keras_dynscene.training.train_model` and writes the final weights as
`OUT/weights.npz`. Multi-worker jobs read TF_CONFIG from the environment.
"""

import argparse
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--model", choices=("vae", "gan"), default="vae")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--checkpoint-every", type=int, default=2)
    parser.add_argument("--strategy", default="none")
    parser.add_argument("--cpu-replicas", type=int, default=None)
    parser.add_argument("--per-replica-batch", type=int, default=4)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--communication-timeout", type=float, default=20.0)
    parser.add_argument(
        "--zero-noise",
        action="store_true",
        help="draw zeros instead of random numbers, so runs on 1 and N replicas are comparable",
    )
    parser.add_argument(
        "--kill-at-step",
        type=int,
        default=None,
        help="SIGKILL this process once the optimizer reaches this step (fit path)",
    )
    parser.add_argument(
        "--pause-after-checkpoint",
        type=float,
        default=0.0,
        help="after its first checkpoint the chief waits for OUT/continue, at most this long",
    )
    return parser.parse_args()


def fault_callbacks(args, model_step_counter):
    import signal
    import time

    import keras

    class KillAtStep(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if (
                int(keras.ops.convert_to_numpy(model_step_counter().iterations))
                >= args.kill_at_step
            ):
                os.kill(os.getpid(), signal.SIGKILL)

    class PauseAfterFirstCheckpoint(keras.callbacks.Callback):
        multi_worker_safe = True

        def on_epoch_end(self, epoch, logs=None):
            if epoch != 0:
                return
            # Until the test has killed a worker and says go on (`OUT/continue`), or a timeout.
            print("paused after the first checkpoint", flush=True)
            deadline = time.time() + args.pause_after_checkpoint
            while time.time() < deadline and not os.path.exists(os.path.join(args.out, "continue")):
                time.sleep(0.1)

    callbacks = []
    if args.kill_at_step:
        callbacks.append(KillAtStep())
    if args.pause_after_checkpoint:
        callbacks.append(PauseAfterFirstCheckpoint())
    return callbacks


def main():
    args = parse()
    from keras_dynscene.distribute import make_distribution
    from keras_dynscene.distribute import split_cpu_into_logical_devices

    if args.cpu_replicas:
        split_cpu_into_logical_devices(args.cpu_replicas)
    distribution = make_distribution(
        args.strategy, communication_timeout_s=args.communication_timeout
    )
    import keras
    import numpy as np
    import tensorflow as tf

    if args.zero_noise:
        # Replicas draw their own noise; fixing every draw makes 1 and N replicas comparable.
        def zeros(shape, *args, dtype=None, **kwargs):
            return keras.ops.zeros(shape, dtype=dtype or "float32")

        keras.random.normal = keras.random.uniform = zeros
    from keras_dynscene.training.train_model import train_model

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.path.insert(0, root)
    from tests.models.cvg.tiny_config import TINY_CVG_CONFIG
    from tests.models.hierarchical_vrnn.tiny_config import TINY_CONFIG

    keras.utils.set_random_seed(0)
    global_batch = distribution.global_batch_size(args.per_replica_batch)
    rng = np.random.RandomState(0)
    with distribution.scope():
        if args.model == "vae":
            from keras_dynscene.models import HierarchicalVRNN

            model = HierarchicalVRNN(**TINY_CONFIG)
            data = {"video": rng.rand(16, 5, 16, 16, 1).astype("float32")}
            compile_kwargs = None
        else:
            from keras_dynscene.models import CascadedVideoGAN

            model = CascadedVideoGAN(**TINY_CVG_CONFIG)
            data = {
                "video": rng.rand(16, 8, 16, 16, 1).astype("float32"),
                "label": (np.arange(16) % 3).astype("int32"),
            }
            compile_kwargs = {
                "level": 1,
                # SGD: Adam's normalized steps turn float-level gradient differences of
                # near-zero gradients into full-size updates.
                "g_optimizer": keras.optimizers.SGD(args.learning_rate),
                "d_optimizer": keras.optimizers.SGD(args.learning_rate),
            }
    dataset = tf.data.Dataset.from_tensor_slices(data).repeat().batch(global_batch, True)
    with distribution.scope():
        # Creates the variables, to record where training starts (train_model compiles again).
        model.compile(**(compile_kwargs or {"optimizer": keras.optimizers.SGD(1.0)}))
        model._symbolic_build(data_batch=next(iter(dataset)))
    initial = [keras.ops.convert_to_numpy(v) for v in model.trainable_variables]
    train_model(
        model,
        dataset,
        total_steps=args.steps,
        output_dir=args.out,
        checkpoint_every=args.checkpoint_every,
        optimizer=keras.optimizers.SGD(args.learning_rate),
        compile_kwargs=compile_kwargs,
        distribution=distribution,
        extra_callbacks=fault_callbacks(
            args, lambda: getattr(model, "g_optimizer", model.optimizer)
        ),
        verbose=0,
    )
    if distribution.is_chief:
        np.savez(os.path.join(args.out, "initial_weights.npz"), *initial)
        weights = [keras.ops.convert_to_numpy(v) for v in model.trainable_variables]
        np.savez(os.path.join(args.out, "weights.npz"), *weights)


if __name__ == "__main__":
    main()
