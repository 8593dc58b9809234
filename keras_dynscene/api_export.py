"""One decorator that registers every public class for `.keras` serialization."""

import keras

PACKAGE = "keras_dynscene"


def dynscene_export(cls):
    """Registers `cls` as `keras_dynscene>ClassName` so `.keras` files reload it on any backend."""
    return keras.saving.register_keras_serializable(package=PACKAGE)(cls)
