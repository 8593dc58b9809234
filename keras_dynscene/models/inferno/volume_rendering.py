"""Volume rendering of INFERNO's composed radiance fields (thesis 10.2.1, eq. 10.4)."""

import keras
from keras import ops

# Length of the last ray segment when a background closes the ray: the background then takes
# all the light that is left (NeRF's "infinite" last interval).
CLOSED_RAY_LAST_DELTA = 1e10


def stratified_depths(batch_size, num_rays, num_samples, near, far, jitter=None):
    """Sample depths `[B, R, S]` along every ray: one per equal bin of `[near, far]`, at the bin
    centre, or uniformly inside it when `jitter [B, R, S]` (uniform in [0, 1)) is given."""
    bins = ops.arange(num_samples, dtype="float32")
    offsets = 0.5 if jitter is None else jitter
    fractions = (bins + offsets) / float(num_samples)
    fractions = ops.zeros((batch_size, num_rays, num_samples)) + fractions
    return near + (far - near) * fractions


def composite_weights(densities, depths, closed=True):
    """Per-entity rendering weights of composed fields along rays.

    Eq. 10.4 composes K fields by summing their densities and averaging their colours with the
    densities as weights; standard alpha compositing then renders the composed field. Both are
    linear in the colours, so the pixel colour is `sum_{k, s} a_{k, s} c_{k, s}` with
    `a_{k, s} = w_s sigma_{k, s} / sigma_s` and `w_s` the compositing weight of sample `s`. These
    `a` are returned: they render colours, features, per-object masks and depths alike.

    Args:
        densities: `[B, E, R, S]` densities of E entities (objects and background) at S samples
            along R rays.
        depths: `[B, R, S]` sample depths (increasing along each ray).
        closed: the last segment is infinite (a background closes the ray); otherwise it is
            as long as the others (e.g. objects rendered alone on black).

    Returns:
        `[B, E, R, S]` weights; their sum over entities and samples is the ray's opacity.
    """
    total = ops.sum(densities, axis=1)  # [B, R, S]
    share = densities / (total[:, None] + keras.config.epsilon())
    return share * sample_weights(total, depths, closed)[:, None]


def sample_weights(densities, depths, closed=True):
    """Alpha-compositing weights `w_s = T_s (1 - exp(-sigma_s delta_s))` `[B, R, S]` of one
    field's densities `[B, R, S]` at `depths [B, R, S]` (see `composite_weights`)."""
    gaps = depths[..., 1:] - depths[..., :-1]
    if closed:
        last = ops.full_like(gaps[..., :1], CLOSED_RAY_LAST_DELTA)
    else:
        last = ops.mean(gaps, axis=-1, keepdims=True)
    optical = densities * ops.concatenate([gaps, last], axis=-1)
    alpha = 1.0 - ops.exp(-optical)
    # Transmittance before each sample: exp of minus the exclusive cumulative optical depth
    # (shifted, not `cumsum - optical`: float32 cancellation against the 1e10 last segment).
    before = ops.cumsum(optical[..., :-1], axis=-1)
    transmittance = ops.exp(-ops.concatenate([ops.zeros_like(optical[..., :1]), before], -1))
    return alpha * transmittance


def soft_box_mask(points, sharpness):
    """Soft indicator `[...]` of the canonical object box `[-1, 1]^3` for points `[..., 3]`:
    the product over axes of `sigmoid(sharpness * (1 - |x|))`. Object densities are multiplied
    by it, so an object's field cannot fill the scene outside its pose's box."""
    inside = ops.sigmoid(sharpness * (1.0 - ops.abs(points)))
    return ops.prod(inside, axis=-1)
