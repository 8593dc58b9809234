"""Scaling out on existing engines: `tf.distribute` on TensorFlow, `keras.distribution` on JAX.

`make_distribution(kind)` builds the strategy (`auto`, `none`, `mirrored`, `multi_worker`,
`tpu`, `data_parallel`); `keras_dynscene.training.train_model(..., distribution=...)` and
`dynscene train --strategy` train under it. See docs/DISTRIBUTED.md.
"""

from keras_dynscene.distribute.distribution import Distribution
from keras_dynscene.distribute.distribution import make_distribution
from keras_dynscene.distribute.distribution import split_cpu_into_logical_devices
from keras_dynscene.distribute.replica_context import cross_replica_mean
from keras_dynscene.distribute.replica_context import num_replicas_in_sync
from keras_dynscene.distribute.replica_context import scale_loss_for_replicas
from keras_dynscene.distribute.replica_seed_generator import ReplicaSeedGenerator
from keras_dynscene.distribute.strategy_kind import STRATEGY_KINDS
from keras_dynscene.distribute.strategy_kind import choose_strategy_kind
from keras_dynscene.distribute.strategy_training_loop import WorkerLostError
from keras_dynscene.distribute.strategy_training_loop import train_with_strategy_loop
