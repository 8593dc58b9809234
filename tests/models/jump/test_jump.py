import keras
import numpy as np
import pytest

from keras_dynscene.models.jump import GQN
from keras_dynscene.models.jump import JUMP
from keras_dynscene.models.jump import LinearPixelVariance
from keras_dynscene.models.jump import PiecewisePixelVariance
from tests.test_case import TestCase

TINY = {
    "image_size": 16,
    "channels": 3,
    "viewpoint_size": 1,
    "max_context": 3,
    "max_targets": 2,
    "num_draw_steps": 2,
    "nf_to_hidden": 8,
    "nf_enc": 8,
    "nf_to_obs": 8,
    "nf_dec": 8,
    "nf_z": 2,
    "pixel_variance": LinearPixelVariance(2.0, 0.5, 10),
    "seed": 0,
}


def scenes(batch=2, frames=5, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "frames": rng.random((batch, frames, 16, 16, 3)).astype("float32"),
        "viewpoints": np.tile(
            np.linspace(0, 1, frames, dtype="float32")[None, :, None], (batch, 1, 1)
        ),
    }


@pytest.mark.backends
class TestJUMP(TestCase):
    def test_forward_shapes_kl_and_random_splits(self):
        model = JUMP(**TINY)
        outputs = model(scenes(), training=True)
        assert tuple(outputs["frames"].shape) == (2, 2, 16, 16, 3)
        assert tuple(outputs["targets"].shape) == (2, 2, 16, 16, 3)
        assert tuple(outputs["kl"].shape) == (2,)
        assert np.all(keras.ops.convert_to_numpy(outputs["kl"]) >= -1e-5)
        context = keras.ops.convert_to_numpy(outputs["context_mask"])
        valid = keras.ops.convert_to_numpy(outputs["target_valid"])
        assert np.all((context.sum(1) >= 1) & (context.sum(1) <= 3))
        assert np.all((valid.sum(1) >= 1) & (valid.sum(1) <= 2))
        # Counts vary per example: every context size 1..3 and target size 1..2 is drawn.
        context_mask, target_mask = model.random_split(256, 5)
        counts = keras.ops.convert_to_numpy(keras.ops.sum(context_mask, axis=1))
        targets = keras.ops.convert_to_numpy(keras.ops.sum(target_mask, axis=1))
        assert set(counts.tolist()) == {1.0, 2.0, 3.0} and set(targets.tolist()) == {1.0, 2.0}
        overlap = keras.ops.convert_to_numpy(context_mask * target_mask)
        assert overlap.max() == 0.0
        frames = keras.ops.convert_to_numpy(outputs["frames"])
        assert frames.min() >= 0.0 and frames.max() <= 1.0

    def test_fit_reduces_the_loss_on_tfds_style_uint8_dicts(self):
        model = JUMP(**TINY)
        model.compile(optimizer=keras.optimizers.Adam(3e-3))
        data = scenes(4)
        data = {"video": (data["frames"] * 255).astype("uint8"), "viewpoints": data["viewpoints"]}
        history = model.fit(data, batch_size=2, epochs=4, verbose=0).history
        assert {"nll", "kl", "elbo", "pixel_variance"} <= set(history)
        assert history["loss"][-1] < history["loss"][0]
        assert int(keras.ops.convert_to_numpy(model.kl_step)) == 8

    def test_render_shapes_and_seeded_determinism(self):
        model = JUMP(**TINY)
        data = scenes()
        args = (data["frames"][:, :2], data["viewpoints"][:, :2], data["viewpoints"][:, 2:])
        first = model.render(*args, num_samples=3, seed=1)
        again = model.render(*args, num_samples=3, seed=1)
        other = model.render(*args, num_samples=3, seed=2)
        assert first.shape == (2, 3, 3, 16, 16, 3) and first.dtype == np.float32
        np.testing.assert_allclose(first, again, atol=1e-6)
        assert np.abs(first - other).max() > 1e-6

    def test_jump_samples_are_consistent_across_queries_and_gqn_samples_are_not(self):
        data = scenes()
        context = (data["frames"][:, :2], data["viewpoints"][:, :2])
        query_a = data["viewpoints"][:, 2:3]
        query_ab = np.concatenate([query_a, data["viewpoints"][:, 3:5], query_a], axis=1)
        jump = JUMP(**TINY)
        a = jump.render(*context, query_a, num_samples=2, seed=3)
        ab = jump.render(*context, query_ab, num_samples=2, seed=3)
        np.testing.assert_allclose(ab[:, :, :1], a, atol=1e-6)
        np.testing.assert_allclose(ab[:, :, 3], ab[:, :, 0], atol=1e-6)  # same z, same query
        gqn = GQN(**TINY)
        frames = gqn.render(*context, query_ab, num_samples=2, seed=3)
        assert np.abs(frames[:, :, 3] - frames[:, :, 0]).max() > 1e-6  # independent latents

    def test_masked_padding_frames_change_nothing(self):
        model = JUMP(**TINY)
        data = scenes()
        frames, views = data["frames"][:, :2], data["viewpoints"][:, :2]
        queries = data["viewpoints"][:, 2:]
        expected = model.render(frames, views, queries, seed=0)
        padded_frames = np.concatenate([frames, data["frames"][:, 4:]], axis=1)
        padded_views = np.concatenate([views, np.full((2, 1, 1), 7.0, "float32")], axis=1)
        mask = np.array([[1, 1, 0], [1, 1, 0]], "float32")
        padded = model.render(padded_frames, padded_views, queries, seed=0, context_mask=mask)
        np.testing.assert_allclose(padded, expected, atol=1e-5)
        # Variable context counts in one batch: scene 0 sees 1 frame, scene 1 sees 2.
        mixed = model.render(frames, views, queries, seed=0, context_mask=[[1, 0], [1, 1]])
        single = model.render(frames[:1, :1], views[:1, :1], queries[:1], seed=0)
        np.testing.assert_allclose(mixed[1], expected[1], atol=1e-5)
        assert not np.allclose(mixed[0], expected[0], atol=1e-5)
        assert single.shape == (1, 1, 3, 16, 16, 3)

    def test_explicit_masks_and_permutation_invariance_of_the_context(self):
        model = JUMP(**TINY)
        data = scenes(1)
        inputs = {
            **data,
            "context_mask": np.array([[1, 1, 1, 0, 0]], "float32"),
            "target_mask": np.array([[0, 0, 0, 1, 1]], "float32"),
        }
        permutation = [2, 0, 1, 3, 4]
        permuted = {key: value[:, permutation] for key, value in inputs.items()}
        first = model.scene_pass(
            *[
                keras.ops.convert_to_tensor(inputs[k])
                for k in ("frames", "viewpoints", "context_mask", "target_mask")
            ],
            sample=False,
        )
        second = model.scene_pass(
            *[
                keras.ops.convert_to_tensor(permuted[k])
                for k in ("frames", "viewpoints", "context_mask", "target_mask")
            ],
            sample=False,
        )
        self.assert_allclose(first["frames"], second["frames"], atol=1e-5, rtol=1e-4)
        self.assert_allclose(first["kl"], second["kl"], atol=1e-4, rtol=1e-4)
        outputs = model(inputs, training=False)
        self.assert_allclose(outputs["targets"], data["frames"][:, 3:])

    def test_gqn_has_per_target_latents(self):
        model = GQN(**TINY)
        assert model.per_target_latents
        outputs = model(scenes(), training=True)
        assert tuple(outputs["frames"].shape) == (2, 2, 16, 16, 3)
        assert np.all(keras.ops.convert_to_numpy(outputs["kl"]) >= -1e-5)

    def test_serialization_and_keras_file_round_trip(self):
        for cls in (JUMP, GQN):
            model = cls(**TINY)
            self.run_serialization_test(model)
            data = scenes(1)
            args = (data["frames"][:, :2], data["viewpoints"][:, :2], data["viewpoints"][:, 2:])
            self.run_model_saving_test(
                model, args, call=lambda m, x: m.render(*x, seed=0), atol=1e-5
            )

    def test_errors_name_expected_and_received_values(self):
        model = JUMP(**TINY)
        data = scenes()
        with pytest.raises(ValueError, match="expected inputs frames shaped .*16, 16, 3"):
            model(
                {"frames": np.zeros((1, 3, 8, 8, 3), "float32"), "viewpoints": np.zeros((1, 3, 1))}
            )
        with pytest.raises(ValueError, match="viewpoints shaped \\[batch, 5, 1\\]"):
            model({"frames": data["frames"], "viewpoints": data["viewpoints"][:, :4]})
        with pytest.raises(ValueError, match="received keys"):
            model({"frames": data["frames"]})
        with pytest.raises(ValueError, match="at least one context frame"):
            model.render(data["frames"][:, :0], data["viewpoints"][:, :0], data["viewpoints"])
        with pytest.raises(ValueError, match="at least one context frame"):
            model.render(
                data["frames"][:, :2],
                data["viewpoints"][:, :2],
                data["viewpoints"],
                context_mask=[[1, 0], [0, 0]],
            )
        with pytest.raises(ValueError, match="expected query_views shaped \\[2, queries, 1\\]"):
            model.render(data["frames"][:, :2], data["viewpoints"][:, :2], np.zeros((2, 3)))
        with pytest.raises(ValueError, match="positive int nf_z, received 0"):
            JUMP(**{**TINY, "nf_z": 0})
        with pytest.raises(ValueError, match="divisible by 4"):
            JUMP(**{**TINY, "image_size": 18})
        with pytest.raises(ValueError, match="stride_to_hidden == stride_to_obs"):
            JUMP(**{**TINY, "stride_to_hidden": 1})


