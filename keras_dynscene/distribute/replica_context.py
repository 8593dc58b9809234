"""What a model needs to know about the replicas it runs on, in backend-agnostic calls.

On the TensorFlow backend a `tf.distribute` strategy runs the training step once per replica
and sums the gradients; on JAX (`keras.distribution`) and PyTorch one program sees the global
batch, so these helpers are identities there.
"""

import keras
from keras import ops


def _replica_context():
    """The `tf.distribute` replica context of a step running on >1 replicas, else None."""
    if keras.backend.backend() != "tensorflow":
        return None
    import tensorflow as tf

    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return None
    return context


def num_replicas_in_sync() -> int:
    """Replicas that sum their gradients in this step (1 outside `tf.distribute` replicas)."""
    context = _replica_context()
    return 1 if context is None else int(context.num_replicas_in_sync)


def scale_loss_for_replicas(loss):
    """Divides a per-replica mean loss by the replica count.

    `tf.distribute` sums the replicas' gradients, so a loss that is a mean over the replica's
    own examples must be divided by the replica count for the update to equal the one of the
    mean over the global batch (a raw mean gives N-times gradients with N replicas). Keras'
    trainer multiplies the value back for the reported `loss`.
    """
    replicas = num_replicas_in_sync()
    if replicas == 1:
        return loss
    return loss * ops.cast(1.0 / replicas, loss.dtype)


def cross_replica_mean(values):
    """The mean over replicas of each tensor in `values` (identity on one replica).

    Used for synchronized batch statistics: with equal per-replica batches the mean of the
    replicas' batch means is the global batch mean.
    """
    context = _replica_context()
    if context is None:
        return values
    import tensorflow as tf

    return context.all_reduce(tf.distribute.ReduceOp.MEAN, values)


def replica_id_in_sync_group():
    """The index of this replica (a scalar tensor under `tf.distribute`), else 0."""
    context = _replica_context()
    return 0 if context is None else context.replica_id_in_sync_group
