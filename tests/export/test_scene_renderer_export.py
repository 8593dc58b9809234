import keras
import numpy as np
import pytest

from keras_dynscene.export.scene_renderer_export import export_scene_renderer
from keras_dynscene.models.jump import GQN
from keras_dynscene.models.jump import JUMP
from tests.models.jump.test_jump import TINY
from tests.models.jump.test_jump import scenes

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="SavedModel export runs on TensorFlow"
)


def request(batch=2, context=2, queries=3):
    data = scenes(batch, context + queries)
    return {
        "context_frames": data["frames"][:, :context],
        "context_views": data["viewpoints"][:, :context],
        "query_views": data["viewpoints"][:, context:],
        "seed": np.array([3, 4], "int32"),
    }


@pytest.mark.parametrize("cls", [JUMP, GQN])
def test_render_endpoints_match_the_model_for_any_counts(cls, tmp_path):
    import tensorflow as tf

    model = cls(**TINY)
    path = export_scene_renderer(model, tmp_path / "saved_model")
    loaded = tf.saved_model.load(path)
    assert {"serving_default", "render", "render_uint8"} <= set(loaded.signatures)
    for batch, context, queries in ((2, 2, 3), (1, 4, 1)):
        inputs = request(batch, context, queries)
        frames = loaded.signatures["serving_default"](**inputs)["frames"].numpy()
        assert frames.shape == (batch, queries, 16, 16, 3)
        noise_batch = model.scene_noise_batch(batch, queries)
        noise = tf.random.stateless_normal(model.latent_noise_shape(noise_batch), seed=[3, 4])
        expected = model.sample_scene(
            *[tf.constant(inputs[k]) for k in ("context_frames", "context_views")],
            tf.ones((batch, context)),
            tf.constant(inputs["query_views"]),
            noise,
        )
        np.testing.assert_allclose(frames, expected.numpy(), atol=1e-5)
    inputs = request()
    as_uint8 = np.round(inputs["context_frames"] * 255).astype("uint8")
    uint8_inputs = {**inputs, "context_frames_uint8": as_uint8}
    del uint8_inputs["context_frames"]
    from_uint8 = loaded.signatures["render_uint8"](**uint8_inputs)["frames"].numpy()
    quantized = {**inputs, "context_frames": as_uint8.astype("float32") / 255.0}
    expected = loaded.signatures["render"](**quantized)["frames"].numpy()
    np.testing.assert_allclose(from_uint8, expected, atol=1e-5)
    other_seed = loaded.signatures["render"](**{**inputs, "seed": np.array([5, 6], "int32")})
    assert np.abs(other_seed["frames"].numpy() - frames_of(loaded, inputs)).max() > 1e-6


def frames_of(loaded, inputs):
    return loaded.signatures["render"](**inputs)["frames"].numpy()


def test_bad_requests_fail_with_the_signature_message_and_grpc_serves_render(tmp_path):
    import grpc
    import tensorflow as tf
    from tensorflow_serving.apis import prediction_service_pb2_grpc

    from keras_dynscene.export.serving_check import LoopbackPredictionServer
    from keras_dynscene.export.serving_check import predict_request

    model = JUMP(**TINY)
    path = export_scene_renderer(model, tmp_path / "saved_model")
    loaded = tf.saved_model.load(path)
    inputs = request()
    with pytest.raises(tf.errors.InvalidArgumentError, match="float frames in \\[0, 1\\]"):
        frames_of(loaded, {**inputs, "context_frames": inputs["context_frames"] * 2})
    with pytest.raises(tf.errors.InvalidArgumentError, match="context_views` must have shape"):
        frames_of(loaded, {**inputs, "context_views": inputs["context_views"][:, :1]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="at least one context frame"):
        frames_of(
            loaded,
            {
                **inputs,
                "context_frames": inputs["context_frames"][:, :0],
                "context_views": inputs["context_views"][:, :0],
            },
        )
    expected = frames_of(loaded, inputs)
    server = LoopbackPredictionServer(loaded, path, max_lifetime_s=60)
    with server, grpc.insecure_channel(server.address) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        response = stub.Predict(predict_request("serving_default", inputs), timeout=30)
        served = tf.make_ndarray(response.outputs["frames"])
        np.testing.assert_allclose(served, expected, atol=1e-6)
        bad = predict_request("render", {**inputs, "query_views": np.zeros((2, 3, 2), "float32")})
        with pytest.raises(grpc.RpcError) as info:
            stub.Predict(bad, timeout=30)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_export_refuses_a_video_predictor(tmp_path):
    from tests.export.test_video_prediction_export import tiny_model

    with pytest.raises(ValueError, match="not a scene model"):
        export_scene_renderer(tiny_model(), tmp_path / "x")


def test_serving_check_serves_a_scene_renderer(tmp_path):
    from keras_dynscene.export.serving_check import serving_check

    path = export_scene_renderer(GQN(**TINY), tmp_path / "1")
    result = serving_check(tmp_path)  # a TF Serving base path resolves to its version folder
    assert result["response"]["frames_shape"] == [1, 3, 16, 16, 3]
    assert result["metadata_signatures"] == ["render", "render_uint8", "serving_default"]
    assert result["matches_in_process_call"] and result["uint8_matches_float"]
    assert result["same_seed_same_frames"] and result["different_seed_different_frames"]
    assert result["bad_request"]["status"] == "INVALID_ARGUMENT"
    assert result["model_dir"] == path