@pytest.mark.backends
def test_pixel_variance_schedules():
    linear = LinearPixelVariance(2.0, 0.5, 100_000)
    values = [float(keras.ops.convert_to_numpy(linear(s))) for s in (0, 50_000, 100_000, 200_000)]
    np.testing.assert_allclose(values, [2.0, 1.25, 0.5, 0.5], rtol=1e-6)
    piecewise = PiecewisePixelVariance()
    steps = (0, 99_999, 100_000, 149_999, 150_000, 199_999, 200_000, 10**6)
    values = [float(keras.ops.convert_to_numpy(piecewise(s))) for s in steps]
    np.testing.assert_allclose(values, [2.0, 2.0, 0.2, 0.2, 0.4, 0.4, 0.9, 0.9], rtol=1e-6)
    revived = PiecewisePixelVariance.from_config(piecewise.get_config())
    assert revived.get_config() == piecewise.get_config()
    with pytest.raises(ValueError, match="len\\(values\\) == len\\(boundaries\\) \\+ 1"):
        PiecewisePixelVariance([1, 2], [1.0])
    model = JUMP(**TINY)
    model.kl_step.assign(5)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model.pixel_variance), 1.25, rtol=1e-6)
    constant = JUMP(**{**TINY, "pixel_variance": 0.3})
    np.testing.assert_allclose(keras.ops.convert_to_numpy(constant.pixel_variance), 0.3, rtol=1e-6)


