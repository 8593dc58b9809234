import numpy as np
import pytest

from keras_dynscene.evaluation.vim_evaluation import foreground_ari
from keras_dynscene.evaluation.vim_evaluation import trivial_baselines


class MasksFrom:
    """Stands in for a VIM whose inference network returns the given slot masks."""

    def __init__(self, masks):
        self.masks = masks

    def infer(self, videos, batch_size=32):
        return {"masks": self.masks}


def ball_segmentation():
    segmentation = np.zeros((2, 3, 8, 8), "uint8")
    segmentation[:, :, 1:3, 1:3] = 1
    segmentation[:, :, 5:7, 4:7] = 2
    return segmentation


def test_foreground_ari_scores_slot_masks_against_the_objects():
    segmentation = ball_segmentation()
    videos = np.zeros((2, 3, 8, 8, 3), "uint8")
    # Slot 3 explains object 1, slot 0 object 2, and the background is shared evenly.
    masks = np.full((2, 3, 4, 8, 8), 0.25, "float32")
    for slot, object_id in ((3, 1), (0, 2)):
        masks[:, :, :, segmentation[0, 0] == object_id] = 0.0
        masks[:, :, slot, segmentation[0, 0] == object_id] = 1.0
    assert foreground_ari(MasksFrom(masks), videos, segmentation) == pytest.approx(1.0)
    # One slot over both objects: every foreground pair is merged.
    merged = masks.copy()
    merged[:, :, 3, segmentation[0, 0] == 2] = 1.0
    merged[:, :, 0, segmentation[0, 0] == 2] = 0.0
    assert foreground_ari(MasksFrom(merged), videos, segmentation) == pytest.approx(0.0)


def test_trivial_baselines_are_chance_and_the_black_frame():
    actions = np.array([[[0, 1, 1], [1, 2, 3]]], "int8")  # action 1: 3 of 6 transitions
    video = np.zeros((1, 6, 4, 4, 3), "uint8")
    video[:, :, 0, 0, 0] = 255  # one red pixel per frame
    baselines = trivial_baselines({"actions": actions, "video": video})
    assert baselines["same_module_always"]["matching_accuracy"] == pytest.approx(0.5)
    black = baselines["black_frames"]
    assert black["reconstruction_sse_per_frame_5_frames"] == pytest.approx(1.0)
    assert black["reconstruction_mse_5_frames"] == pytest.approx(1.0 / 48)


def test_slot_pretraining_report_of_an_autoencoder():
    from keras_dynscene.data.random_walk import RandomWalk
    from keras_dynscene.evaluation.vim_evaluation import slot_pretraining_report
    from keras_dynscene.models import VIM
    from tests.models.vim.tiny_config import TINY_VIM_CONFIG

    data = RandomWalk(image_size=16, num_balls=2, num_frames=2, radii=(2, 3)).generate(4, seed=0)
    autoencoder = VIM(**TINY_VIM_CONFIG).slot_attention_autoencoder()
    report = slot_pretraining_report(autoencoder, data["video"][:, 0], data["segmentation"][:, 0])
    assert -1.0 <= report["fg_ari"] <= 1.0
    assert len(report["mask_share_per_slot"]) == TINY_VIM_CONFIG["num_slots"]
    assert sum(report["mask_share_per_slot"]) == pytest.approx(1.0, abs=1e-5)
    assert report["sse_per_frame"] > 0.0


def test_slot_pretraining_report_scores_a_perfect_autoencoder():
    from keras_dynscene.evaluation.vim_evaluation import slot_pretraining_report

    segmentation = ball_segmentation()[:, 0]  # [2, 8, 8], objects 1 and 2
    images = np.zeros((2, 8, 8, 3), "uint8")
    images[segmentation == 1] = (255, 0, 0)
    images[segmentation == 2] = (0, 255, 0)
    masks = np.moveaxis(np.eye(3, dtype="float32")[segmentation], -1, 1)  # [2, 3, 8, 8]

    def autoencoder(inputs, training=False):
        video = inputs["video"]
        return {"frames": video[:, 0] / 255.0 + 0.1, "masks": masks}

    report = slot_pretraining_report(autoencoder, images, segmentation)
    assert report["fg_ari"] == pytest.approx(1.0)
    assert report["sse_per_frame"] == pytest.approx(8 * 8 * 3 * 0.01, rel=1e-5)
    assert report["mask_share_per_slot"] == pytest.approx(masks.mean(axis=(0, 2, 3)))
