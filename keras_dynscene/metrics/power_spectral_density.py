"""Radially averaged power spectral density (PSD) of frames, and its mean over videos per frame."""

import keras
import numpy as np
from keras import ops

CHANNEL_MODES = ("mean", "grayscale")
# ITU-R BT.601 luma weights, as in tf.image.rgb_to_grayscale.
LUMA_WEIGHTS = (0.2989, 0.5870, 0.1140)


def radial_bins(height: int, width: int, num_bins: int | None):
    """The integer wavenumber of each FFT coefficient and the bin-averaging matrix.

    Wavenumbers count cycles per `L = max(height, width)` pixels: coefficient `(u, v)` of the
    unshifted 2-D DFT has frequency `(fy, fx) = (fftfreq(height)[u], fftfreq(width)[v])` cycles
    per pixel and wavenumber `round(L * sqrt(fy**2 + fx**2))`; for square frames this is the
    distance to the zero frequency in FFT indices, as in pysteps' `rapsd`.

    Args:
        height: frame height in pixels.
        width: frame width in pixels.
        num_bins: the number of wavenumbers `0 .. num_bins - 1` to keep, or None for `L // 2`
            (`L // 2 + 1` for odd `L`), the rings that lie entirely inside the spectrum.

    Returns:
        `(matrix, frequencies)`: `matrix` float64 `[height * width, num_bins]` whose column `k`
        averages the coefficients of wavenumber `k` (zero for coefficients past the last bin),
        and `frequencies` float64 `[num_bins]`, `k / L` cycles per pixel.

    Example:
    ```python
    matrix, frequencies = radial_bins(64, 64, None)  # [4096, 32], [32]
    ```
    """
    size = max(height, width)
    if num_bins is None:
        num_bins = size // 2 + size % 2
    fy = np.fft.fftfreq(height)[:, None]
    fx = np.fft.fftfreq(width)[None, :]
    wavenumber = np.round(size * np.sqrt(fy**2 + fx**2)).astype(np.int64).reshape(-1)
    matrix = (wavenumber[:, None] == np.arange(num_bins)[None, :]).astype(np.float64)
    counts = matrix.sum(axis=0)
    matrix /= np.maximum(counts, 1.0)
    return matrix, np.arange(num_bins) / size


def power_spectral_density(frames, num_bins: int | None = None, channels: str = "mean"):
    """Radially averaged power spectral density of each frame, by integer wavenumber.

    The power spectrum `|F|**2 / (H * W)` of the 2-D discrete Fourier transform `F` of a frame is
    averaged over rings of equal wavenumber `k` (the distance to the zero frequency, rounded to
    the nearest integer), giving the PSD as a function of spatial frequency. It shows how much
    detail a frame has at each scale: blurry frames lose power at high wavenumbers. Ayzel et al.
    (2020) compare it between predicted and observed radar frames per lead time; the thesis
    (section 6.C) does so for generated videos (see `video_power_spectral_density`). The
    definition is that of pysteps' `rapsd`: no windowing and no mean removal, so bin 0 is the
    squared mean intensity times `H * W`, and for square frames the wavenumber is the radius in
    FFT indices. Non-square frames measure wavenumbers in cycles per `L = max(H, W)` pixels.

    Colour frames give the average of the per-channel spectra (`channels="mean"`), which is the
    grayscale spectrum for one channel; `channels="grayscale"` takes the spectrum of the luma
    `0.2989 R + 0.5870 G + 0.1140 B` instead.

    Args:
        frames: frames shaped `[..., H, W, C]` with `H, W >= 2`, any number of leading axes.
            Integer frames are cast to float32 without rescaling; float64 stays float64, every
            other float is computed in float32.
        num_bins: how many wavenumbers `0 .. num_bins - 1` to return, or None for
            `max(H, W) // 2` (rounded up for odd sizes), the rings that fit inside the spectrum;
            coefficients past the last bin (the corners) are left out.
        channels: `"mean"` to average the per-channel spectra, `"grayscale"` to transform the
            luma of RGB (or the single channel of grayscale) frames.

    Returns:
        `(psd, frequencies)`: `psd` `[..., num_bins]`, the mean power at each wavenumber, and
        `frequencies` `[num_bins]`, the wavenumbers in cycles per pixel (`k / max(H, W)`;
        multiply by `max(H, W)` for cycles per frame).

    Example:
    ```python
    frames = keras.random.uniform((4, 10, 64, 64, 3))  # [B, T, H, W, C]
    psd, frequencies = power_spectral_density(frames)  # [4, 10, 32], [32]
    ```

    Reference:
    - [Ayzel et al., 2020](https://doi.org/10.5194/gmd-13-2631-2020)
    - [pysteps `rapsd`](https://pysteps.readthedocs.io/en/stable/generated/pysteps.utils.spectral.rapsd.html)
    """
    frames = ops.convert_to_tensor(frames)
    shape = tuple(frames.shape)
    if len(shape) < 3:
        raise ValueError(
            "power_spectral_density: expected frames shaped [..., H, W, C] (rank >= 3), "
            f"received shape {shape}. Add the channel axis of grayscale frames with x[..., None]."
        )
    height, width, num_channels = shape[-3:]
    if height is None or width is None or height < 2 or width < 2:
        raise ValueError(
            "power_spectral_density: expected frames of a known size of at least 2x2 pixels, "
            f"received {height}x{width} (shape {shape}). Pass [..., H, W, C] frames, channels "
            "last."
        )
    if channels not in CHANNEL_MODES:
        raise ValueError(
            f"power_spectral_density: expected channels in {CHANNEL_MODES}, received "
            f"{channels!r}. Use 'mean' to average the per-channel spectra."
        )
    if channels == "grayscale" and num_channels not in (1, 3):
        raise ValueError(
            "power_spectral_density: expected 1 or 3 channels for channels='grayscale', "
            f"received {num_channels} (shape {shape}). Use channels='mean' for other channel "
            "counts."
        )
    if num_bins is not None and (
        not isinstance(num_bins, int) or isinstance(num_bins, bool) or num_bins < 1
    ):
        raise ValueError(
            f"power_spectral_density: expected num_bins to be a positive int or None, received "
            f"{num_bins!r}. Leave it None for max(H, W) // 2 bins."
        )
    dtype = "float64" if keras.backend.standardize_dtype(frames.dtype) == "float64" else "float32"
    frames = ops.cast(frames, dtype)
    if channels == "grayscale" and num_channels == 3:
        frames = ops.sum(frames * ops.convert_to_tensor(LUMA_WEIGHTS, dtype), axis=-1)
        frames = ops.expand_dims(frames, -1)
    # [..., C, H, W]: fft2 transforms the last two axes.
    rank = len(shape)
    frames = ops.transpose(frames, (*range(rank - 3), rank - 1, rank - 3, rank - 2))
    real, imag = ops.fft2((frames, ops.zeros_like(frames)))
    power = (ops.square(real) + ops.square(imag)) / float(height * width)
    leading = tuple(ops.shape(power)[:-2])
    power = ops.reshape(power, (*leading, height * width))
    matrix, frequencies = radial_bins(height, width, num_bins)
    # einsum rather than matmul: keras' torch matmul computes float64 inputs in float32.
    psd = ops.einsum("...p,pk->...k", power, ops.convert_to_tensor(matrix, dtype))
    return ops.mean(psd, axis=-2), ops.convert_to_tensor(frequencies, dtype)