def test_presets_build():
    cpu = JUMP.from_preset("jump_narratives_cpu")
    assert cpu.image_size == 32 and cpu.num_draw_steps == 2
    assert isinstance(cpu.pixel_variance_schedule, LinearPixelVariance)
    gqn = GQN.from_preset("gqn_narratives_cpu")
    assert gqn.per_target_latents
    paper = JUMP.architecture_presets["jump_narratives"]
    assert (paper["num_draw_steps"], paper["nf_to_hidden"], paper["nf_enc"]) == (4, 64, 128)
    assert (paper["nf_to_obs"], paper["nf_dec"], paper["nf_z"]) == (128, 64, 3)
    cube = JUMP.architecture_presets["jump_mnist_cube"]
    assert cube["pixel_variance"]["class_name"] == "PiecewisePixelVariance"


RENDER_ON_BACKEND = """
import json, sys, numpy as np, keras
import keras_dynscene.models.jump  # registers JUMP / GQN
data = np.load(sys.argv[2])
model = keras.saving.load_model(sys.argv[1])
arrays = [keras.ops.convert_to_tensor(data[k]) for k in ("frames", "views", "context", "target")]
frames = keras.ops.convert_to_numpy(model.scene_pass(*arrays, sample=False)["frames"])
print(json.dumps({"backend": keras.backend.backend(),
                  "max_error": float(np.abs(frames - data["expected"]).max())}))
"""


@pytest.mark.large
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_reloads_and_renders_identically_on_another_backend(backend, tmp_path):
    """The posterior-mean reconstruction (no random draws, which differ between backends)
    matches after a `.keras` reload under another backend."""
    import json
    import os
    import subprocess
    import sys

    model = JUMP(**TINY)
    data = {
        **scenes(),
        "context": np.array([[1, 1, 0, 0, 0], [1, 0, 1, 0, 0]], "float32"),
        "target": np.array([[0, 0, 1, 1, 0], [0, 1, 0, 0, 1]], "float32"),
    }
    data["views"] = data.pop("viewpoints")
    arrays = [
        keras.ops.convert_to_tensor(data[k]) for k in ("frames", "views", "context", "target")
    ]
    expected = keras.ops.convert_to_numpy(model.scene_pass(*arrays, sample=False)["frames"])
    model.save(tmp_path / "model.keras")
    np.savez(tmp_path / "data.npz", expected=expected, **data)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            RENDER_ON_BACKEND,
            str(tmp_path / "model.keras"),
            str(tmp_path / "data.npz"),
        ],
        env={**os.environ, "KERAS_BACKEND": backend},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["backend"] == backend
    assert report["max_error"] < 1e-4


@pytest.mark.backends
def test_shipped_preset_predicts_narratives_better_than_copying():
    from keras_dynscene.data.narratives import Narratives
    from keras_dynscene.evaluation.scene_evaluation import copy_nearest_context_frame

    model = JUMP.from_preset("jump_traveling_salesman")
    assert (model.image_size, model.max_context, model.max_targets) == (32, 5, 4)
    scene = Narratives("traveling_salesman", image_size=32).generate(8, seed=123)
    frames, views = scene["video"], scene["viewpoints"]
    rendered = model.render(frames[:, :5], views[:, :5], views[:, 5:], num_samples=4, seed=0)
    assert rendered.shape == (8, 4, 16, 32, 32, 3)
    truth = frames[:, None, 5:].astype("float32") / 255.0
    best = np.square(rendered - truth).mean(axis=(2, 3, 4, 5)).min(axis=1).mean()
    copied = copy_nearest_context_frame(frames[:, :5], views[:, :5], views[:, 5:])
    assert best < np.square(copied - truth).mean()
