"""Stochastic Moving MNIST TFDS builder (`tfds.load("stochastic_moving_mnist/2digits")`)."""
