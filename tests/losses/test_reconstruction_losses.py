import numpy as np
import pytest
from keras import ops

from keras_dynscene.losses import bernoulli_nll
from keras_dynscene.losses import gaussian_nll
from keras_dynscene.losses import reconstruction_nll


@pytest.mark.backends
def test_bernoulli_nll_matches_numpy_reference():
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=5, size=(3, 2, 4, 4, 1)).astype("float32")
    targets = rng.uniform(size=logits.shape).astype("float32")
    prob = 1 / (1 + np.exp(-logits.astype("float64")))
    expected = -(targets * np.log(prob) + (1 - targets) * np.log1p(-prob)).reshape(3, -1).sum(-1)
    np.testing.assert_allclose(
        ops.convert_to_numpy(bernoulli_nll(targets, logits)), expected, rtol=1e-4
    )


@pytest.mark.backends
def test_gaussian_nll_matches_closed_form():
    rng = np.random.default_rng(1)
    mean = rng.uniform(size=(2, 8)).astype("float32")
    targets = rng.uniform(size=(2, 8)).astype("float32")
    scale = 0.1
    expected = (
        0.5 * ((targets - mean) / scale) ** 2 + np.log(scale) + 0.5 * np.log(2 * np.pi)
    ).sum(-1)
    np.testing.assert_allclose(
        ops.convert_to_numpy(gaussian_nll(targets, mean, scale)), expected, rtol=1e-5
    )


def test_unknown_likelihood_is_rejected():
    with pytest.raises(ValueError, match="Unknown likelihood 'laplace'"):
        reconstruction_nll("laplace", np.zeros((1, 2)), np.zeros((1, 2)))
