"""Input data: procedural scene generators and real-data loaders (numpy, any backend)."""

from keras_dynscene.data.mnist_digits import load_mnist_digits
from keras_dynscene.data.narratives import Narratives
from keras_dynscene.data.random_walk import RandomWalk
from keras_dynscene.data.stochastic_moving_mnist import StochasticMovingMNIST

__all__ = ["Narratives", "RandomWalk", "StochasticMovingMNIST", "load_mnist_digits"]
