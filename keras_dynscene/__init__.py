"""keras_dynscene: Keras 3 generative models for dynamic scenes (TensorFlow, JAX, PyTorch)."""

__version__ = "0.1.0"

from keras_dynscene import callbacks
from keras_dynscene import distributions
from keras_dynscene import layers
from keras_dynscene import losses
from keras_dynscene import metrics
from keras_dynscene import models
from keras_dynscene import schedules
from keras_dynscene import visualization
