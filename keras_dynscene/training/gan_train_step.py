"""`train_step` of a two-optimizer GAN, one body per backend (DESIGN.md recipe 3).

A model using `GANTrainStep` provides, in keras.ops only:

- `discriminator_loss(data) -> (loss, logs)` and `generator_loss(data) -> (loss, logs)`, which
  draw their own noise from the model's seed generator;
- `discriminator_variables()` / `generator_variables()`: the trainable variables of each net;
- `d_optimizer`, `g_optimizer`, `discriminator_steps` (D updates per G update) and
  `update_metrics(logs)`, which updates the model's `keras.metrics.Mean` trackers and returns the
  metric results.

The step body is chosen from `keras.backend.backend()` at import time, as Keras picks its trainer.
"""

import keras

from keras_dynscene.distribute.replica_context import scale_loss_for_replicas

BACKEND = keras.backend.backend()


class _AlternatingSteps:
    """D steps, then a G step; `_apply(loss_fn, variables, optimizer, data)` is the backend's."""

    def train_step(self, data):
        logs = {}
        for _ in range(self.discriminator_steps):
            logs.update(
                self._apply(
                    self.discriminator_loss, self.discriminator_variables(), self.d_optimizer, data
                )
            )
        logs.update(
            self._apply(self.generator_loss, self.generator_variables(), self.g_optimizer, data)
        )
        return self.update_metrics(logs)


if BACKEND == "tensorflow":
    import tensorflow as tf

    class GANTrainStep(_AlternatingSteps):
        def _apply(self, loss_fn, variables, optimizer, data):
            with tf.GradientTape() as tape:
                loss, logs = loss_fn(data)
                # tf.distribute sums replica gradients: divide the per-replica mean.
                loss = scale_loss_for_replicas(loss)
            optimizer.apply(tape.gradient(loss, variables), variables)
            return logs

elif BACKEND == "torch":
    import torch

    class GANTrainStep(_AlternatingSteps):
        def _apply(self, loss_fn, variables, optimizer, data):
            self.zero_grad()
            loss, logs = loss_fn(data)
            loss.backward()
            grads = [variable.value.grad for variable in variables]
            with torch.no_grad():
                optimizer.apply(grads, variables)
            return {name: value.detach() for name, value in logs.items()}

elif BACKEND == "jax":
    import jax

    class GANTrainStep:
        """JAX: every forward pass and optimizer update runs in a `keras.StatelessScope` that maps
        all of the model's state (weights, batch-norm and spectral-norm statistics, seed
        generator, optimizer and metrics variables) to the values carried by the trainer."""

        def _state_variables(self):
            return (
                self.trainable_variables
                + self.non_trainable_variables
                + self.optimizer.variables
                + self.metrics_variables
            )

        def _apply(self, values, loss_fn, variables, optimizer, data):
            state = self._state_variables()
            targets = {id(variable) for variable in variables}
            ordered = [variable for variable in state if id(variable) in targets]

            def scoped_loss(target_values):
                replaced = iter(target_values)
                mapping = [
                    (variable, next(replaced) if id(variable) in targets else value)
                    for variable, value in zip(state, values)
                ]
                with keras.StatelessScope(state_mapping=mapping) as scope:
                    loss, logs = loss_fn(data)
                return loss, (logs, [scope.get_current_value(v) for v in state])

            lookup = dict(zip(map(id, state), values))
            (_, (logs, values)), grads = jax.value_and_grad(scoped_loss, has_aux=True)(
                [lookup[id(variable)] for variable in ordered]
            )
            with keras.StatelessScope(state_mapping=list(zip(state, values))) as scope:
                optimizer.apply(grads, ordered)
            return logs, [scope.get_current_value(v) for v in state]

        def train_step(self, state, data):
            trainable, non_trainable, optimizer_values, metric_values = state
            values = [*trainable, *non_trainable, *optimizer_values, *metric_values]
            logs = {}
            for _ in range(self.discriminator_steps):
                step_logs, values = self._apply(
                    values,
                    self.discriminator_loss,
                    self.discriminator_variables(),
                    self.d_optimizer,
                    data,
                )
                logs.update(step_logs)
            step_logs, values = self._apply(
                values, self.generator_loss, self.generator_variables(), self.g_optimizer, data
            )
            logs.update(step_logs)
            state_variables = self._state_variables()
            with keras.StatelessScope(state_mapping=list(zip(state_variables, values))) as scope:
                results = self.update_metrics(logs)
            values = [scope.get_current_value(v) for v in state_variables]
            sizes = [len(trainable), len(non_trainable), len(optimizer_values)]
            first, second, third = sizes[0], sizes[0] + sizes[1], sum(sizes)
            return results, (
                values[:first],
                values[first:second],
                values[second:third],
                values[third:],
            )

else:  # pragma: no cover - Keras supports no other training backend
    raise ImportError(f"GANTrainStep has no train_step for the '{BACKEND}' backend.")
