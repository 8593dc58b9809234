import keras
import numpy as np
import pytest

from keras_dynscene.models.svg_lp import SVGLP
from keras_dynscene.models.svg_lp.svg_lp_layers import DCGANFrameDecoder
from keras_dynscene.models.svg_lp.svg_lp_layers import DCGANFrameEncoder
from keras_dynscene.models.svg_lp.svg_lp_layers import FramePredictorLSTM
from keras_dynscene.models.svg_lp.svg_lp_layers import GaussianLSTM
from tests.test_case import TestCase
from tests.test_case import run_cross_backend_generation_test

# 16x16 frames, two DCGAN stages (16 -> 8 -> 4): small enough for every backend on a CPU.
TINY = {
    "image_size": 16,
    "channels": 1,
    "context_frames": 2,
    "future_frames": 3,
    "encoder_filters": (4, 8),
    "g_dim": 8,
    "z_dim": 2,
    "rnn_size": 8,
    "predictor_layers": 2,
    "seed": 1,
}


def tiny_model(**overrides):
    return SVGLP(**{**TINY, **overrides})


def moving_square_videos(batch=2, frames=5, size=16, channels=1):
    """Binary clips of a 4x4 square moving one pixel per frame (start differs per clip)."""
    video = np.zeros((batch, frames, size, size, channels), "float32")
    for b in range(batch):
        for t in range(frames):
            row, col = 2 + 3 * b, 1 + 2 * t
            video[b, t, row : row + 4, col : col + 4] = 1.0
    return video


@pytest.mark.backends
class TestSVGLPLayers(TestCase):
    # Same shapes as the TINY model, so JAX reuses its compiled kernels across the tests.
    def test_encoder_and_decoder(self):
        frames = keras.random.uniform((2, 16, 16, 1), seed=0)
        encoder = DCGANFrameEncoder(g_dim=8, stage_filters=(4, 8))
        embedding, skips = self.run_layer_test(
            encoder, frames, ((2, 8), [(2, 8, 8, 4), (2, 4, 4, 8)])
        )
        assert np.all(np.abs(keras.ops.convert_to_numpy(embedding)) <= 1.0)  # tanh output
        decoder = DCGANFrameDecoder(stage_filters=(4, 8), output_channels=1)
        self.run_layer_test(decoder, embedding, (2, 16, 16, 1), call_kwargs={"skips": skips})

    def test_recurrent_networks(self):
        inputs = keras.random.normal((2, 10), seed=0)
        predictor = FramePredictorLSTM(output_dim=8, units=8, num_layers=2)
        output, _ = self.run_layer_test(
            predictor,
            inputs,
            ((2, 8), [[(2, 8), (2, 8)], [(2, 8), (2, 8)]]),
            call_kwargs={"states": predictor.initial_states(2)},
        )
        assert np.all(np.abs(keras.ops.convert_to_numpy(output)) <= 1.0)
        prior = GaussianLSTM(latent_dim=2, units=8)
        self.run_layer_test(
            prior,
            inputs[:, :8],
            ((2, 4), [[(2, 8), (2, 8)]]),
            call_kwargs={"states": prior.initial_states(2)},
        )


