import keras
from keras import ops

from keras_dynscene.distribute.replica_context import scale_loss_for_replicas
from keras_dynscene.schedules.linear_warmup import LinearWarmup


class ELBOMixin:
    """KL warmup and loss bookkeeping shared by the VAE-style models.

    The KL weight beta is `LinearWarmup(0, kl_weight_max, kl_warmup_steps)` of `kl_step`, a
    non-trainable counter incremented by `elbo_loss` on training steps: it needs no callback,
    costs nothing on JAX, and is saved with the weights, so resumed runs continue the schedule.
    `fit`/`evaluate` report `nll`, `kl`, one `kl_<name>` per extra KL term, `elbo` (the negative
    ELBO, nats per sequence) and `kl_weight`.
    """

    def build_elbo_state(self, kl_warmup_steps: int, kl_weight_max: float, kl_term_names=()):
        """Creates the warmup schedule, the step counter and the metric trackers."""
        self.kl_warmup = LinearWarmup(0.0, kl_weight_max, kl_warmup_steps)
        self.kl_step = self.add_weight(
            shape=(),
            initializer="zeros",
            dtype="int32",
            trainable=False,
            aggregation="only_first_replica",
            name="kl_step",
        )
        self.nll_tracker = keras.metrics.Mean(name="nll")
        self.kl_tracker = keras.metrics.Mean(name="kl")
        self.elbo_tracker = keras.metrics.Mean(name="elbo")
        self.kl_weight_tracker = keras.metrics.Mean(name="kl_weight")
        self.kl_term_trackers = [keras.metrics.Mean(name=f"kl_{name}") for name in kl_term_names]

    @property
    def kl_weight(self):
        """The current KL weight beta of the warmup schedule."""
        return self.kl_warmup(self.kl_step)

    def elbo_loss(self, nll, kl, training, kl_terms=None, extra_loss=None):
        """Mean of `nll + beta * kl` (+ `extra_loss`, per example), with trackers updated.

        Under a `tf.distribute` strategy the mean is divided by the replica count, so the
        summed replica gradients equal the global-batch gradient.

        Args:
            nll: per-example reconstruction NLL [B] of the scored frames.
            kl: per-example KL [B] of the scored frames.
            training: whether this is a training step (advances the warmup).
            kl_terms: optional [B, K] split of `kl` reported as `kl_<name>`.
            extra_loss: optional per-example [B] objective terms outside the reported ELBO.
        """
        beta = self.kl_weight
        per_example = nll + beta * kl
        if extra_loss is not None:
            per_example = per_example + extra_loss
        loss = ops.mean(per_example)
        if self.losses:
            loss = loss + ops.sum(self.losses)
        if training:
            self.kl_step.assign_add(ops.cast(1, "int32"))
        self.nll_tracker.update_state(nll)
        self.kl_tracker.update_state(kl)
        self.elbo_tracker.update_state(nll + kl)
        self.kl_weight_tracker.update_state(beta)
        for index, tracker in enumerate(self.kl_term_trackers):
            tracker.update_state(kl_terms[:, index])
        return scale_loss_for_replicas(loss)

    @property
    def metrics(self):
        return [
            *super().metrics[:1],
            self.nll_tracker,
            self.kl_tracker,
            *self.kl_term_trackers,
            self.elbo_tracker,
            self.kl_weight_tracker,
        ]
