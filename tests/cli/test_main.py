import json
import shutil

import keras
import numpy as np
import pytest
from PIL import Image

from keras_dynscene.cli.main import main
from keras_dynscene.cli.main import parse_overrides
from keras_dynscene.models import HierarchicalVRNN
from tests.models.hierarchical_vrnn.tiny_config import TINY_64_CONFIG


@pytest.fixture(scope="module")
def tiny_preset(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny_preset")
    HierarchicalVRNN(**TINY_64_CONFIG).save(folder / "model.keras")
    (folder / "preset.json").write_text(json.dumps({"dataset": "stochastic_moving_mnist/1digit"}))
    return folder


def test_parse_overrides():
    assert parse_overrides(["a=[1, 2]", "b=0.5", "c=gaussian", "d=true"]) == {
        "a": [1, 2],
        "b": 0.5,
        "c": "gaussian",
        "d": True,
    }
    with pytest.raises(SystemExit, match="key=value"):
        parse_overrides(["novalue"])


def test_sample_writes_gif_and_png(tiny_preset, tmp_path):
    out = tmp_path / "samples.gif"
    code = main(
        [
            "sample",
            "--preset",
            str(tiny_preset),
            "--out",
            str(out),
            "--num-clips",
            "2",
            "--num-samples",
            "2",
            "--horizon",
            "3",
        ]
    )
    assert code == 0
    gif = Image.open(out)
    assert gif.n_frames == 2 + 3  # context then predicted frames
    png = Image.open(out.with_suffix(".png"))
    # 2 clips x (truth row + 2 sample rows), each cell 64 + 2 * (border 2 + margin 1) pixels.
    assert png.size == (5 * 70, 2 * 3 * 70)


def test_evaluate_writes_metrics_and_plots(tiny_preset, tmp_path):
    code = main(
        [
            "evaluate",
            "--preset",
            str(tiny_preset),
            "--num-videos",
            "3",
            "--num-samples",
            "2",
            "--baselines",
            "copy_last_frame",
            "--metrics",
            "ssim,psnr,mse",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    report = json.loads((tmp_path / "metrics.json").read_text())
    assert set(report["model"]) == {"ssim_best_of_2", "psnr_best_of_2", "mse_best_of_2"}
    assert set(report["baselines"]) == {"copy_last_frame"}
    assert report["protocol"]["num_videos"] == 3 and report["protocol"]["num_samples"] == 2
    assert len(report["per_step"]["model"]["ssim"]["per_step"]) == 2
    for name in ("ssim", "psnr", "mse", "kl_per_channel"):
        assert (
            tmp_path / f"{name}_per_step.png"
            if name != "kl_per_channel"
            else tmp_path / "kl_per_channel.png"
        ).is_file()
    assert report["latent_usage"]["1x1"]["channels"] == 2


def test_evaluate_reports_lpips_fvd_and_power_spectra(tiny_preset, tmp_path):
    # 2 context + 7 predicted frames: the shortest clips I3D accepts (9 frames).
    args = ["evaluate", "--preset", str(tiny_preset), "--num-videos", "4", "--num-samples", "2"]
    args += ["--horizon", "7", "--baselines", "copy_last_frame", "--non-strict"]
    args += ["--cache-dir", str(tmp_path / "cache"), "--out", str(tmp_path)]
    assert main(args) == 0
    report = json.loads((tmp_path / "metrics.json").read_text())
    assert {"lpips_best_of_2", "fvd"} <= set(report["model"])
    assert report["baselines"]["copy_last_frame"]["fvd"] > 0
    population = report["protocol"]["population"]
    assert population["protocol"]["name"] == "smmnist_5_10" and population["strict"] is False
    assert population["frames_per_video"] == 9 and population["num_real"] == 4
    assert len(population["extractor"]["weights_sha256"]) == 64
    assert len(report["per_step"]["model"]["fvd"]["per_repeat"]) == 5
    assert len(report["per_step"]["model"]["psd"]["frame_indices"]) == 3
    for name in ("lpips_per_step.png", "psd.png"):
        assert (tmp_path / name).is_file()
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 1


def test_evaluate_refuses_a_protocol_mismatch(tiny_preset, tmp_path, capsys):
    args = ["evaluate", "--preset", str(tiny_preset), "--num-videos", "2", "--num-samples", "1"]
    assert main(args + ["--metrics", "fvd", "--out", str(tmp_path)]) == 2
    assert "protocol 'smmnist_5_10' is 5 context + 10 predicted" in capsys.readouterr().err
    assert main(args + ["--metrics", "fvd", "--protocol", "ucf", "--out", str(tmp_path)]) == 2
    assert "Unknown video metric protocol 'ucf'" in capsys.readouterr().err


def test_errors_exit_with_a_message(tiny_preset, tmp_path, capsys):
    assert main(["sample", "--preset", "no_such_preset", "--out", str(tmp_path / "x.gif")]) == 2
    assert "Unknown preset 'no_such_preset'" in capsys.readouterr().err
    assert (
        main(
            [
                "sample",
                "--preset",
                str(tiny_preset),
                "--dataset",
                "stochastic_moving_mnist/3digits",
                "--out",
                str(tmp_path / "x.gif"),
            ]
        )
        == 2
    )
    assert "3digits" in capsys.readouterr().err
    assert (
        main(
            [
                "evaluate",
                "--preset",
                str(tiny_preset),
                "--baselines",
                "oracle",
                "--out",
                str(tmp_path),
            ]
        )
        == 2
    )
    assert "oracle" in capsys.readouterr().err


@pytest.mark.large
def test_train_on_a_tfds_dataset_then_resume(tmp_path):
    from tfds_builders.stochastic_moving_mnist import stochastic_moving_mnist_dataset_builder as smm

    # Any TFDS video dataset works: a small SM-MNIST variant registered under its own name.
    class Builder(smm.Builder):
        name = "tiny_stochastic_moving_mnist"
        DEFAULT_BUILDER_CONFIG_NAME = "1digit"
        BUILDER_CONFIGS = [  # noqa: RUF012
            smm.StochasticMovingMnistConfig(
                name="1digit", num_digits=1, num_train=8, num_test=2, num_frames=6
            )
        ]

    del Builder
    args = [
        "train",
        "hier_vrnn",
        "--dataset",
        "tiny_stochastic_moving_mnist/1digit",
        "--data-dir",
        str(tmp_path / "tfds"),
        "--steps",
        "2",
        "--checkpoint-every",
        "1",
        "--batch-size",
        "2",
        "--out",
        str(tmp_path / "run"),
        "--set",
        *[f"{k}={json.dumps(v)}" for k, v in TINY_64_CONFIG.items() if k != "image_size"],
    ]
    assert main(args) == 0
    summary = json.loads((tmp_path / "run" / "train_summary.json").read_text())
    assert summary["optimizer_steps"] == 2
    assert (tmp_path / "run" / "samples" / "epoch_0002.png").is_file()
    model = HierarchicalVRNN.from_preset(str(tmp_path / "run" / "model.keras"))
    assert model.image_size == 64 and model.encoder_filters == (4, 4, 4, 4, 4)
    # Rerunning a finished run resumes from its backup and does no further steps.
    assert main(args) == 0
    summary = json.loads((tmp_path / "run" / "train_summary.json").read_text())
    assert summary["optimizer_steps"] == 2


def test_train_rejects_bad_step_counts(tmp_path, capsys):
    code = main(
        [
            "train",
            "hier_vrnn",
            "--dataset",
            "no_such_dataset",
            "--steps",
            "3",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 2
    assert "Unknown dataset 'no_such_dataset'" in capsys.readouterr().err


def test_package_preset_drops_optimizer_state(tmp_path, monkeypatch):

    monkeypatch.setenv("DYNSCENE_PRESETS_DIR", str(tmp_path / "presets"))
    model = HierarchicalVRNN(**TINY_64_CONFIG)
    model.compile(optimizer="adam")
    videos = np.zeros((2, 4, 64, 64, 1), "uint8")
    model.fit(videos, epochs=1, verbose=0)
    model.save(tmp_path / "trained.keras")
    code = main(
        [
            "package-preset",
            "--model",
            str(tmp_path / "trained.keras"),
            "--name",
            "tiny",
            "--dataset",
            "stochastic_moving_mnist/1digit",
            "--no-export",
        ]
    )
    assert code == 0
    folder = tmp_path / "presets" / "tiny"
    info = json.loads((folder / "preset.json").read_text())
    assert info == {"model_class": "HierarchicalVRNN", "dataset": "stochastic_moving_mnist/1digit"}
    assert (folder / "model.keras").stat().st_size < (tmp_path / "trained.keras").stat().st_size
    preset = HierarchicalVRNN.from_preset("tiny")
    for a, b in zip(preset.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert getattr(preset, "optimizer", None) is None  # saved uncompiled
    assert (
        main(
            [
                "sample",
                "--preset",
                "tiny",
                "--out",
                str(tmp_path / "s.gif"),
                "--num-clips",
                "1",
                "--num-samples",
                "1",
            ]
        )
        == 0
    )


def test_train_vim_with_slot_pretraining(tmp_path, capsys):
    from tfds_builders.random_walk import random_walk_dataset_builder as rw

    class Builder(rw.Builder):
        name = "tiny_random_walk"
        DEFAULT_BUILDER_CONFIG_NAME = "atomic"
        BUILDER_CONFIGS = [  # noqa: RUF012
            rw.RandomWalkConfig(
                name="atomic", num_frames=5, num_train=4, num_validation=2, num_test=2
            )
        ]

    del Builder
    from tests.models.vim.tiny_config import TINY_VIM_CONFIG

    overrides = {k: v for k, v in TINY_VIM_CONFIG.items() if k not in ("image_size", "channels")}
    args = ["train", "vim", "--dataset", "tiny_random_walk/atomic"]
    args += ["--data-dir", str(tmp_path / "tfds"), "--steps", "2", "--checkpoint-every", "1"]
    args += ["--batch-size", "2", "--pretrain-steps", "2", "--out", str(tmp_path / "run")]
    args += ["--set", *[f"{k}={json.dumps(v)}" for k, v in overrides.items()]]
    assert main(args) == 0
    assert "Slot attention pretraining on first frames: 2 steps" in capsys.readouterr().out
    summary = json.loads((tmp_path / "run" / "train_summary.json").read_text())
    assert summary["optimizer_steps"] == 2
    folder = tmp_path / "run" / "slot_pretraining"  # resumable, with its own history
    assert json.loads((folder / "train_summary.json").read_text())["optimizer_steps"] == 2
    assert (folder / "history.csv").is_file()
    assert main(args) == 0  # resumed: pretraining is skipped
    assert "slot pretraining already done" in capsys.readouterr().out
    # Killed after pretraining, before the first training checkpoint: the pretrained weights
    # come back from the pretraining checkpoint, with no pretraining step redone.
    before = keras.saving.load_model(folder / "model.keras").get_weights()
    shutil.rmtree(tmp_path / "run" / "backup")
    assert main(args) == 0
    assert "Resuming slot attention pretraining" in capsys.readouterr().out
    assert json.loads((folder / "train_summary.json").read_text())["optimizer_steps"] == 2
    after = keras.saving.load_model(folder / "model.keras").get_weights()
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)
    # An ablation (one module) starts from this run's pretrained slots; at learning rate 0 its
    # slot layers end exactly as loaded.
    common = ["train", "vim", "--dataset", "tiny_random_walk/atomic", "--steps", "2"]
    common += ["--data-dir", str(tmp_path / "tfds"), "--checkpoint-every", "1", "--batch-size", "2"]
    common += ["--learning-rate", "0", "--initial-learning-rate", "0"]
    sets = ["--set", *[f"{k}={json.dumps(v)}" for k, v in overrides.items()]]
    pretrained = ["--pretrained-slots", str(folder / "model.keras")]
    ablation = [*common, "--out", str(tmp_path / "ablation"), *pretrained, *sets, "num_modules=1"]
    assert main(ablation) == 0
    assert "Slot layers (encoder, slot attention, decoder) loaded from" in capsys.readouterr().out
    source = keras.saving.load_model(folder / "model.keras").vim
    trained = keras.saving.load_model(tmp_path / "ablation" / "model.keras")
    assert trained.num_modules == 1
    for name in ("encoder", "slot_attention", "decoder"):
        for a, b in zip(getattr(source, name).get_weights(), getattr(trained, name).get_weights()):
            np.testing.assert_array_equal(a, b)
    assert main([*args, *pretrained]) == 2
    assert "--pretrained-slots replaces slot pretraining" in capsys.readouterr().err
    wider = [*common, "--out", str(tmp_path / "wider"), *pretrained, *sets, "slot_size=12"]
    assert main(wider) == 2
    assert "the slot_attention of" in capsys.readouterr().err
    missing = [*common, "--out", str(tmp_path / "missing"), "--pretrained-slots", "none.keras"]
    assert main([*missing, *sets]) == 2
    assert "--pretrained-slots: no file at 'none.keras'" in capsys.readouterr().err
    bad_every = [*args[:4], "--data-dir", str(tmp_path / "tfds"), "--steps", "2"]
    bad_every += ["--checkpoint-every", "2", "--pretrain-steps", "3"]
    assert main(bad_every + ["--out", str(tmp_path / "bad_every")]) == 2
    assert "--pretrain-steps (3) must be a multiple of --checkpoint-every (2)" in (
        capsys.readouterr().err
    )
    bad = ["train", "hier_vrnn", "--dataset", "tiny_random_walk/atomic", "--steps", "1"]
    bad += ["--data-dir", str(tmp_path / "tfds"), "--pretrain-steps", "1"]
    assert main(bad + ["--out", str(tmp_path / "bad")]) == 2
    assert "--pretrain-steps needs a slot model" in capsys.readouterr().err


def test_evaluate_vim_writes_matching_reconstruction_and_tracking(tmp_path):
    from keras_dynscene.models import VIM
    from tests.models.vim.tiny_config import TINY_VIM_CONFIG
    from tfds_builders.random_walk import random_walk_dataset_builder as rw

    class Builder(rw.Builder):
        name = "tiny_walks"
        BUILDER_CONFIGS = [  # noqa: RUF012
            rw.RandomWalkConfig(name="atomic", num_frames=6, num_train=2, num_test=3),
            rw.RandomWalkConfig(
                name="compositional_ood",
                num_frames=6,
                moves_per_step=(1, 5),
                num_train=2,
                num_test=3,
            ),
        ]

    del Builder
    path = tmp_path / "vim.keras"
    VIM(**{**TINY_VIM_CONFIG, "image_size": 32}).save(path)
    args = ["evaluate", "--preset", str(path), "--dataset", "tiny_walks/atomic"]
    args += ["--ood-dataset", "tiny_walks/compositional_ood", "--num-videos", "3"]
    args += ["--baselines", "untrained", "--data-dir", str(tmp_path / "tfds")]
    one_module = tmp_path / "one_module.keras"
    VIM(**{**TINY_VIM_CONFIG, "image_size": 32, "num_modules": 1}).save(one_module)
    args += ["--compare", f"one_module={one_module}"]
    assert main(args + ["--out", str(tmp_path / "eval")]) == 0
    report = json.loads((tmp_path / "eval" / "metrics.json").read_text())
    assert set(report["model"]) == {
        "matching_accuracy",
        "reconstruction_mse_5_frames",
        "reconstruction_sse_per_frame_5_frames",
        "position_error_px",
        "modules_used",
        "fg_ari_5_frames",
    }
    assert -1.0 <= report["model"]["fg_ari_5_frames"] <= 1.0
    assert set(report["baselines"]) == {
        "untrained",
        "one_module",
        "same_module_always",
        "black_frames",
    }
    assert report["baselines"]["one_module"]["modules_used"] == 1
    # The trivial baselines, from the test videos themselves.
    from keras_dynscene.evaluation.vim_evaluation import load_random_walk_test

    test = load_random_walk_test("tiny_walks/atomic", 3, str(tmp_path / "tfds"))
    black = report["baselines"]["black_frames"]["reconstruction_mse_5_frames"]
    assert black == pytest.approx(np.mean(np.square(test["video"][:, :5] / 255.0)), rel=1e-5)
    shares = np.bincount(test["actions"].ravel(), minlength=4) / test["actions"].size
    chance = report["baselines"]["same_module_always"]["matching_accuracy"]
    assert chance == pytest.approx(shares.max())
    tracking = report["details"]["model"]["ood_tracking_error_by_iterations"]
    assert set(tracking) == {"1", "2", "4", "8"}
    assert (tmp_path / "eval" / "rule_module_matching.png").is_file()
    assert (tmp_path / "eval" / "ood_tracking_error.png").is_file()


@pytest.mark.large
def test_jump_train_evaluate_sample_package_and_export(tmp_path, monkeypatch, capsys):
    from keras_dynscene.models import GQN
    from keras_dynscene.models import JUMP
    from tests.models.jump.test_jump import TINY
    from tfds_builders.narratives import narratives_dataset_builder as narratives

    class Builder(narratives.Builder):
        name = "tiny_narratives"
        DEFAULT_BUILDER_CONFIG_NAME = "salesman"
        BUILDER_CONFIGS = [  # noqa: RUF012
            narratives.NarrativesConfig(
                name="salesman", num_frames=8, image_size=32, num_train=4, num_test=3
            )
        ]

    del Builder
    data = ["--dataset", "tiny_narratives/salesman", "--data-dir", str(tmp_path / "tfds")]
    tiny = {**TINY, "max_context": 3, "max_targets": 3}
    overrides = {k: v for k, v in tiny.items() if k not in ("image_size", "pixel_variance")}
    args = ["train", "jump", *data, "--steps", "2", "--checkpoint-every", "1"]
    args += ["--batch-size", "2", "--out", str(tmp_path / "run")]
    args += ["--set", *[f"{k}={json.dumps(v)}" for k, v in overrides.items()]]
    assert main(args) == 0
    summary = json.loads((tmp_path / "run" / "train_summary.json").read_text())
    assert summary["optimizer_steps"] == 2
    grid = Image.open(tmp_path / "run" / "samples" / "epoch_0002.png")
    assert grid.size == (8 * 38, 2 * 4 * 38)  # 2 scenes x (truth + 3 samples), 8 frames
    trained = tmp_path / "run" / "model.keras"
    assert isinstance(JUMP.from_preset(str(trained)), JUMP)

    gqn = tmp_path / "gqn.keras"
    GQN(**{**tiny, "image_size": 32}).save(gqn)
    args = ["evaluate", "--preset", str(trained), *data, "--num-videos", "3"]
    args += ["--num-samples", "2", "--consistency", "--compare", str(gqn)]
    args += ["--baselines", "copy_nearest_context_frame,untrained"]
    assert main(args + ["--out", str(tmp_path / "eval")]) == 0
    report = json.loads((tmp_path / "eval" / "metrics.json").read_text())
    methods = {"model", "untrained", str(gqn), "copy_nearest_context_frame"}
    assert set(report["min_mse"]) == {"forward", "backward", "jumpy"}
    assert all(set(results) == methods for results in report["min_mse"].values())
    assert report["tasks"]["forward"] == {"context": [0, 1, 2], "queries": [3, 4, 5, 6, 7]}
    assert report["consistency"][str(gqn)]["duplicate"]["ratio"] == pytest.approx(3.0, rel=1e-3)
    assert (tmp_path / "eval" / "min_mse_jumpy.png").is_file()
    bad = ["evaluate", "--preset", str(trained), *data, "--baselines", "copy_last_frame,nope"]
    assert main(bad + ["--out", str(tmp_path / "bad")]) == 2
    assert "Unknown baselines ['nope']" in capsys.readouterr().err

    out = tmp_path / "jump.gif"
    args = ["sample", "--preset", str(trained), *data, "--out", str(out)]
    assert main(args + ["--num-clips", "2", "--num-samples", "2"]) == 0
    gif = Image.open(out)
    assert gif.n_frames == 8 and gif.size == (3 * 38, 3 * 38)  # 3 tasks x (truth + 2 samples)
    png = Image.open(out.with_suffix(".png"))
    assert png.size == (8 * 38, 3 * 2 * (3 * 38 + 4))  # 3 tasks x 2 scenes, separators

    monkeypatch.setenv("DYNSCENE_PRESETS_DIR", str(tmp_path / "presets"))
    args = ["package-preset", "--model", str(trained), "--name", "tiny_jump"]
    assert main(args + ["--dataset", "tiny_narratives/salesman"]) == 0
    import tensorflow as tf

    loaded = tf.saved_model.load(str(tmp_path / "presets" / "tiny_jump" / "saved_model"))
    assert {"serving_default", "render", "render_uint8"} <= set(loaded.signatures)
    assert main(["export", "--preset", "tiny_jump", "--out", str(tmp_path / "exported")]) == 0
    assert "signature 'render'" in capsys.readouterr().out


@pytest.mark.large
def test_cvg_trains_level_by_level_resumes_and_samples(tmp_path, capsys):
    from keras_dynscene.models import CascadedVideoGAN
    from tests.models.cvg.tiny_config import TINY_CVG_CONFIG
    from tfds_builders.stochastic_moving_mnist import stochastic_moving_mnist_dataset_builder as smm

    class Builder(smm.Builder):
        name = "tiny_labelled_mnist"
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
    data = ["--dataset", "tiny_labelled_mnist/tiny", "--data-dir", str(tmp_path / "tfds")]
    overrides = {k: v for k, v in TINY_CVG_CONFIG.items() if k not in ("seed", "channels")}
    overrides.update({"image_size": 32, "num_classes": 10})
    level_1 = ["train", "cvg", *data, "--steps", "1", "--checkpoint-every", "1"]
    level_1 += ["--batch-size", "2", "--out", str(tmp_path / "level_1"), "--learning-rate", "1e-4"]
    level_1 += ["--beta-1", "0", "--beta-2", "0.999"]
    level_1 += ["--set", *[f"{k}={json.dumps(v)}" for k, v in overrides.items()]]
    not_a_cascade = ["train", "hier_vrnn", *data, "--steps", "1", "--level", "2"]
    assert main([*not_a_cascade, "--out", str(tmp_path / "bad")]) == 2
    assert "--level and --d-learning-rate are for cascaded GANs" in capsys.readouterr().err
    assert main(level_1) == 0
    summary = json.loads((tmp_path / "level_1" / "train_summary.json").read_text())
    assert summary["optimizer_steps"] == 1  # generator steps; D made 2
    assert (tmp_path / "level_1" / "samples" / "epoch_0001.gif").is_file()
    trained = tmp_path / "level_1" / "model.keras"

    def level_2(steps):
        args = ["train", str(trained), *data, "--steps", str(steps), "--checkpoint-every", "1"]
        return args + ["--batch-size", "2", "--level", "2", "--out", str(tmp_path / "level_2")]

    assert main(level_2(1)) == 0
    assert "Training level 2 of 2" in capsys.readouterr().out
    model = CascadedVideoGAN.from_preset(str(tmp_path / "level_2" / "model.keras"))
    first = keras.saving.load_model(trained)
    # Level 1 was frozen while level 2 trained.
    for a, b in zip(first.generators[0].weights, model.generators[0].weights):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))
    # A second run in the same folder with more steps resumes from the checkpoint.
    assert main(level_2(2)) == 0
    summary = json.loads((tmp_path / "level_2" / "train_summary.json").read_text())
    assert summary["optimizer_steps"] == 2

    gif = tmp_path / "cvg.gif"
    args = ["sample", "--preset", str(tmp_path / "level_2" / "model.keras"), "--num-clips", "2"]
    capsys.readouterr()
    assert main([*args, "--num-frames", "8", "--statistics-passes", "2", "--out", str(gif)]) == 0
    # Level 1 trained on 4 frames: an 8-frame unroll first refits the per-frame statistics.
    assert "statistics for 8 first-level frames (2 dummy" in capsys.readouterr().out
    frames = Image.open(gif).n_frames
    assert frames == 16  # 8 first-level frames unrolled to 16 (the level-2 window makes 4)
    strip = Image.open(gif.with_suffix(".png"))
    assert strip.size == (16 * 34 - 2, 2 * 2 * 34 - 2)


def test_inferno_trains_on_images_switches_stage_samples_and_exports(tmp_path, monkeypatch, capsys):
    from keras_dynscene.models import INFERNO
    from tests.models.inferno.tiny_config import TINY_INFERNO_CONFIG
    from tfds_builders.procedural_objects3d import procedural_objects3d_dataset_builder as objects

    class Builder(objects.Builder):
        name = "tiny_objects3d"
        DEFAULT_BUILDER_CONFIG_NAME = "16x16"
        BUILDER_CONFIGS = [  # noqa: RUF012
            objects.ProceduralObjects3DConfig(
                name="16x16", image_size=16, max_objects=2, num_train=4, num_test=2
            )
        ]

    del Builder
    data = ["--dataset", "tiny_objects3d/16x16", "--data-dir", str(tmp_path / "tfds")]
    overrides = {
        k: v for k, v in TINY_INFERNO_CONFIG.items() if k not in ("image_size", "channels")
    }
    overrides["full_resolution_training_rays"] = 32
    args = ["train", "inferno", *data, "--steps", "3", "--checkpoint-every", "1"]
    args += ["--batch-size", "2", "--switch-step", "2", "--out", str(tmp_path / "run")]
    args += ["--set", *[f"{k}={json.dumps(v)}" for k, v in overrides.items()]]
    assert main(args) == 0
    assert "rendering at full resolution" in capsys.readouterr().out
    summary = json.loads((tmp_path / "run" / "train_summary.json").read_text())
    assert summary["optimizer_steps"] == 3
    trained = INFERNO.from_preset(str(tmp_path / "run" / "model.keras"))
    assert trained.render_stage == "full"
    assert sorted(p.name for p in (tmp_path / "run" / "samples").glob("*.png"))

    args = ["evaluate", "--preset", str(tmp_path / "run" / "model.keras"), *data]
    args += ["--num-videos", "2", "--metrics", "mse,psnr,ssim,fvd"]  # fvd: not for images
    assert main(args + ["--out", str(tmp_path / "eval")]) == 0
    report = json.loads((tmp_path / "eval" / "metrics.json").read_text())
    assert set(report["baselines"]) == {"untrained", "mean_image"}
    assert {"mse", "psnr", "ssim", "fg_ari_attention", "fg_ari_rendered"} <= set(report["model"])
    removal = report["model"]["object_removal"]
    assert removal["removed"]["region_mse"] >= 0 and removal["no_edit"]["region_mse"] > 0
    assert report["protocol"]["num_images"] == 2
    assert (tmp_path / "eval" / "scene_inference_metrics.png").is_file()
    bad = ["evaluate", "--preset", str(tmp_path / "run" / "model.keras"), *data]
    assert main(bad + ["--baselines", "copy_last_frame", "--out", str(tmp_path / "bad")]) == 2
    assert "available for scene inference: ['untrained', 'mean_image']" in capsys.readouterr().err
    bad = ["evaluate", "--preset", str(tmp_path / "run" / "model.keras"), *data]
    assert main(bad + ["--num-videos", "5", "--out", str(tmp_path / "bad")]) == 2
    assert "has 2 test scenes; received --num-videos 5" in capsys.readouterr().err

    out = tmp_path / "scenes.png"
    args = ["sample", "--preset", str(tmp_path / "run" / "model.keras"), *data]
    assert main(args + ["--num-clips", "2", "--out", str(out)]) == 0
    grid = Image.open(out)
    # Per image: input, reconstruction, 2 objects, 4 edits; one row per test image.
    assert "2 objects alone" in capsys.readouterr().out
    assert grid.size[0] > grid.size[1] > 0

    monkeypatch.setenv("DYNSCENE_PRESETS_DIR", str(tmp_path / "presets"))
    args = ["package-preset", "--model", str(tmp_path / "run" / "model.keras")]
    assert main(args + ["--name", "tiny_inferno", "--dataset", "tiny_objects3d/16x16"]) == 0
    import tensorflow as tf

    loaded = tf.saved_model.load(str(tmp_path / "presets" / "tiny_inferno" / "saved_model"))
    assert {"serving_default", "infer_scene", "render_scene"} <= set(loaded.signatures)

    video = ["train", "hier_vrnn", *data, "--steps", "1", "--out", str(tmp_path / "bad")]
    assert main(video) == 2
    assert "holds single images" in capsys.readouterr().err
    bad = ["train", "inferno", *data, "--steps", "1", "--level", "2"]
    assert main(bad + ["--out", str(tmp_path / "bad")]) == 2
    assert "not INFERNO options" in capsys.readouterr().err
