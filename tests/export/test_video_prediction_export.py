import atexit
import contextlib
import io
import os
import shutil
import tempfile

import keras
import numpy as np
import pytest

from keras_dynscene.export.video_prediction_export import export_video_predictor
from keras_dynscene.models import HierarchicalVRNN
from tests.test_case import TestCase

ON_TENSORFLOW = keras.backend.backend() == "tensorflow"
requires_tensorflow = pytest.mark.skipif(
    not ON_TENSORFLOW, reason="SavedModel export runs on the TensorFlow backend"
)


def tiny_model():
    return HierarchicalVRNN(
        image_size=16,
        channels=1,
        context_frames=2,
        future_frames=3,
        encoder_filters=(4, 8, 8),
        latent_resolutions=(1, 4),
        latent_channels=(4, 4),
        groups=4,
        seed=0,
    )


def reference_noise(model, batch, horizon, seed):
    """The exported endpoints' noise, written out independently of `stateless_noise`."""
    import tensorflow as tf

    seed = tf.constant(seed, dtype=tf.int32)
    return [
        tf.random.stateless_normal(
            shape, seed=tf.random.experimental.stateless_fold_in(seed, level)
        )
        for level, shape in enumerate(model.noise_shapes(batch, horizon))
    ]


TINY_EXPORT = {}


def tiny_export():
    """`(model, SavedModel path)`: the tiny model saved to `.keras` and exported through
    `dynscene export --horizon 4` (horizon != future_frames), once per test session and shared
    by the export and serving tests."""
    if not TINY_EXPORT:
        from keras_dynscene.cli.main import main

        folder = tempfile.mkdtemp(prefix="dynscene_export_test_")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        model = tiny_model()
        model_path = os.path.join(folder, "tiny.keras")
        model.save(model_path)
        out = os.path.join(folder, "saved_model")
        summary = io.StringIO()
        with contextlib.redirect_stdout(summary):
            code = main(["export", "--preset", model_path, "--out", out, "--horizon", "4"])
        assert code == 0, summary.getvalue()
        TINY_EXPORT.update(model=model, path=out, summary=summary.getvalue())
    return TINY_EXPORT["model"], TINY_EXPORT["path"]


@pytest.fixture(scope="module")
def exported():
    if not ON_TENSORFLOW:
        pytest.skip("SavedModel export runs on the TensorFlow backend")
    import tensorflow as tf

    model, path = tiny_export()
    return model, path, tf.saved_model.load(path)


def random_context(batch=2, seed=0):
    return np.random.default_rng(seed).uniform(size=(batch, 2, 16, 16, 1)).astype("float32")


