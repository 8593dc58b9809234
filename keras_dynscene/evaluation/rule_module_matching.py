"""VIM's interpretability measurements (thesis 8.5.1): which module explains which action."""

import itertools

import numpy as np

DIRECTION_NAMES = ("up", "down", "left", "right")


def match_objects_to_slots(slot_positions, object_positions) -> np.ndarray:
    """Index of the slot closest to each object (thesis 8.5.1: each ground-truth ball is
    matched to the slot whose mask centroid is nearest in the first frame).

    Args:
        slot_positions: `[B, K, 2]` slot mask centroids.
        object_positions: `[B, O, 2]` object centres, same coordinate convention.

    Returns:
        `[B, O]` int slot indices.
    """
    slot_positions = np.asarray(slot_positions, "float64")
    object_positions = np.asarray(object_positions, "float64")
    distances = np.linalg.norm(object_positions[:, :, None] - slot_positions[:, None], axis=-1)
    return distances.argmin(axis=-1)


def best_assignment_accuracy(counts: np.ndarray) -> tuple:
    """The one-to-one assignment of actions (rows) to distinct modules (columns) explaining the
    most transitions; returns `(accuracy, modules per action)`. Exhaustive over assignments
    (M!/(M-A)! of them, 840 for 4 actions and 7 modules).

    With fewer modules than actions, only as many actions as modules can be matched and the
    other actions count as unexplained (module -1): a single monolithic module scores the share
    of its best action, not 1."""
    num_actions, num_modules = counts.shape
    total = counts.sum()
    if total == 0:
        return 0.0, [-1] * num_actions
    best, best_choice = -1.0, None
    if num_modules < num_actions:
        for actions in itertools.permutations(range(num_actions), num_modules):
            matched = counts[list(actions), np.arange(num_modules)].sum()
            if matched > best:
                choice = [-1] * num_actions
                for module, action in enumerate(actions):
                    choice[action] = module
                best, best_choice = matched, choice
        return float(best / total), best_choice
    for choice in itertools.permutations(range(num_modules), num_actions):
        matched = counts[np.arange(num_actions), list(choice)].sum()
        if matched > best:
            best, best_choice = matched, choice
    return float(best / total), list(best_choice)


def rule_module_matching(model, videos, actions, positions, batch_size: int = 32) -> dict:
    """Proportion of each ground-truth action explained by each module (figure 8.2).

    The inference network runs on the test videos (argmax module selections); every object is
    matched to its nearest slot in the first frame and keeps it; for each transition of each
    object its ground-truth action is compared with the module its slot selected.

    Args:
        model: a trained `VIM` (the first select-and-update iteration of each step is used).
        videos: `[B, T, H, W, C]` test videos.
        actions: `[B, T-1, O]` ground-truth action ids in `0..A-1` (-1 = not atomic, skipped).
        positions: `[B, T, O, 2]` object centres (row, col) in pixels.
        batch_size: videos per forward pass.

    Returns:
        A dict with `"counts"` `[A, M]`, `"proportions"` `[A, M]` (rows sum to 1),
        `"module_usage"` `[M]` (share of all object transitions), `"matching_accuracy"` (best
        one-to-one action -> module assignment), `"assignment"`, `"position_error"` `[T]` (mean
        distance in pixels between each object and its slot's mask centroid) and
        `"num_transitions"`.

    Example:
    ```python
    result = rule_module_matching(vim, test["video"], test["actions"], test["positions"])
    result["matching_accuracy"]
    ```
    """
    actions = np.asarray(actions)
    positions = np.asarray(positions, "float64")
    inferred = model.infer(videos, batch_size=batch_size)
    frames = inferred["positions"].shape[1]
    if actions.shape[:2] != (inferred["positions"].shape[0], frames - 1):
        raise ValueError(
            f"rule_module_matching: expected actions shaped [B, {frames - 1}, O] for videos of "
            f"{frames} frames, received {actions.shape}."
        )
    slot_of_object = match_objects_to_slots(inferred["positions"][:, 0], positions[:, 0])
    batch, _, num_objects = actions.shape
    selected = inferred["selections"][:, :, 0]  # [B, T-1, K], first iteration
    rows = np.arange(batch)[:, None, None]
    steps = np.arange(frames - 1)[None, :, None]
    modules = selected[rows, steps, slot_of_object[:, None, :]]  # [B, T-1, O]
    valid = actions >= 0
    num_actions = int(actions.max()) + 1 if valid.any() else 0
    num_actions = max(num_actions, len(DIRECTION_NAMES))
    counts = np.zeros((num_actions, model.num_modules), "int64")
    np.add.at(counts, (actions[valid], modules[valid]), 1)
    proportions = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    accuracy, assignment = best_assignment_accuracy(counts)
    slot_tracks = inferred["positions"][
        np.arange(batch)[:, None, None],
        np.arange(frames)[None, :, None],
        slot_of_object[:, None, :],
    ]
    position_error = np.linalg.norm(slot_tracks - positions, axis=-1).mean(axis=(0, 2))
    usage = np.bincount(modules[valid], minlength=model.num_modules) / max(valid.sum(), 1)
    return {
        "counts": counts,
        "proportions": proportions,
        "module_usage": usage,
        "matching_accuracy": accuracy,
        "assignment": assignment,
        "position_error": position_error,
        "num_transitions": int(valid.sum()),
    }
