"""Per-example reconstruction negative log-likelihoods, summed over every non-batch axis."""

import math

from keras import ops

from keras_dynscene.distributions.diagonal_gaussian import LOG_2PI

LIKELIHOODS = ("bernoulli", "gaussian")


def _sum_over_non_batch_axes(values):
    return ops.sum(ops.reshape(values, (ops.shape(values)[0], -1)), axis=-1)


def bernoulli_nll(targets, logits):
    """-log Bernoulli(targets | sigmoid(logits)) per example; `targets` may be soft in [0, 1]."""
    elementwise = ops.maximum(logits, 0.0) - logits * targets + ops.log1p(ops.exp(-ops.abs(logits)))
    return _sum_over_non_batch_axes(elementwise)


def gaussian_nll(targets, mean, scale=1.0):
    """-log N(targets | mean, scale^2) per example with a fixed scale (MSE up to constants)."""
    log_scale = math.log(scale)
    elementwise = 0.5 * ops.square((targets - mean) / scale) + log_scale + 0.5 * LOG_2PI
    return _sum_over_non_batch_axes(elementwise)


def reconstruction_nll(likelihood, targets, outputs, scale=1.0):
    """Dispatches to the NLL of `likelihood` ('bernoulli' takes logits, 'gaussian' means)."""
    if likelihood == "bernoulli":
        return bernoulli_nll(targets, outputs)
    if likelihood == "gaussian":
        return gaussian_nll(targets, outputs, scale)
    raise ValueError(f"Unknown likelihood '{likelihood}'. Expected one of {LIKELIHOODS}.")
