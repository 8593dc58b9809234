import keras
import numpy as np
import pytest

from keras_dynscene.models import HierarchicalVRNN
from keras_dynscene.models import load_preset
from tests.models.hierarchical_vrnn.tiny_config import TINY_CONFIG
from tests.test_case import TestCase
from tests.test_case import run_cross_backend_generation_test


def tiny_model(**overrides):
    return HierarchicalVRNN(**{**TINY_CONFIG, **overrides})


def moving_square_videos(count, frames=5, size=16, seed=0):
    """Bright 4x4 squares moving one pixel per frame: easy to fit, binary like MNIST."""
    rng = np.random.default_rng(seed)
    videos = np.zeros((count, frames, size, size, 1), "uint8")
    for index in range(count):
        row, col = rng.integers(0, size - 4 - frames, size=2)
        for t in range(frames):
            videos[index, t, row : row + 4, col + t : col + t + 4] = 255
    return videos


def generate_with_fixed_noise(model, context, horizon=3, seed=5):
    noise = model.sample_noise(context.shape[0], horizon, seed)
    return keras.ops.convert_to_numpy(model.generate(keras.ops.convert_to_tensor(context), noise))


@pytest.mark.backends
class TestHierarchicalVRNN(TestCase):
    def test_forward_outputs(self):
        model = tiny_model()
        outputs = model(moving_square_videos(2))
        assert tuple(outputs["frames"].shape) == (2, 3, 16, 16, 1)
        assert tuple(outputs["kl"].shape) == (2, 2, 3)
        assert [tuple(k.shape) for k in outputs["kl_per_channel"]] == [(2, 3, 4), (2, 3, 4)]
        assert np.all(keras.ops.convert_to_numpy(outputs["kl"]) >= -1e-5)

    def test_tfds_dict_and_float_inputs_agree(self):
        model = tiny_model()
        videos = moving_square_videos(2)
        context = videos[:, :2]
        from_uint8 = model.predict_future(context, 3, 2, seed=3, verbose=0)
        from_float = model.predict_future(context.astype("float32") / 255, 3, 2, seed=3, verbose=0)
        np.testing.assert_allclose(from_uint8, from_float, atol=1e-6)
        dict_out = model({"video": videos, "label": np.zeros(2)})
        assert tuple(dict_out["frames"].shape) == (2, 3, 16, 16, 1)

    def test_predict_future_shape_range_and_seed(self):
        model = tiny_model()
        context = moving_square_videos(3)[:, :2]
        first = model.predict_future(context, horizon=4, num_samples=5, seed=7, verbose=0)
        again = model.predict_future(context, horizon=4, num_samples=5, seed=7, verbose=0)
        other = model.predict_future(context, horizon=4, num_samples=5, seed=8, verbose=0)
        assert first.shape == (3, 5, 4, 16, 16, 1)
        assert first.min() >= 0.0 and first.max() <= 1.0
        np.testing.assert_array_equal(first, again)
        assert not np.allclose(first, other)
        # Samples of one context differ: the prior is stochastic.
        assert not np.allclose(first[0, 0], first[0, 1])
        # Other horizons on the same model: predict retraces with an unknown time axis.
        for horizon in (2, 6):
            longer = model.predict_future(context, horizon, num_samples=2, seed=7, verbose=0)
            assert longer.shape == (3, 2, horizon, 16, 16, 1)

    def test_config_and_keras_round_trip(self, tmp_path):
        model = tiny_model()
        self.run_serialization_test(model)
        context = moving_square_videos(2)[:, :2].astype("float32") / 255
        expected = generate_with_fixed_noise(model, context)
        path = str(tmp_path / "model.keras")
        model.save(path)
        restored = keras.saving.load_model(path)
        assert isinstance(restored, HierarchicalVRNN)
        np.testing.assert_allclose(
            generate_with_fixed_noise(restored, context), expected, atol=1e-5
        )

    def test_training_decreases_loss_and_follows_kl_warmup(self):
        model = tiny_model(kl_warmup_steps=4)
        model.compile(optimizer=keras.optimizers.Adam(3e-3))
        videos = moving_square_videos(8)
        history = model.fit(videos, batch_size=8, epochs=12, verbose=0).history
        assert history["nll"][-1] < 0.7 * history["nll"][0]
        for name in ("kl", "kl_level_1x1", "kl_level_4x4", "elbo"):
            assert np.all(np.isfinite(history[name])), name
        # One step per epoch: the KL weight used at step s is min(1, s / 4).
        np.testing.assert_allclose(
            history["kl_weight"][:6], [0, 0.25, 0.5, 0.75, 1.0, 1.0], atol=1e-6
        )
        assert int(keras.ops.convert_to_numpy(model.kl_step)) == 12
        evaluation = model.evaluate(videos, batch_size=8, verbose=0, return_dict=True)
        assert np.isfinite(evaluation["elbo"])
        assert int(keras.ops.convert_to_numpy(model.kl_step)) == 12  # evaluation does not count

    def test_latent_kl_per_channel(self):
        model = tiny_model()
        kl = model.latent_kl_per_channel(moving_square_videos(2), seed=0)
        assert sorted(kl) == ["1x1", "4x4"]
        assert kl["1x1"].shape == (4,) and np.all(kl["4x4"] >= -1e-6)


