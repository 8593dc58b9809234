import numpy as np
import pytest

from keras_dynscene.data.random_walk import RandomWalk
from keras_dynscene.evaluation.rule_module_matching import DIRECTION_NAMES
from keras_dynscene.evaluation.rule_module_matching import best_assignment_accuracy
from keras_dynscene.evaluation.rule_module_matching import match_objects_to_slots
from keras_dynscene.evaluation.rule_module_matching import rule_module_matching
from keras_dynscene.models import VIM
from keras_dynscene.visualization.metric_plots import plot_rule_module_matching
from tests.models.vim.tiny_config import TINY_VIM_CONFIG


class OracleVIM:
    """Stands in for a perfectly specialized VIM: slot k+1 sits on object k and selects module
    `permutation[action]`; slot 0 is the background."""

    def __init__(self, data, permutation, num_modules=5):
        self.data, self.permutation, self.num_modules = data, np.asarray(permutation), num_modules

    def infer(self, videos, batch_size=32):
        positions = self.data["positions"].astype("float64")
        background = np.full((*positions.shape[:2], 1, 2), 16.0)
        selections = self.permutation[self.data["actions"]]
        selections = np.concatenate([np.zeros_like(selections[..., :1]), selections], axis=-1)
        return {
            "positions": np.concatenate([background, positions], 2),
            "selections": selections[:, :, None],
        }


@pytest.fixture(scope="module")
def walks():
    return RandomWalk(num_frames=8).generate(6, seed=0)


def test_a_specialized_model_scores_perfect_matching(walks):
    result = rule_module_matching(
        OracleVIM(walks, [3, 0, 4, 1]), walks["video"], walks["actions"], walks["positions"]
    )
    assert result["matching_accuracy"] == 1.0
    assert result["assignment"] == [3, 0, 4, 1]
    np.testing.assert_allclose(result["proportions"][np.arange(4), [3, 0, 4, 1]], 1.0)
    assert result["module_usage"][2] == 0.0
    assert result["num_transitions"] == 6 * 7 * 3
    np.testing.assert_allclose(result["position_error"], 0.0)


def test_a_confused_model_scores_lower(walks):
    oracle = OracleVIM(walks, [0, 0, 1, 1])
    result = rule_module_matching(oracle, walks["video"], walks["actions"], walks["positions"])
    assert 0.4 < result["matching_accuracy"] < 0.6


def test_assignment_and_slot_matching_helpers():
    counts = np.array([[5, 1, 0], [0, 4, 2], [3, 0, 3]])
    accuracy, assignment = best_assignment_accuracy(counts)
    assert assignment == [0, 1, 2] and accuracy == pytest.approx(12 / 18)
    assert best_assignment_accuracy(np.zeros((4, 5), "int64"))[0] == 0.0
    # One monolithic module explains only its best action one-to-one, not every action.
    monolithic = np.array([[5], [3], [2], [10]])
    accuracy, assignment = best_assignment_accuracy(monolithic)
    assert assignment == [-1, -1, -1, 0] and accuracy == pytest.approx(10 / 20)
    accuracy, assignment = best_assignment_accuracy(np.array([[4, 0], [1, 5], [3, 3]]))
    assert assignment == [0, 1, -1] and accuracy == pytest.approx(9 / 16)
    slots = np.array([[[0, 0], [10, 10], [20, 0]]])
    objects = np.array([[[19, 1], [9, 9]]])
    np.testing.assert_array_equal(match_objects_to_slots(slots, objects), [[2, 1]])


def test_runs_on_a_real_model_and_checks_shapes(walks):
    model = VIM(**{**TINY_VIM_CONFIG, "image_size": 32})
    result = rule_module_matching(model, walks["video"], walks["actions"], walks["positions"])
    assert result["counts"].shape == (4, 3) and result["counts"].sum() == 6 * 7 * 3
    assert result["position_error"].shape == (8,)
    with pytest.raises(ValueError, match="expected actions shaped \\[B, 7, O\\]"):
        rule_module_matching(model, walks["video"], walks["actions"][:, :3], walks["positions"])


def test_plot(tmp_path):
    proportions = np.eye(4, 5)
    path = plot_rule_module_matching(
        str(tmp_path / "m.png"), proportions, DIRECTION_NAMES, "acc 1.0"
    )
    assert (tmp_path / "m.png").stat().st_size > 1000 and path.endswith("m.png")
    with pytest.raises(ValueError, match="one row per action name"):
        plot_rule_module_matching(str(tmp_path / "x.png"), proportions[:3], DIRECTION_NAMES)
