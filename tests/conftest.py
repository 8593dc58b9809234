import os

# The suite runs once per backend: `KERAS_BACKEND=jax pytest -m backends`. TensorFlow by default.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if os.environ["KERAS_BACKEND"] == "jax":
    # The tests' models are tiny and run a few steps: XLA's LLVM optimizations cost more than
    # they save (the JAX `backends` run took 3.7x longer with them, tests/models/jump).
    flags = os.environ.get("XLA_FLAGS", "")
    if "xla_backend_optimization_level" not in flags:
        os.environ["XLA_FLAGS"] = f"{flags} --xla_backend_optimization_level=0".strip()

import keras  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _reset_keras_state():
    # No forced full `gc.collect()` per test (`free_memory=True`): with TensorFlow's object graph
    # it grew to tens of seconds per test late in the suite; Python's own collector still runs.
    keras.utils.clear_session(free_memory=False)
    # Every test starts from the same Python / NumPy / backend random state, whatever ran before
    # it: a test's initial weights no longer depend on the order or selection of tests.
    keras.utils.set_random_seed(1234)
    yield


def pytest_report_header(config):
    return f"keras backend: {keras.backend.backend()}"
