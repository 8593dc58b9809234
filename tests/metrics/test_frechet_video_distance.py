import numpy as np
import pytest
from scipy import ndimage

from keras_dynscene.data.stochastic_moving_mnist import StochasticMovingMNIST
from keras_dynscene.metrics import VIDEO_METRIC_PROTOCOLS
from keras_dynscene.metrics import FeatureCache
from keras_dynscene.metrics import I3DFeatureExtractor
from keras_dynscene.metrics import evaluate_video_population_metrics
from keras_dynscene.metrics import frechet_distance
from keras_dynscene.metrics import frechet_video_distance
from keras_dynscene.metrics import video_inception_score

SMALL_PROTOCOL = VIDEO_METRIC_PROTOCOLS["smmnist_5_10"].replace(
    name="test_2_8", context_frames=2, predicted_frames=8, repeats=2
)


@pytest.fixture(scope="module")
def extractor():
    return I3DFeatureExtractor(batch_size=8)


@pytest.fixture(scope="module")
def moving_digits():
    """16 Stochastic Moving MNIST clips of 10 frames, 32x32, RGB floats in [0, 1]."""
    generator = StochasticMovingMNIST(
        num_digits=1, image_size=32, num_frames=10, digit_split="test"
    )
    return np.repeat(generator.generate(16, seed=0).astype("float32") / 255.0, 3, axis=-1)


def test_set_with_itself_is_zero_and_grows_with_noise_and_blur(extractor, moving_digits):
    real = extractor(moving_digits, progress=False)["logits"]
    rng = np.random.default_rng(0)

    def fvd_to(videos):
        return frechet_distance(real, extractor(videos, progress=False)["logits"])

    assert abs(frechet_video_distance(moving_digits, moving_digits, extractor)["value"]) < 1e-6
    noisy = [
        fvd_to(np.clip(moving_digits + sigma * rng.normal(size=moving_digits.shape), 0, 1))
        for sigma in (0.05, 0.15, 0.4)
    ]
    blurred = [
        fvd_to(ndimage.gaussian_filter(moving_digits, sigma=(0, 0, s, s, 0))) for s in (0.5, 1, 2)
    ]
    assert 0 < noisy[0] < noisy[1] < noisy[2]
    assert 0 < blurred[0] < blurred[1] < blurred[2]


def test_result_records_features_counts_and_weights(extractor, moving_digits):
    result = frechet_video_distance(moving_digits[:8], moving_digits[8:], extractor, "features")
    assert result["feature"] == "features"
    assert (result["num_real"], result["num_generated"]) == (8, 8)
    assert len(result["extractor"]["weights_sha256"]) == 64
    assert result["extractor"]["resize_method"] == "tf1_bilinear"


def test_uint8_and_float_inputs_agree(extractor, moving_digits):
    as_uint8 = np.round(moving_digits[:4] * 255).astype("uint8")
    np.testing.assert_allclose(
        extractor(as_uint8, progress=False)["logits"],
        extractor(as_uint8.astype("float32") / 255.0, progress=False)["logits"],
        atol=1e-4,
    )


def test_grayscale_is_replicated_to_rgb(extractor, moving_digits):
    np.testing.assert_allclose(
        extractor(moving_digits[:2, ..., :1], progress=False)["logits"],
        extractor(moving_digits[:2], progress=False)["logits"],
        atol=1e-4,
    )


def test_resize_method_changes_fvd_measurably(moving_digits):
    rng = np.random.default_rng(3)
    noisy = np.clip(moving_digits + 0.2 * rng.normal(size=moving_digits.shape), 0, 1)
    values = {
        method: frechet_video_distance(
            moving_digits, noisy, I3DFeatureExtractor(resize_method=method)
        )["value"]
        for method in ("tf1_bilinear", "bilinear")
    }
    relative = abs(values["bilinear"] - values["tf1_bilinear"]) / values["tf1_bilinear"]
    assert relative > 0.005, values


