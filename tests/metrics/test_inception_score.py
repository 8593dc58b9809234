import numpy as np
import pytest
from scipy import special
from scipy import stats

from keras_dynscene.metrics import inception_score


def reference_inception_score(logits, num_splits):
    scores = []
    for split in np.array_split(special.softmax(logits, axis=1), num_splits):
        marginal = split.mean(axis=0)
        scores.append(np.exp(np.mean([stats.entropy(p, marginal) for p in split])))
    return np.mean(scores), np.std(scores)


def test_matches_the_entropy_reference():
    logits = np.random.default_rng(0).normal(scale=3.0, size=(200, 50))
    result = inception_score(logits, num_splits=10)
    mean, std = reference_inception_score(logits, 10)
    assert result["mean"] == pytest.approx(mean, rel=1e-9)
    assert result["std"] == pytest.approx(std, rel=1e-7)
    assert len(result["splits"]) == 10 and result["num_samples"] == 200


def test_extreme_cases():
    assert inception_score(np.zeros((40, 7)), 1)["mean"] == pytest.approx(1.0)
    confident = 1e3 * np.eye(8)[np.arange(64) % 8]
    assert inception_score(confident, 1)["mean"] == pytest.approx(8.0, rel=1e-6)


def test_errors_are_explained():
    with pytest.raises(ValueError, match="num_splits <= N"):
        inception_score(np.zeros((5, 3)), num_splits=10)
    with pytest.raises(ValueError, match="shaped \\[N, num_classes\\]"):
        inception_score(np.zeros(5))
