import keras
import numpy as np
import pytest

from keras_dynscene.export.scene_inference_export import export_scene_inference
from keras_dynscene.models.inferno import INFERNO
from keras_dynscene.models.inferno import scene_edits
from keras_dynscene.models.inferno.inferno import SCENE_KEYS
from tests.models.inferno.test_inferno import TINY
from tests.models.inferno.test_inferno import images

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="SavedModel export runs on TensorFlow"
)


@pytest.mark.parametrize("stage", ["upscaler", "full"])
def test_endpoints_match_the_model_and_render_edited_scenes(stage, tmp_path):
    import tensorflow as tf

    model = INFERNO(**{**TINY, "render_stage": stage})
    path = export_scene_inference(model, tmp_path / "1", ray_chunk_size=100)
    loaded = tf.saved_model.load(path)
    assert set(loaded.signatures) == {
        "serving_default",
        "infer_scene",
        "infer_scene_uint8",
        "render_scene",
    }
    batch = images(3)
    served = {
        k: v.numpy()
        for k, v in loaded.signatures["infer_scene_uint8"](image_uint8=tf.constant(batch)).items()
    }
    expected, attention = model.infer_scene(batch, seed=0, return_attention=True)
    for key in SCENE_KEYS:
        np.testing.assert_allclose(served[key], expected[key], atol=1e-5)
    np.testing.assert_allclose(served["attention"], attention, atol=1e-5)
    as_float = loaded.signatures["infer_scene"](image=tf.constant(batch / 255.0, tf.float32))
    np.testing.assert_allclose(as_float["object_pose"].numpy(), served["object_pose"], atol=1e-5)
    # An edited scene with one more object than the model has slots renders the same.
    edited = scene_edits.add_object(expected, scene_edits.remove_objects(expected, [0]), 1)
    rendered = loaded.signatures["render_scene"](
        **{key: tf.constant(edited[key]) for key in SCENE_KEYS}
    )
    reference = model.render_scene(edited)
    for key in ("image", "object_masks", "background_mask"):
        np.testing.assert_allclose(rendered[key].numpy(), reference[key], atol=1e-4)
    assert rendered["object_masks"].shape == (3, 3, 16, 16)


def test_bad_requests_fail_with_the_signature_message(tmp_path):
    import tensorflow as tf

    loaded = tf.saved_model.load(export_scene_inference(INFERNO(**TINY), tmp_path / "1"))
    with pytest.raises(tf.errors.InvalidArgumentError, match="in \\[0, 1\\]"):
        loaded.signatures["infer_scene"](image=tf.fill((1, 16, 16, 3), 255.0))
    with pytest.raises(tf.errors.InvalidArgumentError, match="shape \\[batch, 16, 16, 3\\]"):
        loaded.signatures["infer_scene"](image=tf.zeros((1, 32, 32, 3)))


def test_export_refuses_a_video_predictor(tmp_path):
    from tests.export.test_video_prediction_export import tiny_model

    with pytest.raises(ValueError, match="not a scene inference model"):
        export_scene_inference(tiny_model(), tmp_path / "x")
