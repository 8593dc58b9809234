import contextlib
import os
import sys

import keras

from keras_dynscene.distribute.strategy_kind import choose_strategy_kind
from keras_dynscene.distribute.strategy_kind import cluster_from_tf_config
from keras_dynscene.distribute.strategy_kind import cluster_workers
from keras_dynscene.distribute.strategy_kind import is_chief_task


class Distribution:
    """A built distribution strategy and the batch arithmetic that goes with it.

    Made by `make_distribution`. `scope()` is where models and optimizers are built;
    `global_batch_size(per_replica)` is the batch the input pipeline must produce (each
    replica gets `per_replica` examples of it); `prepare_dataset` applies the sharding each
    strategy needs. `uses_custom_loop` is True for multi-worker TensorFlow, where Keras 3 `fit`
    fails (keras-team/keras#20585) and `train_model` runs `train_with_strategy_loop` instead.

    Attributes:
        kind: one of "none", "mirrored", "multi_worker", "tpu", "data_parallel".
        strategy: the `tf.distribute.Strategy` (TensorFlow kinds), else None.
        keras_distribution: the `keras.distribution.Distribution` (JAX), else None.
        num_replicas: replicas the global batch is split over.
        num_workers: training processes.
        is_chief: whether this process writes checkpoints, logs and samples.
    """

    def __init__(
        self,
        kind,
        strategy=None,
        keras_distribution=None,
        num_replicas=1,
        num_workers=1,
        is_chief=True,
    ):
        self.kind = kind
        self.strategy = strategy
        self.keras_distribution = keras_distribution
        self.num_replicas = int(num_replicas)
        self.num_workers = int(num_workers)
        self.is_chief = is_chief

    @property
    def uses_custom_loop(self) -> bool:
        return self.kind == "multi_worker"

    def scope(self):
        """Context to build models, optimizers and metrics in."""
        if self.strategy is not None:
            return self.strategy.scope()
        if self.keras_distribution is not None:
            return self.keras_distribution.scope()
        return contextlib.nullcontext()

    def optimizers_in_scope(self, compile_kwargs: dict) -> dict:
        """`compile_kwargs` with every optimizer rebuilt (from its config) inside `scope()`.

        An optimizer constructed outside a `tf.distribute` scope keeps a plain `iterations`
        variable that every replica increments: with 2 replicas the step count, and every
        schedule driven by it (learning-rate warmup, KL annealing), runs twice as fast.
        Optimizers here are fresh (their state comes from checkpoints after compile), so
        rebuilding them loses nothing.
        """
        if self.strategy is None:
            return dict(compile_kwargs)
        rebuilt = {}
        with self.scope():
            for name, value in compile_kwargs.items():
                if isinstance(value, keras.optimizers.Optimizer):
                    value = type(value).from_config(value.get_config())
                rebuilt[name] = value
        return rebuilt

    def global_batch_size(self, per_replica_batch_size: int) -> int:
        if per_replica_batch_size < 1:
            raise ValueError(
                f"The per-replica batch size must be >= 1; received {per_replica_batch_size}."
            )
        return per_replica_batch_size * self.num_replicas

    def prepare_dataset(self, dataset):
        """Sharding options of a batched `tf.data.Dataset` for this strategy.

        Multi-worker: every worker reads the same pipeline and keeps its slice of each global
        batch (`AutoShardPolicy.DATA`: the procedural and TFDS pipelines here are not split
        into one file per worker). TPU: batches need a static size (`drop_remainder=True`).
        """
        if self.kind == "multi_worker":
            import tensorflow as tf

            options = tf.data.Options()
            options.experimental_distribute.auto_shard_policy = (
                tf.data.experimental.AutoShardPolicy.DATA
            )
            return dataset.with_options(options)
        if self.kind == "tpu":
            batch = _batch_dimension(dataset)
            if batch is None:
                raise ValueError(
                    "TPUs compile for static shapes; the dataset's batch dimension is None. "
                    "Batch it with `drop_remainder=True` (keras_dynscene's training_batches "
                    "does)."
                )
        return dataset

    def __repr__(self):
        return (
            f"Distribution(kind={self.kind!r}, num_replicas={self.num_replicas}, "
            f"num_workers={self.num_workers}, is_chief={self.is_chief})"
        )


def _batch_dimension(dataset):
    import tensorflow as tf

    specs = tf.nest.flatten(dataset.element_spec)
    return specs[0].shape[0] if specs and specs[0].shape.rank else None


def split_cpu_into_logical_devices(count: int):
    """Makes the CPU appear as `count` devices, to try data parallelism without accelerators.

    TensorFlow: `count` logical CPU devices (`tf.config.set_logical_device_configuration`);
    `MirroredStrategy` then runs one replica on each. JAX: sets
    `XLA_FLAGS=--xla_force_host_platform_device_count=count`. Both must happen before the
    backend initializes its devices (call it first thing; the CLI's `--cpu-replicas` does).
    """
    if count < 1:
        raise ValueError(f"`count` must be >= 1; received {count}.")
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        cpu = tf.config.list_physical_devices("CPU")[0]
        try:
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration()] * count
            )
        except RuntimeError as error:
            if len(tf.config.list_logical_devices("CPU")) == count:
                return
            raise RuntimeError(
                "TensorFlow has already initialized its devices, so the CPU can no longer be "
                "split. Call split_cpu_into_logical_devices before any TensorFlow op runs."
            ) from error
    elif backend == "jax":
        flag = f"--xla_force_host_platform_device_count={count}"
        if _jax_devices_initialized():
            import jax

            if jax.device_count() == count:
                return
            raise RuntimeError(
                f"JAX has already initialized {jax.device_count()} device(s). Set "
                f"XLA_FLAGS={flag} before JAX starts (before importing keras)."
            )
        os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {flag}".strip()
    else:
        raise ValueError(
            f"Splitting the CPU into devices is for TensorFlow or JAX; the backend is '{backend}'."
        )


