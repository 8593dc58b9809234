"""Inception Score from classifier logits (I3D logits for video, thesis 6.5.1)."""

import numpy as np


def inception_score(logits, num_splits: int = 10) -> dict:
    """`exp(E_x KL(p(y|x) || p(y)))` over `num_splits` disjoint splits, as Salimans et al. (2016).

    Computed in float64 with a stable log-softmax; `p(y)` is the mean prediction of each split.

    Args:
        logits: `[N, num_classes]` classifier logits of the generated samples (e.g. I3D logits).
        num_splits: number of equal splits; the score is averaged over them (the standard is 10).

    Returns:
        A dict with `"mean"` and `"std"` of the per-split scores, `"splits"` (the scores) and
        `"num_samples"`.

    Example:
    ```python
    score = inception_score(np.random.randn(1000, 400))["mean"]
    ```

    Reference:
        - [Salimans et al., Improved Techniques for Training GANs, NeurIPS
          2016](https://arxiv.org/abs/1606.03498)
    """
    logits = np.asarray(logits, dtype="float64")
    if logits.ndim != 2:
        raise ValueError(
            f"inception_score: expected logits shaped [N, num_classes], received shape "
            f"{logits.shape}."
        )
    if not isinstance(num_splits, int) or num_splits < 1 or logits.shape[0] < num_splits:
        raise ValueError(
            f"inception_score: expected 1 <= num_splits <= N, received num_splits={num_splits!r} "
            f"for N={logits.shape[0]} samples. Generate more samples or use fewer splits."
        )
    log_probs = logits - logits.max(axis=1, keepdims=True)
    log_probs = log_probs - np.log(np.exp(log_probs).sum(axis=1, keepdims=True))
    scores = []
    for split in np.array_split(log_probs, num_splits):
        log_marginal = np.log(np.exp(split).mean(axis=0))
        kl = (np.exp(split) * (split - log_marginal)).sum(axis=1)
        scores.append(float(np.exp(kl.mean())))
    return {
        "mean": float(np.mean(scores)),
        "std": float(np.std(scores)),
        "splits": scores,
        "num_samples": int(logits.shape[0]),
    }
