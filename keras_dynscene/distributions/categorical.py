"""Categorical distributions given by logits, in `keras.ops`."""

from keras import ops


def categorical_kl(q_logits, p_logits, axis=-1):
    """`KL(Cat(softmax(q_logits)) || Cat(softmax(p_logits)))` along `axis`, computed from
    log-softmax values for stability.

    Args:
        q_logits: logits of the first distribution (e.g. a posterior).
        p_logits: logits of the second distribution (e.g. a prior), same shape.
        axis: the category axis.

    Returns:
        The KL with `axis` reduced.

    Example:
    ```python
    kl = categorical_kl(keras.random.normal((2, 5)), keras.ops.zeros((2, 5)))  # [2]
    ```
    """
    q_log_probs = ops.log_softmax(q_logits, axis=axis)
    p_log_probs = ops.log_softmax(p_logits, axis=axis)
    return ops.sum(ops.exp(q_log_probs) * (q_log_probs - p_log_probs), axis=axis)