@pytest.mark.backends
class TestSVGLP(TestCase):
    def test_output_shapes(self):
        model = tiny_model(context_frames=3)
        outputs = model(moving_square_videos(frames=7), training=False)
        shapes = {key: tuple(value.shape) for key, value in outputs.items()}
        assert shapes == {
            "frames": (2, 3, 16, 16, 1),
            "kl": (2, 3),
            "context_reconstruction": (2, 2, 16, 16, 1),
            "context_kl": (2, 2),
        }
        kl = keras.ops.convert_to_numpy(outputs["kl"])
        assert np.all(np.isfinite(kl)) and np.all(kl >= -1e-5)
        assert model.noise_shapes(4, 7) == [(4, 7, 2)]

    def test_variants(self):
        model = tiny_model(train_on_context=False, last_frame_skip=True, likelihood="gaussian")
        outputs = model(moving_square_videos(), training=False)
        assert sorted(outputs) == ["frames", "kl"]
        frames = keras.ops.convert_to_numpy(outputs["frames"])
        assert frames.shape == (2, 3, 16, 16, 1) and frames.min() >= 0 and frames.max() <= 1
        noise = model.sample_noise(2, 4, seed=0)
        samples = model.generate(moving_square_videos()[:, :2], noise)
        assert tuple(samples.shape) == (2, 4, 16, 16, 1)

    def test_serialization(self):
        self.run_serialization_test(tiny_model(likelihood="gaussian", kl_warmup_steps=7))

    def test_saving_round_trip(self):
        model = tiny_model()
        context = moving_square_videos()[:, :2]
        noise = model.sample_noise(2, 4, seed=3)
        restored = self.run_model_saving_test(
            model, context, call=lambda m, x: m.generate(x, noise), atol=1e-5
        )
        assert restored.get_config() == model.get_config()

    def test_predict_future_shape_and_seed(self):
        model = tiny_model()
        context = moving_square_videos(frames=4)  # the last 2 frames condition the samples
        first = model.predict_future(context, horizon=4, num_samples=3, seed=0, verbose=0)
        again = model.predict_future(context, horizon=4, num_samples=3, seed=0, verbose=0)
        other = model.predict_future(context, horizon=4, num_samples=3, seed=1, verbose=0)
        assert first.shape == (2, 3, 4, 16, 16, 1)
        assert first.min() >= 0.0 and first.max() <= 1.0
        np.testing.assert_allclose(first, again, atol=1e-6)
        as_uint8 = (context * 255).astype("uint8")
        from_uint8 = model.predict_future(as_uint8, horizon=4, num_samples=3, seed=0, verbose=0)
        np.testing.assert_allclose(first, from_uint8, atol=1e-6)
        assert not np.allclose(first, other)

    def test_fit_on_tfds_dict_follows_kl_warmup_and_overfits(self):
        # One fit test (a jit compile is the costly part under JAX): TFDS-style uint8 dict
        # input, the KL warmup schedule, finite metrics, and the loss dropping on two clips.
        model = tiny_model(kl_warmup_steps=4, kl_weight_max=0.5)
        videos = (moving_square_videos() * 255).astype("uint8")
        examples = {"video": videos, "label": np.arange(2)}  # extra TFDS features are ignored
        assert tuple(model(examples)["frames"].shape) == (2, 3, 16, 16, 1)
        model.compile(optimizer=keras.optimizers.Adam(1e-2))
        history = model.fit(examples, batch_size=2, epochs=2, verbose=0).history
        assert int(keras.ops.convert_to_numpy(model.kl_step)) == 2
        np.testing.assert_allclose(history["kl_weight"], [0.0, 0.125], atol=1e-6)
        np.testing.assert_allclose(keras.ops.convert_to_numpy(model.kl_weight), 0.25, atol=1e-6)
        for name in ("loss", "nll", "kl", "elbo"):
            assert np.all(np.isfinite(history[name])), name
        np.testing.assert_allclose(
            history["elbo"], np.add(history["nll"], history["kl"]), rtol=1e-5
        )
        # 16 more steps, two per epoch (fewer epochs: less per-epoch overhead).
        repeated = {key: np.concatenate([value, value]) for key, value in examples.items()}
        losses = model.fit(repeated, batch_size=2, epochs=8, verbose=0).history["loss"]
        np.testing.assert_allclose(keras.ops.convert_to_numpy(model.kl_weight), 0.5, atol=1e-6)
        assert np.all(np.isfinite(losses))
        assert losses[-1] < 0.7 * history["loss"][0], (history["loss"], losses)

    def test_bad_inputs(self):
        model = tiny_model()
        with pytest.raises(ValueError, match="channel"):
            model(np.zeros((1, 5, 16, 16, 3), "float32"))
        with pytest.raises(ValueError, match="frames"):
            model(np.zeros((1, 4, 16, 16, 1), "float32"))
        with pytest.raises(ValueError, match="16x16"):
            model(np.zeros((1, 5, 32, 32, 1), "float32"))
        with pytest.raises(ValueError, match="'video'"):
            model({"frames": np.zeros((1, 5, 16, 16, 1), "float32")})
        with pytest.raises(ValueError, match="context"):
            model.predict_future(np.zeros((1, 1, 16, 16, 1), "float32"), verbose=0)
        with pytest.raises(ValueError, match=r"\[0, 1\]"):
            model.predict_future(np.full((1, 2, 16, 16, 1), 2.0, "float32"), verbose=0)

    def test_bad_config(self):
        with pytest.raises(ValueError, match="4 \\* 2\\*\\*len"):
            tiny_model(image_size=32)
        with pytest.raises(ValueError, match="likelihood"):
            tiny_model(likelihood="laplace")
        with pytest.raises(ValueError, match="z_dim"):
            tiny_model(z_dim=0)
        with pytest.raises(ValueError, match="context_frames"):
            tiny_model(context_frames=0)


class TestSVGLPConfigurations(TestCase):
    def test_32px_rgb(self):
        model = tiny_model(image_size=32, channels=3, encoder_filters=(4, 4, 8))
        videos = np.random.default_rng(0).random((2, 5, 32, 32, 3)).astype("float32")
        assert tuple(model(videos)["frames"].shape) == (2, 3, 32, 32, 3)
        samples = model.generate(videos[:, :2], model.sample_noise(2, 4, seed=0))
        assert tuple(samples.shape) == (2, 4, 32, 32, 3)

    def test_paper_presets(self):
        model = SVGLP.from_preset("svg_lp")
        assert (model.image_size, model.channels, model.z_dim, model.g_dim) == (64, 1, 10, 128)
        assert (model.context_frames, model.future_frames, model.likelihood) == (5, 10, "bernoulli")
        assert model.frame_predictor.num_layers == 2 and model.rnn_size == 256
        bair = SVGLP.from_preset("svg_lp_bair", future_frames=3)
        assert (bair.channels, bair.z_dim, bair.context_frames) == (3, 64, 2)
        np.testing.assert_allclose(bair.kl_weight_max, 1.2288)
        with pytest.raises(ValueError, match="svg_lp_bair"):
            SVGLP.from_preset("svg_lp_kth")


@pytest.mark.large
@pytest.mark.parametrize("target_backend", ["tensorflow", "jax", "torch"])
def test_reloads_on_another_backend(tmp_path, target_backend):
    if target_backend == keras.backend.backend():
        pytest.skip("same backend")
    context = moving_square_videos()[:, :2]
    run_cross_backend_generation_test(tiny_model(), context, 3, target_backend, str(tmp_path))
