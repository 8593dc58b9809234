import json
import os
import zipfile
from pathlib import Path

import keras

PRESETS_DIR_ENV = "DYNSCENE_PRESETS_DIR"


def presets_dir() -> Path:
    """Where trained presets live: `$DYNSCENE_PRESETS_DIR`, else the repo's `saved_models/`."""
    if os.environ.get(PRESETS_DIR_ENV):
        return Path(os.environ[PRESETS_DIR_ENV])
    return Path(__file__).resolve().parents[2] / "saved_models"


def trained_presets() -> list[str]:
    root = presets_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "model.keras").is_file())


def load_keras_file(path) -> keras.Model:
    """`keras.saving.load_model` with clear errors for a missing or corrupted file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"No model file at '{path}'. Expected a `.keras` archive written by `model.save`."
        )
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"'{path}' is not a valid `.keras` archive (the file is corrupted or truncated). "
            "Restore it from git (`git checkout -- <file>`) or save the model again."
        )
    try:
        return keras.saving.load_model(path)
    except (zipfile.BadZipFile, OSError, KeyError, EOFError) as error:
        raise ValueError(
            f"Could not read the `.keras` archive '{path}': {error}. The file is corrupted; "
            "restore it from git or save the model again."
        ) from error


def save_preset(model: keras.Model, folder, info: dict) -> Path:
    """Writes a trained preset: `model.keras` without optimizer state, and `preset.json`.

    Optimizer slots would triple the file (Adam keeps two per weight); a preset is for sampling,
    evaluation and fine-tuning, which starts a new optimizer.

    Args:
        model: the trained model.
        folder: the preset folder, e.g. `saved_models/<name>`.
        info: what the preset is (at least `dataset`), saved as `preset.json`.
    """
    if "dataset" not in info:
        raise ValueError(f"`info` must name the training `dataset`; received keys {sorted(info)}.")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    clean = model.__class__.from_config(model.get_config())
    clean.set_weights(model.get_weights())
    clean.save(folder / "model.keras")
    info = {"model_class": model.__class__.__name__, **info}
    (folder / "preset.json").write_text(json.dumps(info, indent=2) + "\n")
    return folder


class PresetMixin:
    """`Model.from_preset(name)`: trained presets from `saved_models/` or architecture presets.

    A model class lists its architecture presets (name -> config) in `architecture_presets`.
    """

    architecture_presets: dict = {}

    @classmethod
    def from_preset(cls, preset: str, **overrides):
        """Loads a trained preset, a `.keras` file or directory, or builds an architecture preset.

        Args:
            preset: a name in `saved_models/` (trained weights), a path to a `.keras` file or a
                folder holding `model.keras`, or an architecture preset of this class
                (untrained, e.g. the paper's sizes).
            **overrides: config values replacing the architecture preset's (untrained only).
        """
        candidate = Path(preset)
        if candidate.suffix == ".keras" or candidate.is_dir():
            path = candidate / "model.keras" if candidate.is_dir() else candidate
            return cls._check_class(load_keras_file(path), preset)
        trained = presets_dir() / preset / "model.keras"
        if trained.is_file():
            if overrides:
                raise ValueError(
                    f"'{preset}' is a trained preset; config overrides {sorted(overrides)} would "
                    "not match its weights. Load it, then fine-tune, or use an architecture preset."
                )
            return cls._check_class(load_keras_file(trained), preset)
        if preset in cls.architecture_presets:
            config = dict(cls.architecture_presets[preset])
            config.update(overrides)
            return cls(**config)
        raise ValueError(
            f"Unknown preset '{preset}' for {cls.__name__}. Trained presets: {trained_presets()}; "
            f"architecture presets: {sorted(cls.architecture_presets)}; or pass a path to a "
            "`.keras` file."
        )

    @classmethod
    def _check_class(cls, model, preset):
        if not isinstance(model, cls):
            raise ValueError(
                f"Preset '{preset}' holds a {type(model).__name__}, not a {cls.__name__}. Load it "
                f"with {type(model).__name__}.from_preset or keras_dynscene.models.load_preset."
            )
        return model
