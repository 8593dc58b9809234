"""A training loop driven by `strategy.run`, for where Keras 3 `fit` cannot go (multi-worker)."""

import json
import os
import time

import keras


class WorkerLostError(RuntimeError):
    """A collective failed: another worker died or stopped answering."""


def _is_collective_failure(error) -> bool:
    import tensorflow as tf

    return isinstance(
        error,
        (
            tf.errors.UnavailableError,
            tf.errors.DeadlineExceededError,
            tf.errors.CancelledError,
            tf.errors.AbortedError,
            tf.errors.InternalError,
        ),
    )


class _Backup:
    """BackupAndRestore semantics for the custom loop: weights + optimizer state after each
    chunk of `checkpoint_every` steps, written by the chief only, atomically."""

    def __init__(self, directory, is_chief):
        self.directory = directory
        self.is_chief = is_chief
        self.state_path = os.path.join(directory, "state.json")

    def completed_epochs(self) -> int:
        if not os.path.exists(self.state_path):
            return 0
        with open(self.state_path) as file:
            return int(json.load(file)["epochs"])

    def restore(self, model) -> int:
        epochs = self.completed_epochs()
        if epochs:
            model.load_weights(os.path.join(self.directory, f"epoch_{epochs}.weights.h5"))
        return epochs

    def save(self, model, epochs):
        if not self.is_chief:
            return
        os.makedirs(self.directory, exist_ok=True)
        path = os.path.join(self.directory, f"epoch_{epochs}.weights.h5")
        model.save_weights(path + ".tmp.weights.h5")
        os.replace(path + ".tmp.weights.h5", path)
        with open(self.state_path + ".tmp", "w") as file:
            json.dump({"epochs": epochs}, file)
        os.replace(self.state_path + ".tmp", self.state_path)
        previous = os.path.join(self.directory, f"epoch_{epochs - 1}.weights.h5")
        if os.path.exists(previous):
            os.remove(previous)


def train_with_strategy_loop(
    model: keras.Model,
    train_data,
    *,
    distribution,
    total_steps: int,
    output_dir: str,
    checkpoint_every: int,
    compile_kwargs: dict,
    callbacks=(),
    verbose: bool = True,
):
    """Trains `model` with `distribution.strategy.run(model.train_step)`, resumably.

    The multi-worker counterpart of `keras_dynscene.training.train_model`: the same objective
    (the model's own `train_step`, so `compute_loss` and the GAN steps with their replica loss
    scaling), metrics (reset every `checkpoint_every` steps and reduced over replicas),
    callbacks (`on_epoch_end` with the logs, chief only) and checkpoints (`backup/` after each
    chunk; a restarted job resumes from the last one and ends with the same optimizer step
    count as an uninterrupted run). Keras 3 `fit` fails under `MultiWorkerMirroredStrategy`
    (keras-team/keras#20585: `_maybe_symbolic_build` gets a PerReplica batch); here the model
    is built from one local batch instead.

    A failed collective (another worker died, or did not answer within the strategy's
    communication timeout) raises `WorkerLostError` naming the last checkpoint: restart every
    worker with the same command to resume.

    Args:
        model: an uncompiled keras_dynscene model built in `distribution.scope()`.
        train_data: a repeating, batched `tf.data.Dataset` of global batches.
        distribution: a `Distribution` with a `tf.distribute` strategy.
        total_steps: optimizer steps of the whole run (a multiple of `checkpoint_every`).
        output_dir: run folder (`backup/`, `history.csv`, `model.keras` on the chief).
        checkpoint_every: steps between checkpoints.
        compile_kwargs: `model.compile` arguments (optimizer, or the GAN's).
        callbacks: Keras callbacks, run on the chief.
        verbose: print a progress bar on the chief.

    Returns:
        A dict of per-epoch logs lists (like `History.history`).
    """
    import tensorflow as tf

    strategy = distribution.strategy
    is_chief = distribution.is_chief
    epochs = total_steps // checkpoint_every
    train_data = distribution.prepare_dataset(train_data)
    with strategy.scope():
        model.compile(**compile_kwargs)
        # What fit's _symbolic_build does, from a local (not PerReplica) batch.
        model._symbolic_build(data_batch=next(iter(train_data)))
    backup = _Backup(os.path.join(output_dir, "backup"), is_chief)
    done = backup.restore(model)
    if is_chief:
        os.makedirs(output_dir, exist_ok=True)
        callbacks = [
            keras.callbacks.CSVLogger(os.path.join(output_dir, "history.csv"), append=True),
            *callbacks,
        ]
    else:
        callbacks = []
    callback_list = keras.callbacks.CallbackList(callbacks, model=model)
    iterator = iter(strategy.experimental_distribute_dataset(train_data))

    @tf.function
    def train_step(iterator):
        logs = strategy.run(model.train_step, args=(next(iterator),))
        return {
            name: strategy.reduce(tf.distribute.ReduceOp.MEAN, value, axis=None)
            for name, value in logs.items()
        }

    history = {}
    start = time.time()
    callback_list.on_train_begin()
    for epoch in range(done, epochs):
        step = 0
        try:
            # Metric resets, steps and the checkpoint's variable reads all run collectives.
            for metric in model.metrics:
                metric.reset_state()
            callback_list.on_epoch_begin(epoch)
            progress = keras.utils.Progbar(checkpoint_every) if verbose and is_chief else None
            for step in range(1, checkpoint_every + 1):
                logs = {name: float(value) for name, value in train_step(iterator).items()}
                if progress is not None:
                    progress.update(step, values=list(logs.items()), finalize=False)
            backup.save(model, epoch + 1)
        except tf.errors.OpError as error:
            if not _is_collective_failure(error):
                raise
            raise WorkerLostError(
                f"Worker {'chief' if is_chief else 'non-chief'} lost contact with the other "
                f"workers at epoch {epoch + 1}, step {step} "
                f"({type(error).__name__}: {str(error).splitlines()[0][:200]}). The last "
                f"checkpoint holds {backup.completed_epochs() * checkpoint_every} steps; "
                "restart every worker with the same command to resume from it."
            ) from error
        for name, value in logs.items():
            history.setdefault(name, []).append(value)
        callback_list.on_epoch_end(epoch, logs)
        if progress is not None:
            print(f"Epoch {epoch + 1}/{epochs}: checkpoint saved", flush=True)
    callback_list.on_train_end()
    if is_chief:
        model.save(os.path.join(output_dir, "model.keras"))
        step_counter = getattr(model, "g_optimizer", model.optimizer)
        with open(os.path.join(output_dir, "train_summary.json"), "w") as file:
            json.dump(
                {
                    "optimizer_steps": int(step_counter.iterations.numpy()),
                    "wall_time_s_this_session": round(time.time() - start, 1),
                    "backend": "tensorflow",
                    "strategy": distribution.kind,
                    "num_replicas": distribution.num_replicas,
                    "num_workers": distribution.num_workers,
                },
                file,
                indent=2,
            )
    return history
