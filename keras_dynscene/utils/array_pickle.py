"""Reading pickles of numpy arrays (weights, datasets) without letting them run code."""

import pickle

ALLOWED_GLOBALS = frozenset(
    {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
    }
)


class ArrayUnpickler(pickle.Unpickler):
    """Unpickler that only rebuilds numpy arrays inside plain containers (dicts, lists, tuples).

    Any other global (a class, a function) raises `pickle.UnpicklingError` naming it and
    `what_to_do`, so a tampered file cannot run arbitrary code.

    Args:
        file: a binary file object.
        what_to_do: appended to the error, e.g. how to reinstall the genuine file.
        **kwargs: `pickle.Unpickler` arguments (e.g. `encoding="latin1"`).
    """

    def __init__(self, file, what_to_do: str = "", **kwargs):
        super().__init__(file, **kwargs)
        self.what_to_do = what_to_do

    def find_class(self, module: str, name: str):
        if (module, name) not in ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(
                f"this file may only hold numpy arrays; it refers to `{module}.{name}`. "
                f"{self.what_to_do}"
            )
        if module == "numpy.core.multiarray":  # Written by numpy 1.x; numpy 2 moved the module.
            module = "numpy._core.multiarray"
        return super().find_class(module, name)
