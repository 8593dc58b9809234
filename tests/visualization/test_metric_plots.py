import numpy as np
import pytest
from PIL import Image

from keras_dynscene.visualization import plot_kl_heatmap
from keras_dynscene.visualization import plot_metric_per_step


def image_size(path):
    with Image.open(path) as image:
        assert image.format == "PNG"
        return image.size


def test_metric_per_step_plot(tmp_path):
    steps = np.arange(10)
    path = plot_metric_per_step(
        str(tmp_path / "plots" / "ssim.png"),
        {"model": 0.9 - 0.01 * steps, "copy last frame": 0.8 - 0.03 * steps},
        ylabel="SSIM",
        title="SM-MNIST",
        std={"model": np.full(10, 0.02)},
        first_step=6,
    )
    width, height = image_size(path)
    assert 500 < width < 1000 and 350 < height < 700


def test_kl_heatmap(tmp_path):
    rng = np.random.default_rng(0)
    levels = {"1x1": rng.gamma(1, 0.08, 32), "8x8": rng.gamma(0.5, 0.05, 64), "32x32": [0.2] * 4}
    path = plot_kl_heatmap(str(tmp_path / "kl.png"), levels, title="1-8-32")
    width, height = image_size(path)
    assert width > height > 200


def test_bad_inputs(tmp_path):
    path = str(tmp_path / "bad.png")
    with pytest.raises(ValueError, match="one length"):
        plot_metric_per_step(path, {"a": np.ones(5), "b": np.ones(4)}, "SSIM", "t")
    with pytest.raises(ValueError, match="unknown keys"):
        plot_metric_per_step(path, {"a": np.ones(5)}, "SSIM", "t", std={"b": np.ones(5)})
    with pytest.raises(ValueError, match="1-D"):
        plot_metric_per_step(path, {"a": np.ones((2, 5))}, "SSIM", "t")
    with pytest.raises(ValueError, match="active_threshold < max_value"):
        plot_kl_heatmap(path, {"top": np.ones(4)}, active_threshold=0.2)
    with pytest.raises(ValueError, match="non-finite"):
        plot_kl_heatmap(path, {"top": np.array([0.1, np.nan])})