class TestHierarchicalVRNNErrors:
    @pytest.mark.parametrize(
        "video,match",
        [
            (np.zeros((5, 16, 16, 1), "uint8"), "5D video batch"),
            (np.zeros((1, 5, 16, 16, 3), "uint8"), "1 channel"),
            (np.zeros((1, 4, 16, 16, 1), "uint8"), "at least 5"),
            (np.zeros((1, 5, 32, 32, 1), "uint8"), "16x16"),
        ],
    )
    def test_bad_shapes(self, video, match):
        with pytest.raises(ValueError, match=match):
            tiny_model()(video)

    def test_missing_dict_key(self):
        with pytest.raises(ValueError, match="key 'video'"):
            tiny_model()({"frames": np.zeros((1, 5, 16, 16, 1), "uint8")})

    def test_bad_context_values(self):
        model = tiny_model()
        with pytest.raises(ValueError, match=r"\[0, 1\]"):
            model.predict_future(np.full((1, 2, 16, 16, 1), 2.0, "float32"), verbose=0)
        nan = np.zeros((1, 2, 16, 16, 1), "float32")
        nan[0, 0, 0, 0, 0] = np.nan
        with pytest.raises(ValueError, match="NaN"):
            model.predict_future(nan, verbose=0)
        with pytest.raises(ValueError, match="at least 2"):
            model.predict_future(np.zeros((1, 1, 16, 16, 1), "uint8"), verbose=0)
        with pytest.raises(ValueError, match="horizon"):
            model.predict_future(np.zeros((1, 2, 16, 16, 1), "uint8"), horizon=0, verbose=0)

    @pytest.mark.parametrize(
        "overrides,match",
        [
            ({"image_size": 18}, "divisible"),
            ({"latent_resolutions": [1, 3], "latent_channels": [4, 4]}, "pyramid"),
            ({"latent_resolutions": [4, 1], "latent_channels": [4, 4]}, "coarse to fine"),
            ({"latent_channels": [4]}, "equal length"),
            ({"likelihood": "laplace"}, "likelihood"),
        ],
    )
    def test_bad_config(self, overrides, match):
        with pytest.raises(ValueError, match=match):
            tiny_model(**overrides)

    def test_unknown_preset_and_corrupted_file(self, tmp_path):
        with pytest.raises(ValueError, match="Unknown preset 'no_such_preset'"):
            HierarchicalVRNN.from_preset("no_such_preset")
        with pytest.raises(ValueError, match="Unknown preset"):
            load_preset("no_such_preset")
        broken = tmp_path / "broken.keras"
        broken.write_bytes(b"not a zip archive")
        with pytest.raises(ValueError, match="corrupted"):
            load_preset(str(broken))
        with pytest.raises(FileNotFoundError, match="No model file"):
            HierarchicalVRNN.from_preset(str(tmp_path / "missing.keras"))

    def test_architecture_presets_build(self):
        model = HierarchicalVRNN.from_preset("hier_vrnn_smmnist_cpu", future_frames=2)
        assert model.latent_resolutions == (1, 8, 32) and model.future_frames == 2
        assert set(HierarchicalVRNN.architecture_presets) >= {
            "hier_vrnn_1_8_32",
            "vrnn_1_level",
            "hier_vrnn_1_8_32_naive",
        }
        assert HierarchicalVRNN.architecture_presets["vrnn_1_level"]["latent_resolutions"] == [1]


@pytest.mark.large
@pytest.mark.parametrize("target_backend", ["tensorflow", "jax", "torch"])
def test_reloads_on_another_backend(tmp_path, target_backend):
    if target_backend == keras.backend.backend():
        pytest.skip("same backend")
    context = moving_square_videos(2)[:, :2].astype("float32") / 255
    run_cross_backend_generation_test(tiny_model(), context, 3, target_backend, str(tmp_path))
