import keras
import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from keras_dynscene.metrics import video_power_spectral_density
from keras_dynscene.visualization import plot_kl_heatmap
from keras_dynscene.visualization import plot_metric_per_step
from keras_dynscene.visualization import plot_power_spectral_density


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


def blurring_videos(num_videos=6, num_frames=8, size=32):
    """Smooth noise videos, and copies whose frames get blurrier over time."""
    rng = np.random.default_rng(0)
    truth = ndimage.gaussian_filter(rng.random((num_videos, num_frames, size, size, 1)), 0.7)
    sigmas = np.linspace(0.0, 2.0, num_frames)
    generated = np.stack(
        [ndimage.gaussian_filter(truth[:, t], (0, s, s, 0)) for t, s in enumerate(sigmas)], axis=1
    )
    return truth.astype("float32"), generated.astype("float32")


@pytest.mark.backends
def test_power_spectral_density_plot(tmp_path):
    truth, generated = blurring_videos()
    frames = [0, 3, 7]
    true_psd = video_power_spectral_density(truth, frames)  # tensors of the active backend
    generated_psd = video_power_spectral_density(generated, frames)
    curves = {
        "ground truth": true_psd,
        "generated": (generated_psd["mean"], generated_psd["std"]),
        "mean only": 2.0 * keras.ops.convert_to_numpy(generated_psd["mean"]),
    }
    path = plot_power_spectral_density(
        str(tmp_path / "plots" / "psd.png"), curves, frames, title="Blurring noise"
    )
    width, height = image_size(path)
    assert width > 2.5 * height and height > 300
    # Five frames wrap onto two rows of three panels; the x axis is the bin index here.
    mean = keras.ops.convert_to_numpy(video_power_spectral_density(truth, list(range(5)))["mean"])
    path = plot_power_spectral_density(
        str(tmp_path / "psd5.png"), {"truth": mean}, range(5), max_columns=3
    )
    width, height = image_size(path)
    assert height > 0.5 * width


def test_power_spectral_density_plot_bad_inputs(tmp_path):
    path = str(tmp_path / "bad.png")
    mean = np.ones((2, 8))
    with pytest.raises(ValueError, match="at least one population"):
        plot_power_spectral_density(path, {}, [0, 1])
    with pytest.raises(ValueError, match="at least one frame index"):
        plot_power_spectral_density(path, {"a": mean}, [])
    with pytest.raises(ValueError, match=r"\[2, num_bins >= 2\], received shape \(3, 8\)"):
        plot_power_spectral_density(path, {"a": np.ones((3, 8))}, [0, 1])
    with pytest.raises(ValueError, match=r"std of curves\['a'\] shaped \(2, 8\).*\(2, 7\)"):
        plot_power_spectral_density(path, {"a": (mean, np.ones((2, 7)))}, [0, 1])
    with pytest.raises(ValueError, match="'mean' key, received keys \\['average'\\]"):
        plot_power_spectral_density(path, {"a": {"average": mean}}, [0, 1])
    with pytest.raises(ValueError, match="one shape"):
        plot_power_spectral_density(path, {"a": mean, "b": np.ones((2, 9))}, [0, 1])
    with pytest.raises(ValueError, match=r"frequencies shaped \(8,\).*\(9,\)"):
        plot_power_spectral_density(path, {"a": mean}, [0, 1], frequencies=np.ones(9))
    with pytest.raises(ValueError, match="max_columns to be a positive int"):
        plot_power_spectral_density(path, {"a": mean}, [0, 1], max_columns=0)
