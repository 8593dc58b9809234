"""Distribution objects, batch arithmetic and dataset sharding, without extra devices."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_dynscene.distribute import Distribution
from keras_dynscene.distribute import make_distribution
from keras_dynscene.distribute import split_cpu_into_logical_devices

pytestmark = pytest.mark.backends


def test_none_is_the_default_placement_with_plain_batch_arithmetic():
    distribution = make_distribution("none")
    assert distribution.kind == "none" and distribution.num_replicas == 1
    assert distribution.is_chief and not distribution.uses_custom_loop
    with distribution.scope():
        layer = keras.layers.Dense(2)
        layer.build((None, 3))
    assert distribution.global_batch_size(5) == 5
    with pytest.raises(ValueError, match="per-replica batch size must be >= 1; received 0"):
        distribution.global_batch_size(0)


def test_without_a_strategy_optimizers_are_kept_as_they_are():
    optimizer = keras.optimizers.SGD(0.1)
    kwargs = make_distribution("none").optimizers_in_scope({"optimizer": optimizer, "level": 2})
    assert kwargs == {"optimizer": optimizer, "level": 2}


def test_replicas_multiply_the_per_replica_batch():
    assert Distribution("tpu", num_replicas=8).global_batch_size(16) == 128
    assert Distribution("multi_worker", num_replicas=4, num_workers=2).uses_custom_loop


def test_multi_worker_datasets_are_sharded_by_data():
    dataset = tf.data.Dataset.range(8).batch(4)
    prepared = Distribution("multi_worker", num_replicas=2, num_workers=2).prepare_dataset(dataset)
    policy = prepared.options().experimental_distribute.auto_shard_policy
    assert policy == tf.data.experimental.AutoShardPolicy.DATA
    assert list(prepared.as_numpy_iterator())[0].tolist() == [0, 1, 2, 3]


def test_tpu_datasets_need_a_static_batch():
    tpu = Distribution("tpu", num_replicas=8)
    with pytest.raises(ValueError, match="static shapes.*drop_remainder=True"):
        tpu.prepare_dataset(tf.data.Dataset.range(10).batch(4))
    static = tf.data.Dataset.range(10).batch(4, drop_remainder=True)
    assert tpu.prepare_dataset(static) is static


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TPUStrategy")
def test_tpu_without_a_tpu_says_how_to_name_one(monkeypatch):
    monkeypatch.delenv("TPU_NAME", raising=False)
    with pytest.raises(ValueError, match="found no TPU: pass its name or address.*--tpu local"):
        make_distribution("tpu")


def test_bad_device_counts_are_rejected():
    with pytest.raises(ValueError, match="`count` must be >= 1; received 0"):
        split_cpu_into_logical_devices(0)


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="torch has no CPU splitting")
def test_splitting_the_cpu_on_torch_names_the_backends_that_can():
    with pytest.raises(ValueError, match="TensorFlow or JAX; the backend is 'torch'"):
        split_cpu_into_logical_devices(2)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TF device setup")
def test_splitting_after_tensorflow_started_explains_the_order():
    tf.constant(1.0) + 1.0  # the devices are initialized by now
    if len(tf.config.list_logical_devices("CPU")) == 3:
        pytest.skip("this process already has 3 logical CPUs")
    with pytest.raises(RuntimeError, match="already initialized its devices.*before any"):
        split_cpu_into_logical_devices(3)


def test_replica_seed_generator_draws_like_a_seed_generator_on_one_device():
    from keras_dynscene.distribute import ReplicaSeedGenerator

    ours, plain = ReplicaSeedGenerator(seed=7), keras.random.SeedGenerator(seed=7)
    for _ in range(2):
        np.testing.assert_array_equal(
            keras.ops.convert_to_numpy(keras.random.normal((3,), seed=ours)),
            keras.ops.convert_to_numpy(keras.random.normal((3,), seed=plain)),
        )
