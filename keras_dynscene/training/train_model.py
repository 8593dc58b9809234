import contextlib
import json
import math
import os
import time

import keras

from keras_dynscene.callbacks.video_samples_logger import VideoSamplesLogger
from keras_dynscene.training.paper_optimizer import paper_optimizer


def train_model(
    model: keras.Model,
    train_data,
    *,
    total_steps: int,
    output_dir: str,
    checkpoint_every: int = 100,
    optimizer: keras.optimizers.Optimizer | None = None,
    validation_data=None,
    validation_steps: int | None = None,
    sample_video=None,
    jit_compile: bool | str = "auto",
    extra_callbacks=(),
    verbose: int | str = "auto",
    compile_kwargs: dict | None = None,
    distribution=None,
):
    """Trains `model` for exactly `total_steps` optimizer steps, resumably.

    The run is cut into "epochs" of `checkpoint_every` steps over an endlessly repeated dataset;
    `keras.callbacks.BackupAndRestore` saves weights and optimizer state after each of them, so
    a killed run restarted with the same arguments resumes at the last checkpoint and ends with
    the same optimizer step count as an uninterrupted run (steps after the last checkpoint are
    redone, none are skipped or counted twice). The checkpoint before the last is kept too: a
    last checkpoint left unreadable (a kill while writing it) resumes from the one before.
    Also writes TensorBoard logs, a CSV history, sample grids/GIFs per checkpoint and
    `model.keras` at the end. This is the single entry point the CLI and the distribution
    helpers wrap.

    Args:
        model: a keras_dynscene model (its `compute_loss` defines the objective).
        train_data: a repeating `tf.data.Dataset` (or generator) of input batches.
        total_steps: optimizer steps of the whole run; a multiple of `checkpoint_every`.
        output_dir: run folder (`backup/`, `logs/`, `samples/`, `history.csv`, `model.keras`).
        checkpoint_every: steps between checkpoints (and sample grids).
        optimizer: defaults to `paper_optimizer` with `checkpoint_every` steps per "epoch".
        validation_data: optional finite dataset evaluated at each checkpoint.
        validation_steps: batches of `validation_data` per evaluation.
        sample_video: optional clip batch for `VideoSamplesLogger`.
        jit_compile: passed to `compile` ("auto" lets Keras decide per backend).
        extra_callbacks: more Keras callbacks.
        verbose: Keras progress-bar verbosity.
        compile_kwargs: compile the model with these instead of `optimizer` (GANs:
            `{"level": l, "g_optimizer": ..., "d_optimizer": ...}`).
        distribution: optional `keras_dynscene.distribute.Distribution`; build the model in
            its `scope()` and feed global batches. Multi-worker runs go through
            `train_with_strategy_loop` (same checkpoints, logs and step count).

    Returns:
        The `keras.callbacks.History` of `fit` (a dict of per-epoch logs for multi-worker).
    """
    if total_steps <= 0 or checkpoint_every <= 0:
        raise ValueError(
            f"`total_steps` and `checkpoint_every` must be positive; received {total_steps} and "
            f"{checkpoint_every}."
        )
    if total_steps % checkpoint_every:
        raise ValueError(
            f"`total_steps` ({total_steps}) must be a multiple of `checkpoint_every` "
            f"({checkpoint_every}) so a resumed run ends on the same step; use e.g. "
            f"--steps {math.ceil(total_steps / checkpoint_every) * checkpoint_every}."
        )
    if compile_kwargs is None:
        if optimizer is None:
            optimizer = paper_optimizer(steps_per_epoch=checkpoint_every)
        compile_kwargs = {"optimizer": optimizer}
    if distribution is not None:
        compile_kwargs = distribution.optimizers_in_scope(compile_kwargs)
    if distribution is not None and distribution.uses_custom_loop:
        from keras_dynscene.distribute.strategy_training_loop import train_with_strategy_loop

        return train_with_strategy_loop(
            model,
            train_data,
            distribution=distribution,
            total_steps=total_steps,
            output_dir=output_dir,
            checkpoint_every=checkpoint_every,
            compile_kwargs=compile_kwargs,
            callbacks=[c for c in extra_callbacks if getattr(c, "multi_worker_safe", False)],
            verbose=verbose != 0,
        )
    os.makedirs(output_dir, exist_ok=True)
    scope = distribution.scope() if distribution is not None else contextlib.nullcontext()
    with scope:
        model.compile(**compile_kwargs, jit_compile=jit_compile)
    if distribution is not None:
        train_data = distribution.prepare_dataset(train_data)
    callbacks = [
        # double_checkpoint keeps the previous checkpoint beside the latest: a run killed while
        # writing it (or whose write failed) resumes from the one before instead of failing.
        keras.callbacks.BackupAndRestore(
            os.path.join(output_dir, "backup"), delete_checkpoint=False, double_checkpoint=True
        ),
        keras.callbacks.CSVLogger(os.path.join(output_dir, "history.csv"), append=True),
        keras.callbacks.TensorBoard(os.path.join(output_dir, "logs"), update_freq="epoch"),
    ]
    if sample_video is not None:
        callbacks.append(VideoSamplesLogger(sample_video, output_dir))
    callbacks.extend(extra_callbacks)
    start = time.time()
    history = model.fit(
        train_data,
        epochs=total_steps // checkpoint_every,
        steps_per_epoch=checkpoint_every,
        validation_data=validation_data,
        validation_steps=validation_steps,
        callbacks=callbacks,
        verbose=verbose,
    )
    model.save(os.path.join(output_dir, "model.keras"))
    # GANs step their generator optimizer once per step (the wrapping MultiOptimizer never).
    step_counter = getattr(model, "g_optimizer", model.optimizer)
    with open(os.path.join(output_dir, "train_summary.json"), "w") as file:
        json.dump(
            {
                "optimizer_steps": int(keras.ops.convert_to_numpy(step_counter.iterations)),
                "wall_time_s_this_session": round(time.time() - start, 1),
                "backend": keras.backend.backend(),
                "strategy": distribution.kind if distribution is not None else "none",
                "num_replicas": distribution.num_replicas if distribution is not None else 1,
            },
            file,
            indent=2,
        )
    return history
