import keras
import numpy as np
import pytest
from keras import ops
from sklearn.metrics import adjusted_rand_score

from keras_dynscene.metrics import adjusted_rand_index
from keras_dynscene.metrics import foreground_adjusted_rand_index
from tests.test_case import TestCase

# float32 pair counts versus sklearn's exact integers: |difference| stays below 1e-6 here.
ATOL = 1e-6


def sklearn_ari(true_ids, pred_ids, ignore_background=False, background_id=0):
    """sklearn's ARI of each image, optionally over the pixels outside the true background."""
    values = []
    for true, pred in zip(true_ids, pred_ids):
        true, pred = true.ravel(), pred.ravel()
        if ignore_background:
            keep = true != background_id
            true, pred = true[keep], pred[keep]
        values.append(adjusted_rand_score(true, pred))
    return np.array(values)


def random_case(seed, shape=(6, 12, 10), num_true=4, num_pred=6):
    """Random labelings, plus images whose prediction is a relabeling or a noisy copy."""
    rng = np.random.default_rng(seed)
    true = rng.integers(0, num_true, shape)
    pred = rng.integers(0, num_pred, shape)
    pred[1] = (true[1] * 7 + 3) % 11 % num_pred  # an injective relabeling
    noisy = rng.random(shape[1:]) < 0.2
    pred[2] = np.where(noisy, pred[2], true[2])
    pred[3] = true[3] // 2  # merged segments
    return true.astype("int32"), pred.astype("int32")


def blob_case():
    """Rectangles on a background, predicted with shifted and split boundaries."""
    true = np.zeros((3, 24, 24), "int32")
    true[:, 2:10, 3:12] = 1
    true[:, 12:22, 5:20] = 2
    true[:, 4:8, 15:22] = 3
    pred = np.zeros_like(true)
    pred[0] = np.roll(true[0], 2, axis=1)  # shifted by two pixels
    pred[1] = true[1]
    pred[1, :, 12:] += 4 * (true[1, :, 12:] > 0)  # objects split down the middle
    pred[2] = np.where(true[2] > 0, 1, 0)  # all objects merged into one segment
    return true, pred


def random_masks(rng, shape, num_slots):
    logits = 3.0 * rng.standard_normal((*shape, num_slots))
    masks = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    return masks.astype("float32")


