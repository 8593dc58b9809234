"""Fréchet distance between Gaussians fitted to two feature populations (FID, FVD)."""

import numpy as np

MIN_POPULATION = 2


def gaussian_statistics(features, name: str = "features") -> tuple:
    """Mean and unbiased covariance (`ddof=1`) of a feature population, in float64.

    Args:
        features: array `[N, D]` with `N >= 2`.
        name: how the population is called in error messages.

    Returns:
        `(mean [D], covariance [D, D])` as float64 numpy arrays.

    Example:
    ```python
    mean, covariance = gaussian_statistics(np.random.randn(100, 8))
    ```
    """
    features = np.asarray(features, dtype="float64")
    if features.ndim != 2:
        raise ValueError(
            f"gaussian_statistics: expected {name} shaped [N, D], received shape "
            f"{features.shape}. Flatten each example's features to one vector."
        )
    if features.shape[0] < MIN_POPULATION:
        raise ValueError(
            f"gaussian_statistics: a covariance needs at least {MIN_POPULATION} {name} vectors, "
            f"received {features.shape[0]}. Evaluate more videos/images (FVD protocols use 256 "
            "or more; with fewer than the feature dimension the estimate is rank-deficient)."
        )
    if not np.all(np.isfinite(features)):
        raise ValueError(
            f"gaussian_statistics: {name} contain NaN or infinite values. For I3D this happens "
            "with clips of 8 frames or fewer; check the inputs of the feature network."
        )
    return features.mean(axis=0), np.cov(features, rowvar=False, ddof=1).reshape(
        features.shape[1], features.shape[1]
    )


def symmetric_sqrt(matrix: np.ndarray) -> np.ndarray:
    """Square root of a symmetric positive semi-definite matrix by eigendecomposition, with
    eigenvalues below round-off (including slightly negative ones) set to zero."""
    eigenvalues, eigenvectors = np.linalg.eigh((matrix + matrix.T) / 2.0)
    round_off = np.finfo("float64").eps * matrix.shape[0] * float(np.abs(eigenvalues).max())
    roots = np.sqrt(np.where(eigenvalues > round_off, eigenvalues, 0.0))
    return (eigenvectors * roots) @ eigenvectors.T


def frechet_distance_from_statistics(mean_a, covariance_a, mean_b, covariance_b) -> float:
    """Fréchet (2-Wasserstein) distance between `N(mean_a, covariance_a)` and
    `N(mean_b, covariance_b)`: `|mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2))`.

    The trace of the matrix square root is computed as the sum of the square roots of the
    eigenvalues of the symmetric PSD matrix `S_a^(1/2) S_b S_a^(1/2)` (which has the same
    spectrum as `S_a S_b`), all in float64. Unlike `scipy.linalg.sqrtm(S_a @ S_b)` this never
    produces complex parts or NaNs for singular or near-singular covariances, e.g. when there are
    fewer samples than feature dimensions.

    Args:
        mean_a: `[D]` mean of the first population.
        covariance_a: `[D, D]` covariance of the first population.
        mean_b: `[D]` mean of the second population.
        covariance_b: `[D, D]` covariance of the second population.

    Returns:
        The distance as a Python float (>= 0 up to round-off).

    Example:
    ```python
    distance = frechet_distance_from_statistics(np.zeros(2), np.eye(2), np.ones(2), np.eye(2))
    # 2.0
    ```
    """
    mean_a, mean_b = np.asarray(mean_a, "float64"), np.asarray(mean_b, "float64")
    covariance_a = np.asarray(covariance_a, "float64")
    covariance_b = np.asarray(covariance_b, "float64")
    dim = mean_a.shape[0]
    for name, value, shape in (
        ("mean_b", mean_b, (dim,)),
        ("covariance_a", covariance_a, (dim, dim)),
        ("covariance_b", covariance_b, (dim, dim)),
    ):
        if value.shape != shape:
            raise ValueError(
                f"frechet_distance: expected {name} shaped {shape} to match mean_a {mean_a.shape}, "
                f"received {value.shape}. Both populations must use the same features."
            )
    sqrt_a = symmetric_sqrt(covariance_a)
    product = sqrt_a @ covariance_b @ sqrt_a
    eigenvalues = np.linalg.eigvalsh((product + product.T) / 2.0)
    # Eigenvalues below the solver's round-off are zero; their square roots (~sqrt(eps) each)
    # would otherwise add up over hundreds of null directions of rank-deficient covariances.
    round_off = np.finfo("float64").eps * dim * max(float(np.abs(eigenvalues).max()), 0.0)
    trace_sqrt = np.sqrt(np.where(eigenvalues > round_off, eigenvalues, 0.0)).sum()
    difference = mean_a - mean_b
    distance = difference @ difference + np.trace(covariance_a) + np.trace(covariance_b)
    return float(distance - 2.0 * trace_sqrt)


def frechet_distance(features_a, features_b) -> float:
    """Fréchet distance between Gaussians fitted (float64, `ddof=1`) to two feature sets.

    Args:
        features_a: `[N_a, D]` features of the first population (e.g. real videos).
        features_b: `[N_b, D]` features of the second population (e.g. generated videos).

    Returns:
        The distance as a Python float.

    Example:
    ```python
    rng = np.random.default_rng(0)
    distance = frechet_distance(rng.normal(size=(500, 16)), rng.normal(1.0, size=(500, 16)))
    ```

    Reference:
        - [Heusel et al., GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash
          Equilibrium, NeurIPS 2017](https://arxiv.org/abs/1706.08500)
    """
    mean_a, covariance_a = gaussian_statistics(features_a, "features_a")
    mean_b, covariance_b = gaussian_statistics(features_b, "features_b")
    if mean_a.shape != mean_b.shape:
        raise ValueError(
            f"frechet_distance: expected features of the same dimension, received "
            f"{mean_a.shape[0]} and {mean_b.shape[0]}."
        )
    return frechet_distance_from_statistics(mean_a, covariance_a, mean_b, covariance_b)