def test_protocol_repeats_sample_choice_and_cache(extractor, moving_digits, tmp_path):
    context, truth = moving_digits[:, :2], moving_digits[:, 2:]
    rng = np.random.default_rng(4)
    samples = np.clip(truth[:, None] + 0.1 * rng.normal(size=(16, 3, *truth.shape[1:])), 0, 1)
    cache = FeatureCache(str(tmp_path))
    key = {"dataset": "smmnist_test_fixture", "split": "test"}
    first = evaluate_video_population_metrics(
        truth,
        samples,
        context,
        SMALL_PROTOCOL,
        ["fvd", "i3d_fid", "inception_score"],
        extractor,
        seed=1,
        cache=cache,
        real_data_key=key,
        progress=False,
    )
    assert len(first["fvd"]["per_repeat"]) == 2 and first["fvd"]["mean"] > 0
    assert first["protocol"]["name"] == "test_2_8" and first["frames_per_video"] == 10
    assert first["real_features_cached"] is False
    assert first["real_statistics_rank_deficient"] is True
    second = evaluate_video_population_metrics(
        truth,
        samples,
        context,
        SMALL_PROTOCOL,
        ["fvd", "i3d_fid", "inception_score"],
        extractor,
        seed=1,
        cache=cache,
        real_data_key=key,
        progress=False,
    )
    assert second["real_features_cached"] is True
    assert second["fvd"] == first["fvd"] and second["i3d_fid"] == first["i3d_fid"]
    assert len(list(tmp_path.glob("*.npz"))) == 1 and len(list(tmp_path.glob("*.json"))) == 1


def test_video_inception_score(extractor, moving_digits):
    result = video_inception_score(moving_digits, extractor, num_splits=2)
    assert result["mean"] >= 1.0 and result["num_samples"] == 16


def test_protocol_errors_are_explained(extractor, moving_digits):
    context, truth = moving_digits[:, :2], moving_digits[:, 2:]
    samples = truth[:, None]
    with pytest.raises(ValueError, match="expected 28 predicted frames, received 8"):
        evaluate_video_population_metrics(truth, samples, context, "bair_2_28", extractor=extractor)
    with pytest.raises(ValueError, match="expected 256 test videos, received 16"):
        evaluate_video_population_metrics(
            truth,
            samples,
            context,
            VIDEO_METRIC_PROTOCOLS["bair_2_28"].replace(context_frames=2, predicted_frames=8),
            extractor=extractor,
        )
    with pytest.raises(ValueError, match="expected 2 context frames, received 3"):
        evaluate_video_population_metrics(
            truth[:, 1:],
            samples[:, :, 1:],
            moving_digits[:, :3],
            SMALL_PROTOCOL.replace(predicted_frames=7),
            extractor=extractor,
        )
    with pytest.raises(ValueError, match="Unknown video metric protocol"):
        evaluate_video_population_metrics(truth, samples, context, "bair", extractor=extractor)
    with pytest.raises(ValueError, match="unknown metrics"):
        evaluate_video_population_metrics(
            truth, samples, context, SMALL_PROTOCOL, ["ssim"], extractor=extractor
        )
    with pytest.raises(ValueError, match="samples .* do not match ground_truth"):
        evaluate_video_population_metrics(
            truth, samples[:, :, 1:], context, SMALL_PROTOCOL, extractor=extractor
        )


def test_input_errors_are_explained(extractor, moving_digits):
    with pytest.raises(ValueError, match="at least 9 frames, received 8.*NaN"):
        extractor(moving_digits[:, :8], progress=False)
    with pytest.raises(ValueError, match="float videos in \\[0, 1\\].*\\(x \\+ 1\\) / 2"):
        extractor(moving_digits * 2 - 1, progress=False)
    with pytest.raises(ValueError, match="1 \\(grayscale\\) or 3 \\(RGB\\) channels"):
        extractor(moving_digits[..., :2], progress=False)
    with pytest.raises(ValueError, match="at least 2 features_a vectors"):
        frechet_video_distance(moving_digits[:1], moving_digits[1:3], extractor)
    with pytest.raises(ValueError, match="expected resize_method"):
        I3DFeatureExtractor(resize_method="area")
    with pytest.raises(FileNotFoundError, match="no checkpoint file"):
        I3DFeatureExtractor(weights="/nonexistent/i3d.ckpt")


SHAPES = [(2, 10, 64, 64, 1), (3, 12, 32, 32, 3), (2, 16, 16, 16, 1)]


def test_one_extractor_serves_clips_of_several_sizes(extractor):
    # TF's retracing relaxes a changed frame size to None; every new clip shape gets its own
    # trace, so a shared extractor keeps working (and the same clips give the same features).
    rng = np.random.default_rng(0)
    clips = {shape: rng.integers(0, 256, shape).astype("uint8") for shape in SHAPES}
    first = {shape: extractor(clip, progress=False)["logits"] for shape, clip in clips.items()}
    again = extractor(clips[SHAPES[0]], progress=False)["logits"]
    assert [first[shape].shape for shape in SHAPES] == [(2, 400), (3, 400), (2, 400)]
    np.testing.assert_allclose(again, first[SHAPES[0]], atol=1e-4)
