import numpy as np
import pytest
from scipy import linalg

from keras_dynscene.metrics import frechet_distance
from keras_dynscene.metrics import frechet_distance_from_statistics
from keras_dynscene.metrics import gaussian_statistics


def scipy_frechet_distance(features_a, features_b):
    """The textbook computation with scipy's general matrix square root."""
    mean_a, mean_b = features_a.mean(0), features_b.mean(0)
    cov_a = np.cov(features_a, rowvar=False, ddof=1)
    cov_b = np.cov(features_b, rowvar=False, ddof=1)
    root = linalg.sqrtm(cov_a @ cov_b).real
    return float(((mean_a - mean_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * root))


def correlated_features(rng, count, dim, shift=0.0):
    mixing = rng.normal(size=(dim, dim)) / np.sqrt(dim)
    return rng.normal(size=(count, dim)) @ mixing + shift


@pytest.mark.parametrize("dim", [4, 32, 128])
def test_matches_scipy_sqrtm_on_well_conditioned_sets(dim):
    rng = np.random.default_rng(dim)
    features_a = correlated_features(rng, 4 * dim, dim)
    features_b = correlated_features(rng, 3 * dim, dim, shift=0.5) * 1.5
    expected = scipy_frechet_distance(features_a, features_b)
    np.testing.assert_allclose(frechet_distance(features_a, features_b), expected, rtol=1e-8)


def test_closed_form_for_isotropic_gaussians():
    # N(0, I) vs N(1, 4 I) in 3-d: |mu|^2 = 3, tr(I + 4I - 2 * 2I) = 3.
    value = frechet_distance_from_statistics(np.zeros(3), np.eye(3), np.ones(3), 4 * np.eye(3))
    assert value == pytest.approx(6.0)


def test_set_with_itself_is_zero_even_when_rank_deficient():
    rng = np.random.default_rng(0)
    for count, dim in [(500, 16), (64, 400), (8, 400)]:
        features = rng.normal(size=(count, dim))
        assert abs(frechet_distance(features, features)) < 1e-6 * dim


def test_near_singular_covariances_stay_finite():
    rng = np.random.default_rng(1)
    basis = rng.normal(size=(3, 64))
    # Rank-3 populations in 64-d plus 1e-9 jitter: covariance eigenvalues span ~16 decades.
    features_a = rng.normal(size=(40, 3)) @ basis + 1e-9 * rng.normal(size=(40, 64))
    features_b = rng.normal(size=(40, 3)) @ basis + 0.1 + 1e-9 * rng.normal(size=(40, 64))
    value = frechet_distance(features_a, features_b)
    assert np.isfinite(value) and value > 0
    mean_part = float(((features_a.mean(0) - features_b.mean(0)) ** 2).sum())
    assert value >= mean_part - 1e-6


def test_monotone_in_the_mean_shift():
    rng = np.random.default_rng(2)
    reference = rng.normal(size=(300, 8))
    values = [frechet_distance(reference, rng.normal(size=(300, 8)) + s) for s in (0, 0.5, 1, 2)]
    assert values == sorted(values)


def test_errors_are_explained():
    with pytest.raises(ValueError, match="at least 2 features_a vectors, received 1"):
        frechet_distance(np.zeros((1, 4)), np.zeros((5, 4)))
    with pytest.raises(ValueError, match="shaped \\[N, D\\]"):
        gaussian_statistics(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="NaN or infinite"):
        frechet_distance(np.full((3, 2), np.nan), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="same dimension"):
        frechet_distance(np.zeros((3, 2)), np.zeros((3, 4)))
    with pytest.raises(ValueError, match="covariance_b"):
        frechet_distance_from_statistics(np.zeros(2), np.eye(2), np.zeros(2), np.eye(3))