@pytest.mark.backends
class TestAdjustedRandIndex(TestCase):
    def test_matches_sklearn_on_random_labelings(self):
        for seed in range(3):
            true, pred = random_case(seed)
            values = adjusted_rand_index(true, pred)
            assert tuple(values.shape) == (6,)
            assert ops.convert_to_numpy(values).dtype == np.float32
            self.assert_allclose(values, sklearn_ari(true, pred), atol=ATOL, rtol=0)
            self.assert_allclose(
                adjusted_rand_index(true, pred, ignore_background=True),
                sklearn_ari(true, pred, ignore_background=True),
                atol=ATOL,
                rtol=0,
            )

    def test_matches_sklearn_on_structured_segmentations(self):
        true, pred = blob_case()
        expected = sklearn_ari(true, pred)
        assert np.all(expected < 0.95)  # no case is trivially perfect
        self.assert_allclose(adjusted_rand_index(true, pred), expected, atol=ATOL, rtol=0)
        fg_expected = sklearn_ari(true, pred, ignore_background=True)
        self.assert_allclose(
            foreground_adjusted_rand_index(true, pred), fg_expected, atol=ATOL, rtol=0
        )
        # Merging the background into an object only matters for the plain ARI.
        merged = np.where(true == 0, 1, true)
        self.assert_allclose(foreground_adjusted_rand_index(true, merged), [1.0] * 3)
        assert np.all(ops.convert_to_numpy(adjusted_rand_index(true, merged)) < 1.0)

    def test_matches_sklearn_on_large_images(self):
        rng = np.random.default_rng(5)
        rows, cols = np.mgrid[:192, :192]
        true = ((rows // 48) * 4 + cols // 48) % 5  # 16 tiles with 5 ids
        pred = np.where(rng.random((2, 192, 192)) < 0.3, rng.integers(0, 7, (2, 192, 192)), true)
        true = np.stack([true, true]).astype("int32")
        self.assert_allclose(
            adjusted_rand_index(true, pred.astype("int32")),
            sklearn_ari(true, pred),
            atol=ATOL,
            rtol=0,
        )

    def test_special_cases_match_sklearn(self):
        cases = [
            ([0, 0, 0, 0], [3, 3, 3, 3]),  # one segment in both: 0/0 in the formula, 1.0
            ([0, 1, 2, 3], [3, 2, 1, 0]),  # all singletons in both: also 1.0
            ([0, 0, 1, 1], [1, 1, 0, 0]),
            ([0, 0, 0, 0], [0, 1, 2, 3]),  # 0.0
            ([0, 0, 1, 1], [0, 1, 0, 1]),  # -0.5
            ([0, 0, 1, 2], [0, 0, 1, 1]),  # 0.57
            ([0, 0, 1, 1], [0, 0, 0, 0]),  # 0.0
        ]
        true = np.array([t for t, _ in cases], "int32").reshape(-1, 2, 2)
        pred = np.array([p for _, p in cases], "int32").reshape(-1, 2, 2)
        expected = sklearn_ari(true, pred)
        self.assert_allclose(expected[[0, 1, 3, 4]], [1.0, 1.0, 0.0, -0.5])
        self.assert_allclose(adjusted_rand_index(true, pred), expected, atol=ATOL, rtol=0)

    def test_foreground_special_cases(self):
        # Images with no foreground pixel, one foreground pixel, and one foreground segment.
        true = np.array([[[0, 0], [0, 0]], [[0, 0], [0, 2]], [[0, 1], [1, 1]]], "int32")
        pred = np.array([[[0, 1], [2, 3]], [[1, 0], [1, 0]], [[0, 1], [2, 1]]], "int32")
        expected = sklearn_ari(true, pred, ignore_background=True)
        self.assert_allclose(expected, [1.0, 1.0, 0.0])  # sklearn scores empty labelings 1.0
        self.assert_allclose(
            foreground_adjusted_rand_index(true, pred), expected, atol=ATOL, rtol=0
        )

    def test_background_id(self):
        true, pred = random_case(7)
        for background_id in (2, 9):  # 9 is not an id: nothing is left out
            self.assert_allclose(
                foreground_adjusted_rand_index(true, pred, background_id=background_id),
                sklearn_ari(true, pred, ignore_background=True, background_id=background_id),
                atol=ATOL,
                rtol=0,
            )

    def test_soft_and_one_hot_masks(self):
        rng = np.random.default_rng(3)
        true, _ = random_case(3, shape=(4, 3, 8, 8))  # [B, T, H, W] video segmentations
        masks = random_masks(rng, true.shape, num_slots=5)
        pred_ids = masks.argmax(-1)
        expected = sklearn_ari(true, pred_ids, ignore_background=True)
        self.assert_allclose(
            adjusted_rand_index(true, masks, ignore_background=True), expected, atol=ATOL, rtol=0
        )
        true_one_hot = np.eye(4, dtype="float32")[true]
        self.assert_allclose(
            adjusted_rand_index(true_one_hot, masks, ignore_background=True),
            expected,
            atol=ATOL,
            rtol=0,
        )
        self.assert_allclose(
            adjusted_rand_index(true_one_hot, pred_ids.astype("int64")),
            sklearn_ari(true, pred_ids),
            atol=ATOL,
            rtol=0,
        )

    def test_num_segments_and_compiled(self):
        true, pred = random_case(4)
        expected = sklearn_ari(true, pred, ignore_background=True)
        self.assert_allclose(
            adjusted_rand_index(true, pred, ignore_background=True, num_segments=9),
            expected,
            atol=ATOL,
            rtol=0,
        )
        backend = keras.backend.backend()

        def fg_ari(t, p):
            return foreground_adjusted_rand_index(t, p, num_segments=6)

        if backend == "jax":
            import jax

            compiled = jax.jit(fg_ari)
        elif backend == "tensorflow":
            import tensorflow as tf

            compiled = tf.function(fg_ari)
        else:
            compiled = fg_ari
        self.assert_allclose(
            compiled(ops.convert_to_tensor(true), ops.convert_to_tensor(pred)),
            expected,
            atol=ATOL,
            rtol=0,
        )

    def test_bad_inputs(self):
        true = np.zeros((2, 4, 4), "int32")
        with pytest.raises(ValueError, match=r"same batch and spatial axes.*\(4, 4\).*\(4, 3\)"):
            adjusted_rand_index(true, true[:, :, :3])
        with pytest.raises(ValueError, match=r"same batch and spatial axes.*batch 2.*batch 1"):
            adjusted_rand_index(true, true[:1])
        with pytest.raises(ValueError, match=r"\[B, \.\.\.spatial, K\]"):
            adjusted_rand_index(true, np.zeros((2, 4, 4), "float32"))  # float ids are masks
        with pytest.raises(ValueError, match=r"rank >= 2.*\(4,\)"):
            adjusted_rand_index(true[0, 0], true[0, 0])
        with pytest.raises(ValueError, match=r"rank >= 3.*\(2, 4\)"):
            adjusted_rand_index(true[:, 0], np.zeros((2, 4), "float32"))
        with pytest.raises(ValueError, match="integer dtype.*complex64"):
            adjusted_rand_index(true, np.zeros((2, 4, 4), "complex64"))
        with pytest.raises(ValueError, match="non-negative segment ids.*minimum of -1"):
            adjusted_rand_index(true, true - 1)
        with pytest.raises(ValueError, match="num_segments to be a positive int.*received 0"):
            adjusted_rand_index(true, true, num_segments=0)
        with pytest.raises(ValueError, match="num_segments to be a positive int.*2.0"):
            adjusted_rand_index(true, true, num_segments=2.0)
        with pytest.raises(ValueError, match="background_id to be an int.*None"):
            foreground_adjusted_rand_index(true, true, background_id=None)
