import pytest

from keras_dynscene.distribute.strategy_kind import choose_strategy_kind
from keras_dynscene.distribute.strategy_kind import cluster_from_tf_config
from keras_dynscene.distribute.strategy_kind import cluster_workers
from keras_dynscene.distribute.strategy_kind import is_chief_task

pytestmark = pytest.mark.backends

TWO_WORKERS = (
    '{"cluster": {"worker": ["127.0.0.1:1", "127.0.0.1:2"]}, "task": {"type": "worker", '
    '"index": 1}}'
)


def test_auto_picks_per_backend_and_hardware():
    assert choose_strategy_kind("auto", backend="tensorflow") == "none"
    assert choose_strategy_kind("auto", backend="tensorflow", num_gpus=4) == "mirrored"
    assert choose_strategy_kind("auto", backend="tensorflow", num_workers=2) == "multi_worker"
    assert choose_strategy_kind("auto", backend="tensorflow", tpu_address="t") == "tpu"
    assert choose_strategy_kind("auto", backend="jax", num_local_devices=2) == "data_parallel"
    assert choose_strategy_kind("auto", backend="jax") == "none"
    assert choose_strategy_kind("auto", backend="torch", num_gpus=8) == "none"


def test_explicit_kinds_are_checked_against_the_backend():
    with pytest.raises(ValueError, match="needs the TensorFlow backend.*KERAS_BACKEND"):
        choose_strategy_kind("mirrored", backend="jax")
    with pytest.raises(ValueError, match="needs the JAX backend"):
        choose_strategy_kind("data_parallel", backend="tensorflow")
    with pytest.raises(ValueError, match="at least 2 workers"):
        choose_strategy_kind("multi_worker", backend="tensorflow", num_workers=1)
    with pytest.raises(ValueError, match="Unknown strategy 'horovod'"):
        choose_strategy_kind("horovod", backend="tensorflow")


def test_tf_config_parsing_and_chief():
    config = cluster_from_tf_config(TWO_WORKERS)
    assert cluster_workers(config) == 2
    assert not is_chief_task(config)
    assert is_chief_task(cluster_from_tf_config(TWO_WORKERS.replace('"index": 1', '"index": 0')))
    assert cluster_workers(cluster_from_tf_config("")) == 1
    with pytest.raises(ValueError, match="not valid JSON"):
        cluster_from_tf_config("{oops")
    with pytest.raises(ValueError, match="'cluster' and a 'task'"):
        cluster_from_tf_config('{"cluster": {}}')
