"""keras_dynscene: Keras 3 generative models for dynamic scenes (TensorFlow, JAX, PyTorch).

Subpackages load on first use, so the `dynscene` command can choose the Keras backend before
Keras is imported.
"""

import importlib

__version__ = "0.1.0"

_SUBPACKAGES = (
    "callbacks",
    "data",
    "distribute",
    "distributions",
    "evaluation",
    "export",
    "layers",
    "losses",
    "metrics",
    "models",
    "schedules",
    "training",
    "visualization",
)


def __getattr__(name):
    if name in _SUBPACKAGES:
        return importlib.import_module(f"keras_dynscene.{name}")
    raise AttributeError(f"module 'keras_dynscene' has no attribute '{name}'")


def __dir__():
    return sorted(list(globals()) + list(_SUBPACKAGES))
