"""On-disk cache of feature arrays (e.g. real-data I3D logits), keyed by what they depend on."""

import hashlib
import json
import os

import numpy as np

CACHE_ENV = "DYNSCENE_CACHE_DIR"


def default_cache_directory() -> str:
    """`$DYNSCENE_CACHE_DIR/metric_features`, else `~/.cache/keras_dynscene/metric_features`."""
    root = os.environ.get(CACHE_ENV) or os.path.join(
        os.path.expanduser("~"), ".cache", "keras_dynscene"
    )
    return os.path.join(root, "metric_features")


class FeatureCache:
    """Stores feature arrays under a key made of the dataset, split, protocol and weights checksum.

    A key is any JSON-serializable dict; its canonical JSON is hashed, so changing any part (a
    different protocol, resize method, weights file or split) gives a different entry. Each entry
    is an `.npz` of arrays next to a `.json` with its key, so the cache can be inspected by hand.

    Args:
        directory: where entries live; defaults to `default_cache_directory()`.

    Example:
    ```python
    cache = FeatureCache("/tmp/features")
    key = {"dataset": "bair_push", "split": "test", "protocol": "bair_2_28", "weights": "af5c..."}
    cache.save(key, {"logits": logits})
    cache.load(key)["logits"]
    ```
    """

    def __init__(self, directory: str | None = None):
        self.directory = directory or default_cache_directory()

    @staticmethod
    def key_hash(key: dict) -> str:
        canonical = json.dumps(key, sort_keys=True, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()[:20]

    def path(self, key: dict) -> str:
        name = str(key.get("dataset", "features")).replace("/", "_")
        return os.path.join(self.directory, f"{name}-{self.key_hash(key)}.npz")

    def load(self, key: dict) -> dict | None:
        """The arrays stored under `key`, or `None` when there is no (readable) entry."""
        path = self.path(key)
        if not os.path.isfile(path):
            return None
        try:
            with np.load(path) as entry:
                return {name: entry[name] for name in entry.files}
        except (OSError, ValueError):
            return None

    def save(self, key: dict, arrays: dict) -> str:
        """Writes `arrays` under `key` atomically and returns the `.npz` path."""
        os.makedirs(self.directory, exist_ok=True)
        path = self.path(key)
        temporary = f"{path}.{os.getpid()}.tmp.npz"
        np.savez(temporary, **{name: np.asarray(value) for name, value in arrays.items()})
        os.replace(temporary, path)
        with open(path[: -len(".npz")] + ".json", "w") as file:
            json.dump(key, file, indent=2, sort_keys=True, default=str)
        return path
