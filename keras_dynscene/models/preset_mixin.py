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


def with_config_overrides(model: keras.Model, overrides: dict, verbose=True) -> keras.Model:
    """A copy of a trained model with config values replaced, keeping every weight that fits.

    The model is rebuilt from its config plus `overrides`; each layer of the rebuilt model that the
    trained model also has (same name) takes its trained weights, shapes checked. Layers the
    override adds start from their initialization, layers it removes are dropped: e.g.
    `matching_discriminator=False` turns a trained CVG level 1 into the start of the "No MD"
    ablation, and `future_frames=...` fine-tunes a predictor on another horizon. Optimizer state
    is not carried over (a fine-tuning run starts a new optimizer).

    Args:
        model: the trained model.
        overrides: config keys and their new values.
        verbose: print which layers were added or dropped.
    """
    if not overrides:
        return model
    config = model.get_config()
    unknown = sorted(set(overrides) - set(config))
    if unknown:
        raise ValueError(
            f"{type(model).__name__} has no config keys {unknown}; its keys are "
            f"{sorted(config)}. Fix the override names (`--set KEY=VALUE`)."
        )
    rebuilt = model.__class__.from_config({**config, **overrides})
    trained = {layer.name: layer for layer in model.layers}
    fresh = []
    for layer in rebuilt.layers:
        source = trained.get(layer.name)
        if source is None:
            fresh.append(layer.name)
            continue
        before = [tuple(w.shape) for w in source.weights]
        after = [tuple(w.shape) for w in layer.weights]
        if before != after:
            raise ValueError(
                f"The overrides {overrides} change the weights of layer '{layer.name}' "
                f"(shapes {before} -> {after}), so its trained weights cannot be kept. Override "
                "only values that keep the weight shapes, or train from an architecture preset."
            )
        for target, value in zip(layer.weights, source.weights):
            target.assign(value)
    dropped = sorted(set(trained) - {layer.name for layer in rebuilt.layers})
    if verbose and (fresh or dropped):
        print(
            f"Config overrides {overrides}: new layers (initialized) {fresh or 'none'}, dropped "
            f"layers {dropped or 'none'}; every other layer keeps its trained weights."
        )
    return rebuilt


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
            **overrides: config values replacing the preset's. For trained weights, every layer
                whose weight shapes the overrides keep stays trained (`with_config_overrides`).
        """
        candidate = Path(preset)
        if candidate.suffix == ".keras" or candidate.is_dir():
            path = candidate / "model.keras" if candidate.is_dir() else candidate
            model = cls._check_class(load_keras_file(path), preset)
            return with_config_overrides(model, overrides)
        trained = presets_dir() / preset / "model.keras"
        if trained.is_file():
            model = cls._check_class(load_keras_file(trained), preset)
            return with_config_overrides(model, overrides)
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
