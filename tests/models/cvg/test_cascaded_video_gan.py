import os
import tempfile
import warnings

import keras
import numpy as np
import pytest

from keras_dynscene.layers.conditional_batch_normalization import ConditionalBatchNormalization
from keras_dynscene.models import CascadedVideoGAN
from keras_dynscene.models.cvg.cascaded_video_gan import hinge_discriminator_loss
from keras_dynscene.models.cvg.cascaded_video_gan import hinge_generator_loss
from tests.models.cvg.tiny_config import TINY_CVG_CONFIG
from tests.test_case import TestCase
from tests.test_case import not_on_jax


def examples(batch=4, seed=0):
    rng = np.random.default_rng(seed)
    video = rng.integers(0, 256, (batch, 8, 16, 16, 1)).astype("uint8")
    return {"video": video, "label": (np.arange(batch) % 3).astype("int64")}


def values(variables):
    return [keras.ops.convert_to_numpy(v).copy() for v in variables]


def changed(before, variables):
    return any(not np.allclose(a, b) for a, b in zip(before, values(variables)))


def moving_means(layer):
    return [
        keras.ops.convert_to_numpy(norm.moving_mean).copy()
        for norm in layer._flatten_layers()
        if isinstance(norm, ConditionalBatchNormalization)
    ]


