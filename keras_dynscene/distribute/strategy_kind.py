"""Which distribution strategy `--strategy auto` means on this machine (pure, testable logic)."""

import json
import os

STRATEGY_KINDS = ("auto", "none", "mirrored", "multi_worker", "tpu", "data_parallel")
TENSORFLOW_KINDS = ("mirrored", "multi_worker", "tpu")


def cluster_from_tf_config(tf_config: str | None = None) -> dict:
    """The `TF_CONFIG` environment variable (or the given JSON) parsed, `{}` when unset.

    Returns `{"cluster": {...}, "task": {"type": ..., "index": ...}}` as TensorFlow reads it.
    """
    text = os.environ.get("TF_CONFIG", "") if tf_config is None else tf_config
    if not text:
        return {}
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"TF_CONFIG is not valid JSON ({error}); expected e.g. "
            '{"cluster": {"worker": ["host1:2222", "host2:2222"]}, '
            '"task": {"type": "worker", "index": 0}}.'
        ) from error
    if "cluster" not in config or "task" not in config:
        raise ValueError(
            f"TF_CONFIG needs a 'cluster' and a 'task' entry; received keys {sorted(config)}."
        )
    return config


def cluster_workers(config: dict) -> int:
    """Training processes (chief + workers) in a parsed TF_CONFIG; 1 without one."""
    if not config:
        return 1
    cluster = config["cluster"]
    return len(cluster.get("chief", [])) + len(cluster.get("worker", []))


def is_chief_task(config: dict) -> bool:
    """Whether this process writes checkpoints and logs: the chief, or worker 0 without one."""
    if not config:
        return True
    task = config["task"]
    if "chief" in config["cluster"]:
        return task.get("type") == "chief"
    return task.get("type") == "worker" and int(task.get("index", 0)) == 0


def choose_strategy_kind(
    requested: str,
    *,
    backend: str,
    num_workers: int = 1,
    num_gpus: int = 0,
    num_local_devices: int = 1,
    tpu_address: str | None = None,
) -> str:
    """Resolves `requested` (one of `STRATEGY_KINDS`) to the strategy to build.

    `auto` picks, on TensorFlow: `tpu` when a TPU is named, `multi_worker` when TF_CONFIG
    describes several workers, `mirrored` with several GPUs, else `none`; on JAX
    `data_parallel` with several local devices, else `none`; on PyTorch `none`. An explicit
    kind is checked against the backend.
    """
    if requested not in STRATEGY_KINDS:
        raise ValueError(
            f"Unknown strategy '{requested}'; expected one of {', '.join(STRATEGY_KINDS)}."
        )
    if requested == "auto":
        if backend == "tensorflow":
            if tpu_address:
                return "tpu"
            if num_workers > 1:
                return "multi_worker"
            return "mirrored" if num_gpus > 1 else "none"
        if backend == "jax":
            return "data_parallel" if num_local_devices > 1 else "none"
        return "none"
    if requested in TENSORFLOW_KINDS and backend != "tensorflow":
        raise ValueError(
            f"--strategy {requested} is a tf.distribute strategy and needs the TensorFlow "
            f"backend; the Keras backend is '{backend}'. Run with KERAS_BACKEND=tensorflow, or "
            "use --strategy data_parallel on JAX."
        )
    if requested == "data_parallel" and backend != "jax":
        raise ValueError(
            f"--strategy data_parallel is keras.distribution.DataParallel and needs the JAX "
            f"backend; the Keras backend is '{backend}'. Run with KERAS_BACKEND=jax, or use "
            "--strategy mirrored on TensorFlow."
        )
    if requested == "multi_worker" and num_workers < 2:
        raise ValueError(
            "--strategy multi_worker needs TF_CONFIG describing at least 2 workers (e.g. "
            '{"cluster": {"worker": ["127.0.0.1:12345", "127.0.0.1:12346"]}, "task": '
            f'{{"type": "worker", "index": 0}}}}); it describes {num_workers}.'
        )
    return requested
