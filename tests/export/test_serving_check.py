import json

import keras
import numpy as np
import pytest

from keras_dynscene.export.serving_check import LoopbackPredictionServer
from keras_dynscene.export.serving_check import ServingCheckError
from keras_dynscene.export.serving_check import predict_request
from keras_dynscene.export.serving_check import saved_model_cli_check
from keras_dynscene.export.serving_check import serving_check
from keras_dynscene.export.video_prediction_export import export_video_predictor
from tests.export.test_video_prediction_export import tiny_export

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="serving checks run on TensorFlow"
)


class NoisyLastFrame(keras.Model):
    """A minimal model with the video-prediction interface (duck typing, not HierarchicalVRNN):
    repeats the last context frame, shifted by `scale` times the mean of each step's noise."""

    def __init__(self, scale=0.1, **kwargs):
        super().__init__(**kwargs)
        self.context_frames, self.future_frames, self.image_size, self.channels = 2, 2, 8, 1
        self.scale = self.add_weight(shape=(), initializer="zeros", trainable=False, name="scale")
        self.scale.assign(scale)
        self.built = True

    def noise_shapes(self, batch_size, num_steps):
        return [(batch_size, num_steps, 3)]

    def generate(self, context, noise):
        shift = keras.ops.mean(noise[0], axis=-1)[:, :, None, None, None] * self.scale
        last = context[:, -1:]
        frames = keras.ops.repeat(last, noise[0].shape[1], axis=1) + shift
        return keras.ops.clip(frames, 0.0, 1.0)


@pytest.fixture(scope="module")
def model_dir():
    return tiny_export()[1]


@pytest.fixture(scope="module")
def loaded(model_dir):
    import tensorflow as tf

    return tf.saved_model.load(model_dir)


def test_grpc_predict_round_trip(model_dir):
    context = np.random.default_rng(0).integers(0, 256, size=(2, 2, 16, 16, 1), dtype="uint8")
    result = serving_check(model_dir, context=context, seed=(4, 5))
    assert result["address"].startswith("127.0.0.1:")
    assert result["metadata_signatures"] == ["predict", "predict_uint8", "serving_default"]
    assert result["signatures"]["serving_default"]["inputs"]["context"]["shape"] == [
        None,
        2,
        16,
        16,
        1,
    ]
    assert result["request"]["seed"] == [4, 5]
    assert result["response"]["frames_shape"] == [2, 4, 16, 16, 1]
    assert result["response"]["frames_dtype"] == "float32"
    assert 0.0 <= result["response"]["frames_min"] <= result["response"]["frames_max"] <= 1.0
    for check in [
        "matches_in_process_call",
        "same_seed_same_frames",
        "different_seed_different_frames",
        "uint8_matches_float",
    ]:
        assert result[check] is True, check
    assert result["bad_request_status"] == "INVALID_ARGUMENT"
    assert "[batch, 2, 16, 16, 1]" in result["bad_request_details"]
    json.dumps(result)  # the CLI prints it as JSON


def test_bad_requests_get_clear_statuses(model_dir, loaded):
    import grpc
    import tensorflow as tf
    from tensorflow_serving.apis import prediction_service_pb2_grpc

    zeros = np.zeros((1, 2, 16, 16, 1), "float32")
    seed = np.array([1, 2], "int32")
    cases = [
        (
            predict_request("serving_default", {"context": zeros, "seed": seed}, "other"),
            grpc.StatusCode.NOT_FOUND,
            "other",
        ),
        (
            predict_request("nope", {"context": zeros, "seed": seed}),
            grpc.StatusCode.INVALID_ARGUMENT,
            "nope",
        ),
        (
            predict_request("serving_default", {"context": zeros}),
            grpc.StatusCode.INVALID_ARGUMENT,
            "seed",
        ),
        (
            predict_request("serving_default", {"context": zeros.astype("uint8"), "seed": seed}),
            grpc.StatusCode.INVALID_ARGUMENT,
            "float32",
        ),
    ]
    server = LoopbackPredictionServer(loaded, model_dir, max_lifetime_s=60)
    # The channel's address is read after `server` has entered (started).
    with server, grpc.insecure_channel(server.address) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        for request, code, words in cases:
            with pytest.raises(grpc.RpcError) as info:
                stub.Predict(request, timeout=30)
            assert info.value.code() == code
            assert words in info.value.details()
        # `output_filter` and `predict_uint8` answer like TF Serving.
        request = predict_request(
            "predict_uint8", {"context_uint8": zeros.astype("uint8"), "seed": seed}
        )
        request.output_filter.append("frames")
        response = stub.Predict(request, timeout=30)
        assert list(response.outputs) == ["frames"]
        assert list(tf.make_ndarray(response.outputs["frames"]).shape) == [1, 4, 16, 16, 1]
        assert response.model_spec.signature_name == "predict_uint8"
    assert server._server is None  # stopped on exit


def test_duck_typed_model_and_ignored_noise(tmp_path):
    noisy = export_video_predictor(NoisyLastFrame(0.1), tmp_path / "noisy")
    result = serving_check(noisy)
    assert result["response"]["frames_shape"] == [1, 2, 8, 8, 1]
    assert result["different_seed_different_frames"] is True
    deaf = export_video_predictor(NoisyLastFrame(0.0), tmp_path / "deaf")
    with pytest.raises(ServingCheckError, match="ignores its noise"):
        serving_check(deaf)


def test_missing_model_dir_and_bad_context(tmp_path, model_dir):
    with pytest.raises(FileNotFoundError, match="dynscene export"):
        serving_check(tmp_path / "missing")
    with pytest.raises(ValueError, match=r"\[None, 2, 16, 16, 1\]"):
        serving_check(model_dir, context=np.zeros((1, 5, 16, 16, 1), "float32"))


@pytest.mark.large
def test_saved_model_cli_show_and_run(model_dir, loaded, tmp_path):
    import tensorflow as tf

    result = saved_model_cli_check(model_dir, seed=(1, 2), outdir=tmp_path / "cli")
    assert "signature_def['serving_default']" in result["show"]
    assert "signature_def['predict_uint8']" in result["show"]
    assert "frames" in result["run"]
    assert result["frames_shape"] == [1, 4, 16, 16, 1]
    expected = loaded.signatures["serving_default"](
        context=tf.zeros((1, 2, 16, 16, 1)), seed=tf.constant([1, 2])
    )["frames"].numpy()
    np.testing.assert_allclose(np.load(result["frames_path"]), expected, atol=1e-5)


@pytest.mark.large
def test_cli_serve_check(model_dir, capsys):
    from keras_dynscene.cli.main import main

    assert main(["serve-check", "--model-dir", str(model_dir)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["same_seed_same_frames"] and result["different_seed_different_frames"]
    assert result["response"]["frames_shape"] == [1, 4, 16, 16, 1]
    assert main(["serve-check", "--model-dir", str(model_dir) + "_missing"]) == 2