@pytest.mark.backends
class TestCascadedVideoGAN(TestCase):
    @not_on_jax
    def test_every_level_has_the_cascade_shapes(self):
        model = CascadedVideoGAN(**TINY_CVG_CONFIG)
        level_1, level_2 = model.generate(labels=[0, 2], seed=1, return_all_levels=True)
        assert tuple(level_1.shape) == (2, 4, 8, 8, 1)
        assert tuple(level_2.shape) == (2, 8, 16, 16, 1)
        for video in (level_1, level_2):
            array = keras.ops.convert_to_numpy(video)
            assert array.min() >= 0.0 and array.max() <= 1.0
        # Unrolled past the training window (2 -> 4 first-level windows of level 2).
        with pytest.warns(UserWarning, match="per-frame batch-norm statistics cover 4"):
            longer = model.generate(labels=[1], num_frames=8, seed=1)
        assert tuple(longer.shape) == (1, 16, 16, 16, 1)

    @not_on_jax
    def test_same_seed_same_videos(self):
        model = CascadedVideoGAN(**TINY_CVG_CONFIG)
        first = model.generate(labels=[0, 1], seed=3)
        self.assert_allclose(first, model.generate(labels=[0, 1], seed=3))
        other = keras.ops.convert_to_numpy(model.generate(labels=[0, 1], seed=4))
        assert not np.allclose(keras.ops.convert_to_numpy(first), other)

    def test_each_level_trains_then_saves_reloads_and_resumes(self):
        # One test for the whole life cycle keeps the traced train steps to two per backend.
        model = CascadedVideoGAN(**TINY_CVG_CONFIG)
        model.compile(level=1)
        generator = values(model.generator_variables())
        discriminator = values(model.discriminator_variables())
        statistics = moving_means(model.generators[0])
        level_2 = values(model.generators[1].weights)
        history = model.fit(examples(), batch_size=4, epochs=1, verbose=0).history
        assert {"d_loss", "g_loss", "d_real", "d_fake"} <= set(history)
        assert all(np.isfinite(v[0]) for v in history.values())
        assert changed(generator, model.generator_variables())
        assert changed(discriminator, model.discriminator_variables())
        updated = moving_means(model.generators[0])
        assert any(not np.allclose(a, b) for a, b in zip(statistics, updated))
        assert not changed(level_2, model.generators[1].weights)
        assert int(keras.ops.convert_to_numpy(model.d_optimizer.iterations)) == 2
        assert int(keras.ops.convert_to_numpy(model.g_optimizer.iterations)) == 1

        model.compile(level=2)
        assert all("level_2" in v.path for v in model.trainable_variables)
        frozen = values(model.generators[0].weights)
        generator = values(model.generator_variables())
        matching = values(model.matching_discriminators[0].trainable_variables)
        model.fit(examples(), batch_size=4, epochs=1, verbose=0)
        assert changed(generator, model.generator_variables())
        assert changed(matching, model.matching_discriminators[0].trainable_variables)
        assert not changed(frozen, model.generators[0].weights)

        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "cvg.keras")
            model.save(path)
            restored = keras.saving.load_model(path)
        assert restored.training_level == 2
        for a, b in zip(model.optimizer.variables, restored.optimizer.variables):
            self.assert_allclose(a, b)
        self.assert_allclose(
            model.generate(labels=[2], seed=0), restored.generate(labels=[2], seed=0), atol=1e-5
        )
        restored.fit(examples(seed=1), batch_size=4, epochs=1, verbose=0)
        assert int(keras.ops.convert_to_numpy(restored.d_optimizer.iterations)) == 4
        assert int(keras.ops.convert_to_numpy(restored.g_optimizer.iterations)) == 2

    def test_window_unroll_equals_the_direct_pass_on_each_window(self):
        model = CascadedVideoGAN(**TINY_CVG_CONFIG)
        noise = [keras.random.normal((2, 4), seed=i) for i in range(2)]
        labels = keras.ops.convert_to_tensor(np.array([0, 1], "int32"))
        low, high = model.generate_from_noise(noise, labels, num_frames=4)
        for start in (0, 2):
            window = low[:, start : start + 2]
            direct = model.generators[1](noise[1], window, labels=labels, training=False)
            self.assert_allclose(high[:, 2 * start : 2 * start + 4], direct, atol=1e-5)

    @not_on_jax
    def test_recomputed_statistics_cover_a_longer_full_unroll(self):
        model = CascadedVideoGAN(**TINY_CVG_CONFIG)
        # Trained statistics: 4 first-level frames, level-2 windows of 4 output frames.
        assert model.frames_with_statistics("windows") == 4
        assert model.frames_with_statistics("full") == 2
        with pytest.warns(UserWarning, match=r"recompute_batch_norm_statistics\(6\)"):
            model.generate(labels=[0], num_frames=6, seed=0, unroll="full")
        model.recompute_batch_norm_statistics(num_frames=6, passes=2, batch_size=2, seed=0)
        assert model.statistics_frames == 6
        assert model.from_config(model.get_config()).frames_with_statistics("full") == 6
        means = moving_means(model.generators[1])
        # Level 2 sees 12 frames in a full unroll: statistics now exist for all 12 indices.
        assert all(np.any(mean[8:12] != 0.0) for mean in means)
        assert all(np.all(mean[12:] == 0.0) for mean in means)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            video = model.generate(labels=[0], num_frames=6, seed=0, unroll="full")
        assert tuple(video.shape) == (1, 12, 16, 16, 1)

    @not_on_jax
    def test_unconditional_cascade_samples_by_count(self):
        model = CascadedVideoGAN(**{**TINY_CVG_CONFIG, "num_classes": 0})
        assert tuple(model.generate(num_samples=3, seed=0).shape) == (3, 8, 16, 16, 1)

    @not_on_jax
    def test_one_level_is_the_non_cascaded_baseline(self):
        # No upsampling levels: one generator at the full size (the baseline of figure 6.3).
        config = {
            **TINY_CVG_CONFIG,
            **{"spatial_factors": [], "temporal_factors": [], "window_frames": []},
            "generator_channels": [4],
            "generator_multipliers": [[2, 2, 1]],
            "discriminator_channels": [4],
            "discriminator_multipliers": [[1, 2]],
        }
        model = CascadedVideoGAN(**config)
        assert model.num_levels == 1 and model.sizes == [16] and model.frames == [8]
        assert tuple(model.generate(labels=[0, 2], seed=0).shape) == (2, 8, 16, 16, 1)
        for loss, _ in (model.discriminator_loss(examples()), model.generator_loss(examples())):
            assert np.isfinite(keras.ops.convert_to_numpy(loss))

    @not_on_jax
    def test_no_matching_discriminator_ablation_drops_its_logits(self):
        with_md = CascadedVideoGAN(**TINY_CVG_CONFIG)
        without = CascadedVideoGAN(**{**TINY_CVG_CONFIG, "matching_discriminator": False})
        assert not without.matching_discriminators
        labels = keras.ops.convert_to_tensor(np.array([0, 1], "int32"))
        fake, lower = with_md.fake_views(labels, 2, level=2, training=False)
        # 2 spatial frames + 4 temporal frames (+ 2 matching frames at the lower frame rate).
        assert with_md._discriminator_logits(2, fake, lower, labels, False).shape[1] == 8
        assert without._discriminator_logits(2, fake, lower, labels, False).shape[1] == 6