def _jax_devices_initialized() -> bool:
    if "jax" not in sys.modules:
        return False
    from jax._src import xla_bridge

    # Importing jax (as Keras does) does not create devices; the first device query does.
    return xla_bridge.backends_are_initialized()


def make_distribution(
    kind: str = "auto",
    *,
    devices=None,
    tpu: str | None = None,
    communication_timeout_s: float | None = 120.0,
) -> Distribution:
    """Builds the distribution strategy `kind` on the engine of the current Keras backend.

    - `mirrored`: `tf.distribute.MirroredStrategy` over the local GPUs (or the logical CPU
      devices of `split_cpu_into_logical_devices`, or `devices`).
    - `multi_worker`: `tf.distribute.MultiWorkerMirroredStrategy` from `TF_CONFIG`, with
      collective timeouts so a lost worker stops the others with an error instead of a hang.
    - `tpu`: `tf.distribute.TPUStrategy` through `TPUClusterResolver(tpu)` (`tpu` a name or
      grpc address, "local" on a TPU VM, or the `TPU_NAME` environment variable).
    - `data_parallel`: `keras.distribution.DataParallel` over the local JAX devices, set as the
      global Keras distribution.
    - `none`: the default single-device placement. `auto` picks one of these
      (`choose_strategy_kind`).

    Args:
        kind: one of `STRATEGY_KINDS`.
        devices: optional device names for `mirrored` / `data_parallel`.
        tpu: TPU name or address for `tpu` (default: `$TPU_NAME`).
        communication_timeout_s: multi-worker collective timeout (None: wait forever).

    Returns:
        A `Distribution`.

    Example:
    ```python
    distribution = make_distribution("mirrored")
    with distribution.scope():
        model = keras_dynscene.models.HierarchicalVRNN.from_preset("hier_vrnn_smmnist")
        model.compile(optimizer="adam")
    batch = distribution.global_batch_size(16)
    ```
    """
    backend = keras.backend.backend()
    tf_config = cluster_from_tf_config() if backend == "tensorflow" else {}
    tpu = tpu or os.environ.get("TPU_NAME")
    num_gpus = num_local = 1
    if backend == "tensorflow":
        import tensorflow as tf

        num_gpus = len(tf.config.list_physical_devices("GPU"))
    elif backend == "jax":
        import jax

        num_local = jax.local_device_count()
    kind = choose_strategy_kind(
        kind,
        backend=backend,
        num_workers=cluster_workers(tf_config),
        num_gpus=num_gpus,
        num_local_devices=num_local,
        tpu_address=tpu,
    )
    if kind == "none":
        return Distribution("none")
    if kind == "data_parallel":
        return _data_parallel(devices)
    import tensorflow as tf

    if kind == "mirrored":
        if devices is None:
            gpus = tf.config.list_logical_devices("GPU")
            devices = [d.name for d in (gpus or tf.config.list_logical_devices("CPU"))]
        strategy = tf.distribute.MirroredStrategy(devices)
        return Distribution(kind, strategy=strategy, num_replicas=strategy.num_replicas_in_sync)
    if kind == "multi_worker":
        options = tf.distribute.experimental.CommunicationOptions(
            timeout_seconds=communication_timeout_s
        )
        strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
        return Distribution(
            kind,
            strategy=strategy,
            num_replicas=strategy.num_replicas_in_sync,
            num_workers=cluster_workers(tf_config),
            is_chief=is_chief_task(tf_config),
        )
    return _tpu(tpu)


def _data_parallel(devices):
    import jax

    devices = devices or keras.distribution.list_devices()
    if len(devices) < 2:
        raise ValueError(
            f"--strategy data_parallel found {len(devices)} JAX device. With accelerators, "
            "check `jax.devices()`; on a CPU, split it first with XLA_FLAGS="
            "--xla_force_host_platform_device_count=2 (or `--cpu-replicas 2`)."
        )
    distribution = keras.distribution.DataParallel(devices=devices)
    keras.distribution.set_distribution(distribution)
    return Distribution(
        "data_parallel",
        keras_distribution=distribution,
        num_replicas=len(devices),
        num_workers=jax.process_count(),
        is_chief=jax.process_index() == 0,
    )


def _tpu(tpu):
    import tensorflow as tf

    on_tpu_vm = os.path.exists("/dev/accel0") or os.path.exists("/dev/vfio/0")
    if not tpu and not on_tpu_vm:
        raise ValueError(
            "--strategy tpu found no TPU: pass its name or address (--tpu my-tpu, "
            "--tpu grpc://10.0.0.2:8470, or TPU_NAME=...), or --tpu local on a TPU VM."
        )
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu or "local")
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, tf.errors.OpError) as error:
        raise ValueError(f"Could not connect to the TPU '{tpu or 'local'}': {error}") from error
    strategy = tf.distribute.TPUStrategy(resolver)
    return Distribution("tpu", strategy=strategy, num_replicas=strategy.num_replicas_in_sync)
