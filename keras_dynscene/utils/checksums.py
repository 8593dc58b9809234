"""SHA-256 checksums of weight files, recorded next to every metric computed with them."""

import functools
import hashlib
import os


@functools.lru_cache(maxsize=32)
def _cached_sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path: str) -> str:
    """Hex SHA-256 of a file, cached per (path, size, modification time).

    Args:
        path: the file to hash.

    Returns:
        The 64-character hexadecimal digest.

    Example:
    ```python
    checksum = file_sha256("weights/i3d-kinetics-400.ckpt")
    ```
    """
    path = os.path.abspath(os.fspath(path))
    if not os.path.isfile(path):
        raise FileNotFoundError(f"file_sha256: no file at {path!r}.")
    stat = os.stat(path)
    return _cached_sha256(path, stat.st_size, stat.st_mtime_ns)
