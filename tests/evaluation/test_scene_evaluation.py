import numpy as np
import pytest

from keras_dynscene.evaluation.scene_evaluation import consistency_kl
from keras_dynscene.evaluation.scene_evaluation import copy_nearest_context_frame
from keras_dynscene.evaluation.scene_evaluation import evaluate_scene_model
from keras_dynscene.evaluation.scene_evaluation import min_mse_of_samples
from keras_dynscene.evaluation.scene_evaluation import scene_task
from keras_dynscene.models.jump import GQN
from keras_dynscene.models.jump import JUMP
from tests.models.jump.test_jump import TINY
from tests.models.jump.test_jump import scenes


def test_scene_tasks_on_a_21_frame_narrative():
    assert scene_task("forward", 21, 5) == ([0, 1, 2, 3, 4], list(range(5, 21)))
    assert scene_task("backward", 21, 5) == ([16, 17, 18, 19, 20], list(range(16)))
    assert scene_task("jumpy", 21, 5) == ([0, 1, 2], [10, 15, 20])
    assert scene_task("jumpy", 4, 2) == ([0, 1], [2, 3])
    with pytest.raises(ValueError, match="1 <= context frames < scene frames \\(21\\)"):
        scene_task("forward", 21, 21)
    with pytest.raises(ValueError, match="Unknown scene task 'sideways'"):
        scene_task("sideways", 21, 5)


def test_copy_nearest_context_frame_copies_by_viewpoint_distance():
    frames = np.arange(4, dtype="uint8")[None, :, None, None, None] * np.ones((1, 1, 2, 2, 1))
    frames = frames.astype("uint8")
    views = np.array([[[0.0], [0.4], [0.6], [1.0]]], "float32")
    copied = copy_nearest_context_frame(frames[:, [0, 3]], views[:, [0, 3]], views[:, [1, 2]])
    assert copied.shape == (1, 1, 2, 2, 2, 1)
    np.testing.assert_allclose(copied[0, 0, :, 0, 0, 0], np.array([0, 3]) / 255.0)


def test_min_mse_keeps_the_best_sampled_set_per_scene():
    rng = np.random.default_rng(0)
    frames = rng.random((3, 5, 4, 4, 1)).astype("float32")
    views = np.tile(np.linspace(0, 1, 5, dtype="float32")[None, :, None], (3, 1, 1))
    context, queries = [0, 1], [2, 3, 4]
    offsets = np.array([0.3, 0.1, 0.2], "float32")  # sample 1 is closest to the truth

    def sampler(context_frames, context_views, query_views, num_samples, seed):
        scene = [int(np.argmin(np.abs(frames[:, 0] - c[0]).sum((1, 2, 3)))) for c in context_frames]
        truth = frames[scene][:, queries]
        return np.stack([truth + offsets[s] for s in range(num_samples)], axis=1)

    result = min_mse_of_samples(sampler, frames, views, context, queries, 3, batch_size=2)
    np.testing.assert_allclose(result["per_scene"], [0.01] * 3, rtol=1e-5)
    np.testing.assert_allclose(result["per_step"], [0.01] * 3, rtol=1e-5)
    assert result["mean"] == pytest.approx(0.01, rel=1e-5)


def test_consistency_gqn_pays_three_times_for_duplicates_and_jump_does_not():
    data = scenes(2, 6)
    three = {**TINY, "max_targets": 3}
    gqn = consistency_kl(GQN(**three), data["frames"], data["viewpoints"], 2, 5)
    assert gqn["duplicate"]["ratio"] == pytest.approx(3.0, rel=1e-4)
    jump = consistency_kl(JUMP(**three), data["frames"], data["viewpoints"], 2, 5)
    assert set(jump) == {"duplicate", "adjacent"}
    for values in jump.values():
        assert np.isfinite([values["kl_1"], values["kl_3"], values["std_difference"]]).all()
    with pytest.raises(ValueError, match="num_context <= target - 2"):
        consistency_kl(GQN(**three), data["frames"], data["viewpoints"], 4, 5)


def test_posterior_kl_refuses_more_targets_than_the_maximum():
    data = scenes(1, 5)
    model = JUMP(**TINY)  # max_targets 2
    context = np.array([[1, 1, 0, 0, 0]], "float32")
    with pytest.raises(ValueError, match="at most max_targets=2 target frames.*\\[3\\]"):
        model.posterior_kl(data["frames"], data["viewpoints"], context, 1 - context)


def test_evaluate_scene_model_reports_every_task_and_method():
    data = scenes(2, 6)
    report = evaluate_scene_model(
        {"model": JUMP(**{**TINY, "max_targets": 3})},
        data["frames"],
        data["viewpoints"],
        num_context=2,
        num_samples=2,
        consistency=True,
    )
    assert set(report["min_mse"]) == {"forward", "backward", "jumpy"}
    for results in report["min_mse"].values():
        assert set(results) == {"model", "copy_nearest_context_frame"}
        assert all(np.isfinite(r["mean"]) and r["mean"] >= 0 for r in results.values())
    assert report["tasks"]["backward"] == {"context": [4, 5], "queries": [0, 1, 2, 3]}
    assert set(report["consistency"]["model"]) == {"duplicate", "adjacent"}