class TestCascadedVideoGANLosses(TestCase):
    def test_hinge_losses(self):
        real = np.array([[2.0, 0.5], [-1.0, 1.0]], "float32")
        fake = np.array([[-2.0, 0.0], [0.5, -0.5]], "float32")
        # relu(1 - real) = [0, .5, 2, 0] -> .625; relu(1 + fake) = [0, 1, 1.5, .5] -> .75
        self.assert_allclose(hinge_discriminator_loss(real, fake), 1.375)
        self.assert_allclose(hinge_generator_loss(fake), 0.5)

    def test_config_round_trip(self):
        model = CascadedVideoGAN(**TINY_CVG_CONFIG)
        revived = CascadedVideoGAN.from_config(model.get_config())
        assert revived.get_config() == model.get_config()


class TestCascadedVideoGANErrors:
    def test_label_out_of_range(self):
        model = CascadedVideoGAN(**TINY_CVG_CONFIG)
        with pytest.raises(ValueError, match=r"Labels must lie in \[0, 2\]"):
            model.generate(labels=[3])
        with pytest.raises(ValueError, match="class-conditional"):
            model.generate(num_samples=2)

    def test_window_longer_than_input(self):
        with pytest.raises(ValueError, match="cannot be longer than its input"):
            CascadedVideoGAN(**{**TINY_CVG_CONFIG, "window_frames": [5]})

    def test_resolution_not_divisible_by_the_cascade(self):
        with pytest.raises(ValueError, match="not divisible by the cascade's spatial factors"):
            CascadedVideoGAN(**{**TINY_CVG_CONFIG, "image_size": 17})
        with pytest.raises(ValueError, match="not divisible by the cascade's temporal factors"):
            CascadedVideoGAN(**{**TINY_CVG_CONFIG, "num_frames": 7})

    def test_unroll_length_not_a_multiple_of_the_window(self):
        model = CascadedVideoGAN(**TINY_CVG_CONFIG)
        with pytest.raises(ValueError, match="multiple of 2"):
            model.generate(labels=[0], num_frames=5)

    def test_bad_training_level_and_data(self):
        model = CascadedVideoGAN(**TINY_CVG_CONFIG)
        with pytest.raises(ValueError, match=r"`level` must be an int in \[1, 2\]"):
            model.compile(level=3)
        with pytest.raises(ValueError, match="give each video a `label`"):
            model.discriminator_loss({"video": examples()["video"]})
        with pytest.raises(ValueError, match="built for 16x16x1 frames"):
            model.discriminator_loss(np.zeros((2, 8, 32, 32, 1), "float32"))


@pytest.mark.backends
@not_on_jax
def test_shipped_preset_draws_the_requested_digit_grounded_in_level_1():
    from keras_dynscene.evaluation.cascade_evaluation import grounding_error

    model = CascadedVideoGAN.from_preset("cvg_smmnist")
    assert (model.image_size, model.num_frames, model.num_classes) == (32, 16, 10)
    assert model.frames_with_statistics() == 16  # refitted for a 2x unroll when packaged
    labels = np.repeat([0, 1], 6).astype("int32")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        levels = model.generate(labels=labels, num_frames=16, seed=0, return_all_levels=True)
    low, high = [keras.ops.convert_to_numpy(video) for video in levels]
    assert low.shape == (12, 16, 16, 16, 1) and high.shape == (12, 32, 32, 32, 1)
    # Class conditioning: in SM-MNIST a "1" has ~40% of the ink of a "0" (test split: 0.055 vs
    # 0.136 mean intensity); the generated digits keep that order and gap.
    assert high[labels == 1].mean() < 0.7 * high[labels == 0].mean()
    # Level 2 follows its own level-1 video: taken back down it matches that video far better
    # than another video's level 1.
    own = grounding_error(high, low, 2, 2).mean()
    assert own < 0.5 * grounding_error(high, np.roll(low, 1, axis=0), 2, 2).mean()
