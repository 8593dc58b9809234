import numpy as np
import pytest
import tensorflow_datasets as tfds

from keras_dynscene.models import HierarchicalVRNN
from tests.models.hierarchical_vrnn.tiny_config import TINY_64_CONFIG


@pytest.mark.backends
def test_fit_directly_on_tfds_feature_dicts(tmp_path):
    """`model.fit(tfds.load(...).batch(n))`: the model adapts {"video": uint8} itself."""
    from tfds_builders.stochastic_moving_mnist import stochastic_moving_mnist_dataset_builder as smm

    config = smm.StochasticMovingMnistConfig(
        name="fit_test", num_digits=2, num_train=4, num_test=2, num_frames=6
    )
    smm.Builder(config=config, data_dir=str(tmp_path)).download_and_prepare()
    dataset = tfds.load("stochastic_moving_mnist/fit_test", split="train", data_dir=str(tmp_path))
    model = HierarchicalVRNN(**TINY_64_CONFIG)
    model.compile(optimizer="adam")
    history = model.fit(dataset.batch(2), epochs=2, verbose=0).history
    assert np.all(np.isfinite(history["loss"]))
    assert history["loss"][1] < history["loss"][0]
