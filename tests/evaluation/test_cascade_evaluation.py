import numpy as np
import pytest
from PIL import Image

from keras_dynscene.evaluation.cascade_evaluation import cascade_report
from keras_dynscene.evaluation.cascade_evaluation import generate_levels
from keras_dynscene.evaluation.cascade_evaluation import grounding_error
from keras_dynscene.evaluation.cascade_evaluation import upsampled_lower_levels
from keras_dynscene.evaluation.cascade_evaluation import window_boundary_jump
from keras_dynscene.metrics.frechet_video_distance import default_i3d_extractor
from keras_dynscene.models import CascadedVideoGAN
from keras_dynscene.visualization.metric_plots import plot_cascade_metrics
from tests.models.cvg.tiny_config import TINY_CVG_CONFIG


def smooth_videos(count=3, frames=16, size=8, seed=0):
    """Sinusoidal stripes drifting at a constant speed: every frame change is alike."""
    phases = np.random.default_rng(seed).uniform(0, 2 * np.pi, (count, 1, 1, 1, 1))
    t = np.arange(frames)[None, :, None, None, None]
    col = np.arange(size)[None, None, None, :, None]
    stripes = 0.5 + 0.5 * np.sin(0.8 * col + 0.3 * t + phases)
    return np.broadcast_to(stripes, (count, frames, size, size, 1)).astype("float32")


def test_an_exact_upsampling_is_grounded_and_noise_is_not():
    lower = np.random.default_rng(0).uniform(size=(2, 4, 8, 8, 1)).astype("float32")
    upsampled = np.repeat(np.repeat(np.repeat(lower, 2, axis=1), 2, axis=2), 2, axis=3)
    np.testing.assert_allclose(grounding_error(upsampled, lower, 2, 2), 0.0, atol=1e-6)
    noise = np.random.default_rng(1).uniform(size=upsampled.shape).astype("float32")
    # Uniform noise vs an independent 2x2-averaged uniform: E|U - mean of 4 U| is about 0.29.
    assert np.all(grounding_error(noise, lower, 2, 2) > 0.2)


def test_independent_windows_jump_at_the_seams_and_coherent_videos_do_not():
    coherent = smooth_videos()
    assert window_boundary_jump(coherent, window=4) < 1.5
    # Each 4-frame window from another video: seams jump between unrelated frames.
    shuffled = coherent.copy()
    shuffled[:, 4:8], shuffled[:, 12:16] = coherent[::-1, 4:8], coherent[::-1, 12:16]
    assert window_boundary_jump(shuffled, window=4) > 2 * window_boundary_jump(coherent, 4)
    with pytest.raises(ValueError, match="at least two windows of 4 frames"):
        window_boundary_jump(coherent[:, :6], window=4)


def test_the_report_measures_every_level_of_a_cascade():
    # 8 first-level frames -> 16 at the last level: two training windows of 8, as I3D needs.
    model = CascadedVideoGAN(**{**TINY_CVG_CONFIG, "num_frames": 16, "window_frames": [4]})
    labels = np.array([0, 1, 2, 0, 1, 2], "int32")
    levels = generate_levels(model, labels, batch_size=4, seed=0)
    assert [level.shape for level in levels] == [(6, 8, 8, 8, 1), (6, 16, 16, 16, 1)]
    real = (smooth_videos(count=6, size=16, seed=1) * 255).astype("uint8")
    extractor = default_i3d_extractor()
    real_logits = extractor(real)["logits"]
    report = cascade_report(model, real_logits, labels, extractor, levels=levels)
    assert report["frames"] == 16 and report["training_window_frames"] == 8
    assert report["fvd"] > 0 and 0 < report["grounding_error"] < 1
    trivial = cascade_report(
        model, real_logits, labels, extractor, levels=upsampled_lower_levels(model, levels)
    )
    assert trivial["grounding_error"] < 1e-6


def test_cascade_metrics_plot(tmp_path):
    results = {
        "model": {"fvd": 120.0, "grounding_error": 0.05, "window_boundary_jump": 1.1},
        "no_md": {"fvd": 300.0, "grounding_error": 0.2, "window_boundary_jump": 2.5},
    }
    path = plot_cascade_metrics(str(tmp_path / "c.png"), results, {"window_boundary_jump": 1.0})
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size[0] > image.size[1] > 200
    with pytest.raises(ValueError, match=r"miss the entries \[\('no_md', 'fvd'\)\]"):
        del results["no_md"]["fvd"]
        plot_cascade_metrics(str(tmp_path / "x.png"), results, {})
