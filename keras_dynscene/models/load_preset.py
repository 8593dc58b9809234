from pathlib import Path

from keras_dynscene.models.preset_mixin import load_keras_file
from keras_dynscene.models.preset_mixin import presets_dir
from keras_dynscene.models.preset_mixin import trained_presets
from keras_dynscene.models.preset_mixin import with_config_overrides


def model_classes():
    from keras_dynscene.models.cvg import CascadedVideoGAN
    from keras_dynscene.models.hierarchical_vrnn import HierarchicalVRNN
    from keras_dynscene.models.inferno import INFERNO
    from keras_dynscene.models.inferno import NeRFAutoEncoder
    from keras_dynscene.models.jump import GQN
    from keras_dynscene.models.jump import JUMP
    from keras_dynscene.models.svg_lp import SVGLP
    from keras_dynscene.models.vim import VIM

    return [HierarchicalVRNN, SVGLP, VIM, JUMP, GQN, CascadedVideoGAN, INFERNO, NeRFAutoEncoder]


def load_preset(preset: str, **overrides):
    """Loads any model's preset by name (trained or architecture) or a `.keras` path.

    `overrides` replace config values; trained weights stay wherever the weight shapes do
    (`with_config_overrides`).
    """
    candidate = Path(preset)
    if candidate.suffix == ".keras" or candidate.is_dir():
        path = candidate / "model.keras" if candidate.is_dir() else candidate
        return with_config_overrides(load_keras_file(path), overrides)
    if (presets_dir() / preset / "model.keras").is_file():
        model = load_keras_file(presets_dir() / preset / "model.keras")
        return with_config_overrides(model, overrides)
    for cls in model_classes():
        if preset in cls.architecture_presets:
            return cls.from_preset(preset, **overrides)
    names = sorted(n for cls in model_classes() for n in cls.architecture_presets)
    raise ValueError(
        f"Unknown preset '{preset}'. Trained presets: {trained_presets()}; architecture presets: "
        f"{names}; or pass a path to a `.keras` file."
    )
