import json

import pytest

from keras_dynscene.cli.main import main
from tests.models.cvg.tiny_config import TINY_CVG_CONFIG


@pytest.mark.large
def test_cvg_trains_on_frames_stored_at_another_size(tmp_path, capsys):
    """Frames stored at 32x32 train a 16x16 CVG (as TFDS's 256x256 ucf101 trains a 128x128 one):
    `dynscene train` centre-crops and resizes the windows to the model's frames."""
    from tfds_builders.stochastic_moving_mnist import stochastic_moving_mnist_dataset_builder as smm

    class Builder(smm.Builder):
        name = "tiny_labelled_mnist_32"
        DEFAULT_BUILDER_CONFIG_NAME = "tiny"
        BUILDER_CONFIGS = [  # noqa: RUF012
            smm.StochasticMovingMnistConfig(
                name="tiny",
                num_digits=1,
                num_frames=8,
                image_size=32,
                num_train=4,
                num_test=2,
                with_labels=True,
            )
        ]

    del Builder
    overrides = {k: v for k, v in TINY_CVG_CONFIG.items() if k not in ("seed", "channels")}
    overrides["num_classes"] = 10  # image_size stays 16: half the stored 32x32 frames.
    args = ["train", "cvg", "--dataset", "tiny_labelled_mnist_32/tiny"]
    args += ["--data-dir", str(tmp_path / "tfds"), "--steps", "1", "--checkpoint-every", "1"]
    args += ["--batch-size", "2", "--out", str(tmp_path / "run")]
    args += ["--set", *[f"{k}={json.dumps(v)}" for k, v in overrides.items()]]
    assert main(args) == 0, capsys.readouterr().err
    summary = json.loads((tmp_path / "run" / "train_summary.json").read_text())
    assert summary["optimizer_steps"] == 1
