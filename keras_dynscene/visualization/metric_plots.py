"""Plots of evaluation results: metric curves over time, KL heatmaps and power spectra."""

import os

import keras
import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from matplotlib.ticker import LogLocator
from matplotlib.ticker import MaxNLocator
from matplotlib.ticker import NullFormatter


def curve_array(values, name: str) -> np.ndarray:
    """A finite 1-D float array from `values`, or a ValueError naming `name`."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(
            f"Expected {name} to be a non-empty 1-D array, received shape {array.shape}. "
            "Average over the batch first, e.g. per_step.mean(axis=0)."
        )
    return array


def saved_figure(figure: Figure, path: str) -> str:
    """Renders `figure` with the Agg canvas (no display or pyplot state) and writes it to `path`."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    FigureCanvasAgg(figure)
    figure.savefig(path, dpi=120, bbox_inches="tight")
    return path


def plot_metric_per_step(
    path: str,
    curves: dict,
    ylabel: str,
    title: str,
    std: dict | None = None,
    first_step: int = 1,
    xlabel: str = "Time step",
    steps=None,
) -> str:
    """Line plot of a metric per predicted time step, one line per method.

    Args:
        path: the image file to write (PNG, or any format matplotlib infers from the suffix).
        curves: method name -> metric per time step `[T]`, e.g.
            `{"model": ssim_per_step, "copy last frame": baseline_per_step}`; all of one length.
        ylabel: the metric's axis label, e.g. `"SSIM (best of 100)"`.
        title: the plot title.
        std: optional method name -> standard deviation per step `[T]`, drawn as a band of
            +/- one standard deviation around that method's line.
        first_step: the time index of the first value, e.g. the number of context frames + 1.
        xlabel: the time axis label.
        steps: optional time index of every value (for non-consecutive steps, e.g. the query
            frames of a jumpy prediction); replaces `first_step`.

    Returns:
        `path`.

    Example:
    ```python
    plot_metric_per_step("/tmp/ssim.png", {"model": model_ssim, "copy last": copy_ssim},
                         ylabel="SSIM", title="SM-MNIST", std={"model": model_ssim_std},
                         first_step=6)
    ```
    """
    if not curves:
        raise ValueError("plot_metric_per_step: expected at least one curve, received none.")
    arrays = {name: curve_array(values, f"curves[{name!r}]") for name, values in curves.items()}
    lengths = {name: len(values) for name, values in arrays.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(
            f"plot_metric_per_step: expected curves of one length, received lengths {lengths}. "
            "Evaluate every method on the same number of predicted frames."
        )
    std = std or {}
    unknown = sorted(set(std) - set(arrays))
    if unknown:
        raise ValueError(
            f"plot_metric_per_step: expected std keys among the curve names {list(arrays)}, "
            f"received unknown keys {unknown}."
        )
    length = next(iter(lengths.values()))
    if steps is None:
        steps = np.arange(first_step, first_step + length)
    elif len(steps) != length:
        raise ValueError(
            f"plot_metric_per_step: expected {length} steps (one per value), received {len(steps)}."
        )
    figure = Figure(figsize=(6.0, 4.0))
    axes = figure.subplots()
    for name, values in arrays.items():
        (line,) = axes.plot(steps, values, marker="o", markersize=3, label=name)
        if name in std:
            spread = curve_array(std[name], f"std[{name!r}]")
            if spread.shape != values.shape:
                raise ValueError(
                    f"plot_metric_per_step: expected std[{name!r}] shaped {values.shape} like its "
                    f"curve, received {spread.shape}."
                )
            axes.fill_between(
                steps, values - spread, values + spread, color=line.get_color(), alpha=0.2
            )
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend()
    return saved_figure(figure, path)


def plot_kl_heatmap(
    path: str,
    kl_per_channel: dict,
    active_threshold: float = 0.01,
    max_value: float = 0.15,
    title: str | None = None,
) -> str:
    """Heatmap of the average normalized KL per latent channel, one row per latent level.

    Reproduces figure 4.4 of the thesis (Castrejon, 2022): the KL between posterior and prior,
    averaged over test sequences, time and latent positions, for each channel of each level. A
    channel is active when its KL exceeds `active_threshold` (0.01, Maaloe et al., 2019); the
    colour scale saturates at `max_value` (0.15), the KL of a maximally active channel. Levels
    with fewer channels leave their extra cells blank. The title gives the active channels per
    level.

    Args:
        path: the image file to write.
        kl_per_channel: level name -> average KL per channel `[C_level]`, in display order (e.g.
            `{"1x1": kl_top, "8x8": kl_mid, "32x32": kl_bottom}`).
        active_threshold: KL above which a channel counts as active.
        max_value: KL at which the colour scale saturates; larger values are clipped.
        title: optional first title line, e.g. the model's name.

    Returns:
        `path`.

    Example:
    ```python
    plot_kl_heatmap("/tmp/kl.png", {"1x1": kl_1, "8x8": kl_8, "32x32": kl_32}, title="1-8-32")
    ```
    """
    if not kl_per_channel:
        raise ValueError("plot_kl_heatmap: expected at least one latent level, received none.")
    if not 0 < active_threshold < max_value:
        raise ValueError(
            "plot_kl_heatmap: expected 0 < active_threshold < max_value, received "
            f"active_threshold={active_threshold}, max_value={max_value}. The thesis uses "
            "0.01 and 0.15."
        )
    levels = {
        name: curve_array(values, f"kl_per_channel[{name!r}]")
        for name, values in kl_per_channel.items()
    }
    for name, values in levels.items():
        if not np.all(np.isfinite(values)):
            raise ValueError(
                f"plot_kl_heatmap: expected finite KL values, received non-finite values in "
                f"level {name!r}. Check the KL averaging for NaN or inf."
            )
    width = max(len(values) for values in levels.values())
    table = np.full((len(levels), width), np.nan)
    for row, values in enumerate(levels.values()):
        table[row, : len(values)] = np.clip(values, 0.0, max_value)
    active = [
        f"{name}: {int(np.sum(values > active_threshold))}/{len(values)}"
        for name, values in levels.items()
    ]
    figure = Figure(figsize=(min(max(4.0, 0.15 * width + 2.5), 18.0), 0.5 * len(levels) + 1.8))
    axes = figure.subplots()
    image = axes.imshow(
        np.ma.masked_invalid(table),
        cmap=matplotlib.colormaps["viridis"].with_extremes(bad="white"),
        vmin=0.0,
        vmax=max_value,
        aspect="auto",
        interpolation="nearest",
    )
    axes.set_yticks(range(len(levels)), labels=list(levels))
    axes.set_xlabel("Latent channel")
    axes.set_ylabel("Level")
    header = f"{title}\n" if title else ""
    axes.set_title(f"{header}Active units (KL > {active_threshold:g}): " + ", ".join(active))
    colorbar = figure.colorbar(image, ax=axes)
    colorbar.set_label(f"Average normalized KL (clipped at {max_value:g})")
    return saved_figure(figure, path)


def psd_array(values) -> np.ndarray:
    """A float64 numpy array from numpy input or a tensor of any Keras backend."""
    values = keras.ops.convert_to_numpy(values) if keras.ops.is_tensor(values) else values
    return np.asarray(values, dtype=np.float64)


def plot_power_spectral_density(
    path: str,
    curves: dict,
    frame_indices,
    frequencies=None,
    title: str | None = None,
    max_columns: int = 4,
) -> str:
    """Log-log radially averaged power spectra per frame index, one panel per frame.

    Reproduces figure 6.7 of the thesis (after Ayzel et al., 2020): for each selected frame
    index, the mean power spectral density of several populations of videos (e.g. the ground
    truth and the generations of a model) against spatial frequency, with a shaded band of +/-
    one standard deviation across videos. Generations that get blurrier over time fall below the
    ground truth at high frequencies in the later panels. The panels share both axes. The zero
    frequency (bin 0) cannot be drawn on a log axis and is left out; where the standard deviation
    exceeds the mean, the band's lower edge is drawn at a tenth of the mean.

    Args:
        path: the image file to write (PNG, or any format matplotlib infers from the suffix).
        curves: population name -> its PSD per selected frame, `[len(frame_indices), num_bins]`:
            a `(mean, std)` pair, a bare mean (no band), or the dict returned by
            `video_power_spectral_density` (keys `"mean"`, `"std"`, `"frequencies"`). All
            populations have the same shape; numpy arrays or tensors of any backend.
        frame_indices: the frame index of each row of the curves, used as panel titles.
        frequencies: the frequency of each bin `[num_bins]` in cycles per pixel (as returned by
            `power_spectral_density`). If None, taken from a curve given as a dict with
            `"frequencies"`, else the bin index (the integer wavenumber) is used.
        title: optional title above the panels, e.g. the dataset's name.
        max_columns: panels per row; more frame indices wrap to further rows.

    Returns:
        `path`.

    Example:
    ```python
    truth = video_power_spectral_density(true_videos, [0, 9, 29])
    generated = video_power_spectral_density(generated_videos, [0, 9, 29])
    plot_power_spectral_density("/tmp/psd.png", {"ground truth": truth, "generated": generated},
                                frame_indices=[0, 9, 29], title="KTH")
    ```
    """
    if not curves:
        raise ValueError(
            "plot_power_spectral_density: expected at least one population, received none."
        )
    frame_indices = list(np.atleast_1d(np.asarray(frame_indices)).tolist())
    if not frame_indices:
        raise ValueError(
            "plot_power_spectral_density: expected at least one frame index, received none."
        )
    if not isinstance(max_columns, int) or max_columns < 1:
        raise ValueError(
            f"plot_power_spectral_density: expected max_columns to be a positive int, received "
            f"{max_columns!r}."
        )
    populations = {}
    for name, value in curves.items():
        if isinstance(value, dict):
            if "mean" not in value:
                raise ValueError(
                    f"plot_power_spectral_density: expected curves[{name!r}] as a dict to have "
                    f"a 'mean' key, received keys {sorted(value)}. Pass the result of "
                    "video_power_spectral_density or a (mean, std) pair."
                )
            mean, std = value["mean"], value.get("std")
            if frequencies is None and value.get("frequencies") is not None:
                frequencies = value["frequencies"]
        elif isinstance(value, tuple | list) and len(value) == 2:
            mean, std = value
        else:
            mean, std = value, None
        mean = psd_array(mean)
        std = None if std is None else psd_array(std)
        if mean.ndim != 2 or mean.shape[0] != len(frame_indices) or mean.shape[1] < 2:
            raise ValueError(
                f"plot_power_spectral_density: expected the mean of curves[{name!r}] shaped "
                f"[len(frame_indices), num_bins] = [{len(frame_indices)}, num_bins >= 2], "
                f"received shape {mean.shape}. Pass the PSD averaged over videos at exactly the "
                "given frame indices."
            )
        if std is not None and std.shape != mean.shape:
            raise ValueError(
                f"plot_power_spectral_density: expected the std of curves[{name!r}] shaped "
                f"{mean.shape} like its mean, received {std.shape}."
            )
        populations[name] = (mean, std)
    shapes = {name: mean.shape for name, (mean, _) in populations.items()}
    if len(set(shapes.values())) != 1:
        raise ValueError(
            f"plot_power_spectral_density: expected populations of one shape, received {shapes}. "
            "Compute every PSD at the same frame indices and frame size."
        )
    num_bins = next(iter(shapes.values()))[1]
    if frequencies is None:
        frequencies, xlabel = np.arange(num_bins, dtype=np.float64), "Wavenumber (bin index)"
    else:
        frequencies, xlabel = psd_array(frequencies), "Spatial frequency (cycles per pixel)"
        if frequencies.shape != (num_bins,):
            raise ValueError(
                f"plot_power_spectral_density: expected frequencies shaped ({num_bins},), one "
                f"per bin, received {frequencies.shape}. Pass the frequencies returned by "
                "power_spectral_density for the same frames."
            )
    drawn = frequencies > 0
    num_columns = min(len(frame_indices), max_columns)
    num_rows = -(-len(frame_indices) // num_columns)
    figure = Figure(figsize=(3.4 * num_columns + 0.4, 3.2 * num_rows + 0.4), layout="constrained")
    panels = np.atleast_1d(figure.subplots(num_rows, num_columns, sharex=True, sharey=True))
    panels = panels.reshape(-1)
    for row, (axes, frame) in enumerate(zip(panels, frame_indices)):
        for name, (mean, std) in populations.items():
            values = mean[row, drawn]
            (line,) = axes.plot(frequencies[drawn], values, label=name)
            if std is not None:
                spread = std[row, drawn]
                lower = np.where(values - spread > 0, values - spread, values / 10.0)
                axes.fill_between(
                    frequencies[drawn], lower, values + spread, color=line.get_color(), alpha=0.2
                )
        axes.set_xscale("log")
        axes.set_yscale("log")
        # Spectra span one or two decades of frequency: label 1-2-5 ticks as plain numbers.
        axes.xaxis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        axes.xaxis.set_minor_formatter(NullFormatter())
        axes.set_title(f"Frame {frame}")
        axes.grid(alpha=0.3, which="both")
    for axes in panels[len(frame_indices) :]:
        axes.set_visible(False)
    for index, axes in enumerate(panels[: len(frame_indices)]):
        if index + num_columns >= len(frame_indices):  # the lowest panel of its column
            axes.xaxis.set_tick_params(labelbottom=True)
            axes.set_xlabel(xlabel)
    for axes in panels[::num_columns]:
        axes.set_ylabel("Power spectral density")
    panels[0].legend()
    if title:
        figure.suptitle(title)
    return saved_figure(figure, path)


def plot_rule_module_matching(
    path: str, proportions, action_names, title: str | None = None
) -> str:
    """Histogram of the modules selected for each ground-truth action (thesis figure 8.2).

    Args:
        path: the image file to write.
        proportions: `[A, M]` share of each action's transitions explained by each module (rows
            sum to 1), e.g. `rule_module_matching(...)["proportions"]`.
        action_names: the A action names, e.g. `("up", "down", "left", "right")`.
        title: optional title (e.g. the matching accuracy).

    Returns:
        `path`.

    Example:
    ```python
    plot_rule_module_matching("matching.png", result["proportions"], DIRECTION_NAMES)
    ```
    """
    proportions = np.asarray(proportions, dtype=np.float64)
    if proportions.ndim != 2 or proportions.shape[0] != len(action_names):
        raise ValueError(
            f"plot_rule_module_matching: expected proportions shaped [{len(action_names)}, M] "
            f"(one row per action name), received {proportions.shape}."
        )
    num_actions, num_modules = proportions.shape
    figure = Figure(figsize=(1.6 + 1.4 * num_actions, 3.4))
    axis = figure.subplots()
    width = 0.8 / num_modules
    colors = [matplotlib.colormaps["tab10"](index % 10) for index in range(num_modules)]
    for module in range(num_modules):
        offsets = np.arange(num_actions) - 0.4 + (module + 0.5) * width
        axis.bar(
            offsets, proportions[:, module], width, color=colors[module], label=f"module {module}"
        )
    axis.set_xticks(np.arange(num_actions), list(action_names))
    axis.set_ylim(0, 1)
    axis.set_ylabel("share of transitions")
    axis.set_xlabel("ground-truth action")
    axis.legend(
        fontsize=7, ncols=min(num_modules, 4), loc="upper center", bbox_to_anchor=(0.5, -0.2)
    )
    if title:
        axis.set_title(title)
    figure.tight_layout()
    return saved_figure(figure, path)


CASCADE_PANELS = (
    ("fvd", "FVD (lower is better)"),
    ("grounding_error", "grounding error |f(x^l) - x^(l-1)|"),
    ("window_boundary_jump", "seam / inside-window frame change"),
)


def plot_cascade_metrics(path: str, results: dict, reference: dict, title: str | None = None):
    """Bars of FVD, grounding error and window-boundary jump per cascade (thesis table 6.3).

    Args:
        path: the image file to write.
        results: `{name: {"fvd": ..., "grounding_error": ..., "window_boundary_jump": ...}}`,
            e.g. the model, its baselines and the No-MD ablation.
        reference: real-video values drawn as dashed lines (e.g. `window_boundary_jump`).
        title: optional figure title.

    Returns:
        `path`.

    Example:
    ```python
    plot_cascade_metrics("cascade.png", {"model": report, "no_md": ablation}, real_reference)
    ```
    """
    missing = sorted(
        (name, key)
        for name, values in results.items()
        for key, _ in CASCADE_PANELS
        if key not in values
    )
    if missing:
        raise ValueError(f"plot_cascade_metrics: results miss the entries {missing}.")
    names = list(results)
    colors = [matplotlib.colormaps["tab10"](index % 10) for index in range(len(names))]
    figure = Figure(figsize=(4.0 * len(CASCADE_PANELS), 3.4))
    for axis, (key, label) in zip(figure.subplots(1, len(CASCADE_PANELS)), CASCADE_PANELS):
        values = [results[name][key] for name in names]
        axis.bar(np.arange(len(names)), values, color=colors)
        axis.set_xticks(np.arange(len(names)), names, rotation=20, ha="right", fontsize=8)
        for index, value in enumerate(values):
            axis.annotate(f"{value:.3g}", (index, value), ha="center", va="bottom", fontsize=8)
        if key in reference:
            axis.axhline(reference[key], color="black", linestyle="--", linewidth=1)
            axis.annotate(
                "real videos",
                (len(names) - 0.5, reference[key]),
                ha="right",
                va="bottom",
                fontsize=7,
            )
        axis.set_title(label, fontsize=9)
        axis.grid(axis="y", alpha=0.3)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return saved_figure(figure, path)


SCENE_INFERENCE_PANELS = (
    ("psnr", "reconstruction PSNR (dB)"),
    ("ssim", "reconstruction SSIM"),
    ("fg_ari_attention", "FG-ARI (attention masks)"),
    ("removal_region_mse", "removal: region MSE"),
)


def plot_scene_inference_metrics(path: str, results: dict, title: str | None = None) -> str:
    """Bars of reconstruction, object discovery and removal scores per method (chapter 10).

    Args:
        path: the image file to write.
        results: `{method: scene_inference_report(...)}`; missing scores (e.g. FG-ARI of a
            model without object slots) leave an empty slot.
        title: optional figure title.

    Returns:
        `path`.

    Example:
    ```python
    plot_scene_inference_metrics("metrics.png", {"model": report, "untrained": baseline})
    ```
    """
    if not results:
        raise ValueError("plot_scene_inference_metrics: expected at least one method's results.")
    methods = list(results)

    def score(values, key):
        if key == "removal_region_mse":
            removal = values.get("object_removal")
            return None if removal is None else removal["removed"]["region_mse"]
        return values.get(key)

    figure = Figure(figsize=(3.2 * len(SCENE_INFERENCE_PANELS), 3.4))
    axes = figure.subplots(1, len(SCENE_INFERENCE_PANELS))
    colors = [matplotlib.colormaps["tab10"](index % 10) for index in range(len(methods))]
    for axis, (key, label) in zip(axes, SCENE_INFERENCE_PANELS):
        for index, method in enumerate(methods):
            value = score(results[method], key)
            if value is not None:
                axis.bar(index, value, color=colors[index])
                axis.annotate(f"{value:.3g}", (index, value), ha="center", va="bottom", fontsize=7)
        if key == "removal_region_mse" and "object_removal" in results.get("model", {}):
            no_edit = results["model"]["object_removal"]["no_edit"]["region_mse"]
            axis.axhline(no_edit, color="gray", linestyle="--", linewidth=1, label="no edit")
            axis.legend(fontsize=7)
        axis.set_xticks(range(len(methods)), methods, rotation=30, ha="right", fontsize=7)
        axis.set_title(label, fontsize=9)
        axis.grid(axis="y", alpha=0.3)
    if title:
        figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    return saved_figure(figure, path)