@requires_tensorflow
class TestExportVideoPredictor(TestCase):
    def test_signatures_are_named_and_fully_specified(self, exported):
        _, path, loaded = exported
        assert os.path.isfile(os.path.join(path, "saved_model.pb"))
        assert {"serving_default", "predict", "predict_uint8"} <= set(loaded.signatures)
        for name, context_key, dtype in [
            ("serving_default", "context", "float32"),
            ("predict", "context", "float32"),
            ("predict_uint8", "context_uint8", "uint8"),
        ]:
            fn = loaded.signatures[name]
            inputs = fn.structured_input_signature[1]
            assert sorted(inputs) == sorted([context_key, "seed"])
            assert inputs[context_key].shape.as_list() == [None, 2, 16, 16, 1]
            assert inputs[context_key].dtype.name == dtype
            assert inputs["seed"].shape.as_list() == [2]
            assert inputs["seed"].dtype.name == "int32"
            assert fn.structured_outputs["frames"].shape.as_list() == [None, 4, 16, 16, 1]
            assert fn.structured_outputs["frames"].dtype.name == "float32"

    def test_serving_default_shape_range_and_seeds(self, exported):
        import tensorflow as tf

        _, _, loaded = exported
        serve = loaded.signatures["serving_default"]
        context = tf.constant(random_context())
        first = serve(context=context, seed=tf.constant([1, 2]))["frames"].numpy()
        assert first.shape == (2, 4, 16, 16, 1)
        assert first.dtype == np.float32
        assert np.all(np.isfinite(first)) and first.min() >= 0.0 and first.max() <= 1.0
        again = serve(context=context, seed=tf.constant([1, 2]))["frames"].numpy()
        np.testing.assert_array_equal(first, again)
        other = serve(context=context, seed=tf.constant([7, 2]))["frames"].numpy()
        assert np.abs(other - first).mean() > 1e-4

    def test_matches_generate_with_the_same_noise(self, exported):
        import tensorflow as tf

        model, _, loaded = exported
        context = random_context(batch=3, seed=1)
        frames = loaded.serving_default(tf.constant(context), tf.constant([5, 9]))["frames"]
        expected = model.generate(context, reference_noise(model, 3, 4, [5, 9]))
        self.assert_allclose(frames, expected, atol=1e-5, rtol=1e-5)

    def test_uint8_endpoint_matches_float_endpoint(self, exported):
        import tensorflow as tf

        _, _, loaded = exported
        context_uint8 = np.round(random_context(seed=2) * 255).astype("uint8")
        seed = tf.constant([3, 4])
        from_uint8 = loaded.signatures["predict_uint8"](
            context_uint8=tf.constant(context_uint8), seed=seed
        )["frames"]
        from_float = loaded.signatures["predict"](
            context=tf.constant(context_uint8.astype("float32") / 255.0), seed=seed
        )["frames"]
        # oneDNN may pick other kernels between calls under load: float32 round-off, not 1e-6.
        self.assert_allclose(from_uint8, from_float, atol=1e-5)

    def test_tfsm_layer_calls_the_endpoint(self, exported):
        import tensorflow as tf

        _, path, loaded = exported
        layer = keras.layers.TFSMLayer(path, call_endpoint="serving_default")
        context = random_context(batch=1, seed=3)
        outputs = layer(context, seed=tf.constant([1, 2]))
        assert tuple(outputs["frames"].shape) == (1, 4, 16, 16, 1)
        expected = loaded.signatures["serving_default"](
            context=tf.constant(context), seed=tf.constant([1, 2])
        )["frames"]
        self.assert_allclose(outputs["frames"], expected)

    def test_wrong_frame_count_raises(self, exported):
        import tensorflow as tf

        _, _, loaded = exported
        three_frames = tf.zeros((1, 3, 16, 16, 1))
        # The tf.function refuses to bind a non-matching shape...
        with pytest.raises((TypeError, ValueError), match="context"):
            loaded.serving_default(three_frames, tf.constant([1, 2]))
        # ...and the signature (what TF Serving runs) fails with the endpoint's own message.
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[batch, 2, 16, 16, 1\]"):
            loaded.signatures["serving_default"](context=three_frames, seed=tf.constant([1, 2]))
        with pytest.raises(tf.errors.InvalidArgumentError, match="context_uint8"):
            loaded.signatures["predict_uint8"](
                context_uint8=tf.zeros((1, 1, 16, 16, 1), tf.uint8), seed=tf.constant([1, 2])
            )

    def test_out_of_range_context_raises(self, exported):
        import tensorflow as tf

        _, _, loaded = exported
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[0, 1\]"):
            loaded.signatures["serving_default"](
                context=tf.fill((1, 2, 16, 16, 1), 255.0), seed=tf.constant([1, 2])
            )

    def test_invalid_arguments(self, tmp_path, monkeypatch):
        model = tiny_model()
        with pytest.raises(ValueError, match="horizon"):
            export_video_predictor(model, tmp_path / "a", horizon=0)
        with pytest.raises(ValueError, match="not a video-prediction model"):
            export_video_predictor(keras.layers.Dense(2), tmp_path / "b")
        monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
        with pytest.raises(ValueError, match="KERAS_BACKEND=tensorflow"):
            export_video_predictor(model, tmp_path / "c")

    def test_cli_export_printed_a_summary(self, exported):
        tiny_export()
        summary = TINY_EXPORT["summary"]
        assert "HierarchicalVRNN" in summary
        assert "signature 'serving_default': (context: float32 [None, 2, 16, 16, 1]" in summary
        assert "frames: float32 [None, 4, 16, 16, 1]" in summary
        assert "predict_uint8" in summary


@pytest.mark.backends
@pytest.mark.skipif(ON_TENSORFLOW, reason="checks the error on JAX / PyTorch")
def test_export_on_another_backend_explains_the_fix(tmp_path):
    with pytest.raises(ValueError, match="KERAS_BACKEND=tensorflow"):
        export_video_predictor(tiny_model(), tmp_path / "saved_model")
