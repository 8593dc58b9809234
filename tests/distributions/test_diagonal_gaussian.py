import keras
import numpy as np
import pytest

from keras_dynscene.distributions import DiagonalGaussian


def random_gaussians(seed):
    rng = np.random.default_rng(seed)
    shape = (4, 3, 5)
    return [
        DiagonalGaussian(
            rng.normal(size=shape).astype("float32"),
            rng.normal(scale=0.7, size=shape).astype("float32"),
        )
        for _ in range(2)
    ]


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TFP reference needs TF")
def test_kl_and_log_prob_match_tfp():
    import tensorflow_probability as tfp

    q, p = random_gaussians(0)
    x = np.random.default_rng(1).normal(size=(4, 3, 5)).astype("float32")
    expected_kl = tfp.distributions.kl_divergence(q.to_tfp(), p.to_tfp()).numpy()
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(q.kl_divergence(p)), expected_kl, atol=1e-5, rtol=1e-5
    )
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(q.log_prob(x)),
        q.to_tfp().log_prob(x).numpy(),
        atol=1e-5,
        rtol=1e-5,
    )


@pytest.mark.backends
def test_kl_of_identical_is_zero_and_sampling_is_seeded():
    q, _ = random_gaussians(2)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(q.kl_divergence(q)), 0.0, atol=1e-6)
    a = q.sample(seed=keras.random.SeedGenerator(3))
    b = q.sample(seed=keras.random.SeedGenerator(3))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))
    noise = np.ones((4, 3, 5), "float32")
    expected = q.mean + np.exp(0.5 * q.log_var)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(q.sample(noise=noise)), expected, rtol=1e-6
    )


@pytest.mark.backends
def test_empirical_moments_of_samples():
    q = DiagonalGaussian(
        np.full((20000,), 2.0, "float32"), np.full((20000,), np.log(0.25), "float32")
    )
    samples = keras.ops.convert_to_numpy(q.sample(seed=keras.random.SeedGenerator(0)))
    assert abs(samples.mean() - 2.0) < 0.02
    assert abs(samples.std() - 0.5) < 0.02


@pytest.mark.skipif(keras.backend.backend() == "tensorflow", reason="checks the non-TF error")
def test_to_tfp_needs_tensorflow():
    q, _ = random_gaussians(0)
    with pytest.raises(ValueError, match="TensorFlow backend"):
        q.to_tfp()
