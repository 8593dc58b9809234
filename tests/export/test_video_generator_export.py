import keras
import numpy as np
import pytest

from keras_dynscene.export.video_generator_export import export_video_generator
from keras_dynscene.models import CascadedVideoGAN
from tests.models.cvg.tiny_config import TINY_CVG_CONFIG

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="SavedModel export runs on TensorFlow"
)


def test_generate_endpoint_matches_the_model_for_each_length(tmp_path):
    import tensorflow as tf

    model = CascadedVideoGAN(**TINY_CVG_CONFIG)
    model.recompute_batch_norm_statistics(8, passes=2, batch_size=2, seed=0)
    path = export_video_generator(model, tmp_path / "saved_model")
    loaded = tf.saved_model.load(path)
    assert {"serving_default", "generate"} <= set(loaded.signatures)
    noise = np.random.default_rng(0).normal(size=(2, 3, 4)).astype("float32")
    labels = np.array([0, 2, 1], "int32")
    for frames in (4, 8):
        served = loaded.signatures["generate"](
            noise=tf.constant(noise), label=tf.constant(labels), num_frames=tf.constant(frames)
        )["video"].numpy()
        assert served.shape == (3, 2 * frames, 16, 16, 1)
        expected = model.generate(labels=labels, num_frames=frames, noise=list(noise))
        np.testing.assert_allclose(served, keras.ops.convert_to_numpy(expected), atol=1e-5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be one of the exported"):
        loaded.signatures["generate"](
            noise=tf.constant(noise), label=tf.constant(labels), num_frames=tf.constant(6)
        )
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"`label` must lie in \[0, 2\]"):
        loaded.signatures["generate"](
            noise=tf.constant(noise), label=tf.constant([0, 1, 3]), num_frames=tf.constant(4)
        )


def test_unconditional_cascade_has_no_label_input(tmp_path):
    import tensorflow as tf

    model = CascadedVideoGAN(**{**TINY_CVG_CONFIG, "num_classes": 0})
    loaded = tf.saved_model.load(export_video_generator(model, tmp_path / "sm", [4]))
    signature = loaded.signatures["serving_default"]
    assert set(signature.structured_input_signature[1]) == {"noise", "num_frames"}
    video = signature(noise=tf.zeros((2, 1, 4)), num_frames=tf.constant(4))["video"]
    assert video.shape == (1, 8, 16, 16, 1)