def video_power_spectral_density(
    videos, frame_indices, num_bins: int | None = None, channels: str = "mean"
) -> dict:
    """Mean and standard deviation over videos of the PSD of the frames at given time indices.

    The per-frame comparison of thesis figure 6.7 (after Ayzel et al., 2020): for each chosen
    frame index the radially averaged power spectral density (`power_spectral_density`) of that
    frame of every video, averaged across the videos. Computing it for true and for generated
    videos shows whether generations lose high-frequency power, i.e. get blurrier, further
    into the future.

    Args:
        videos: videos shaped `[N, T, H, W, C]`.
        frame_indices: the time indices to evaluate, ints in `[-T, T)` (negative ones count
            from the end, as in Python indexing).
        num_bins: the number of wavenumbers, see `power_spectral_density`.
        channels: `"mean"` or `"grayscale"`, see `power_spectral_density`.

    Returns:
        A dict with `"mean"` and `"std"` `[len(frame_indices), num_bins]`, the mean and the
        population standard deviation (ddof 0) across the `N` videos, and `"frequencies"`
        `[num_bins]` in cycles per pixel.

    Example:
    ```python
    videos = keras.random.uniform((16, 30, 64, 64, 3))  # [N, T, H, W, C]
    result = video_power_spectral_density(videos, [0, 9, 29])
    result["mean"].shape  # (3, 32)
    ```

    Reference:
    - [Ayzel et al., 2020](https://doi.org/10.5194/gmd-13-2631-2020)
    """
    videos = ops.convert_to_tensor(videos)
    shape = tuple(videos.shape)
    if len(shape) != 5:
        raise ValueError(
            "video_power_spectral_density: expected videos shaped [N, T, H, W, C], received "
            f"shape {shape}. Add a video axis to a single video with x[None]."
        )
    num_frames = shape[1]
    indices = list(frame_indices) if not isinstance(frame_indices, int) else [frame_indices]
    bad = [
        i
        for i in indices
        if not isinstance(i, int | np.integer)
        or isinstance(i, bool)
        or not -num_frames <= i < num_frames
    ]
    if not indices or bad:
        raise ValueError(
            "video_power_spectral_density: expected a non-empty list of int frame indices in "
            f"[-{num_frames}, {num_frames}) for videos of {num_frames} frames, received "
            f"{frame_indices!r} (invalid: {bad}). Pass e.g. [0, {num_frames - 1}]."
        )
    indices = [int(i) % num_frames for i in indices]
    selected = ops.take(videos, ops.convert_to_tensor(indices, "int32"), axis=1)
    psd, frequencies = power_spectral_density(selected, num_bins=num_bins, channels=channels)
    return {
        "mean": ops.mean(psd, axis=0),
        "std": ops.std(psd, axis=0),
        "frequencies": frequencies,
    }
