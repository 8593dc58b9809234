import os

# The suite runs once per backend: `KERAS_BACKEND=jax pytest -m backends`. TensorFlow by default.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _reset_keras_state():
    # No forced full `gc.collect()` per test (`free_memory=True`): with TensorFlow's object graph
    # it grew to tens of seconds per test late in the suite; Python's own collector still runs.
    keras.utils.clear_session(free_memory=False)
    yield


def pytest_report_header(config):
    return f"keras backend: {keras.backend.backend()}"
