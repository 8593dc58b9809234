"""TFDS builders of keras_dynscene's datasets; importing this package registers them with TFDS.

Datasets: `stochastic_moving_mnist` (configs `1digit`, `2digits`), `random_walk` (configs
`atomic`, `compositional`, `compositional_ood`, `ood_objects`), `narratives` (configs
`traveling_salesman`, `color_reaction`), `procedural_objects3d` (configs `64x64`, `128x128`),
`bair_push`, and the manual downloads
`cityscapes_sequences`, `kinetics600` (configs `128x128`, `64x64`), `bdd100k` (configs
`256x256`, `128x128`), `clevr6` (configs `64x64`, `128x128`), `clevr2345` (configs
`128x128`, `64x64`) and `cater` (config `64x64`).

Example:

```python
import tensorflow_datasets as tfds
import tfds_builders  # noqa: F401 (registers the builders)

ds = tfds.load("stochastic_moving_mnist/2digits", split="train")
```

From the command line: `tfds build --imports tfds_builders stochastic_moving_mnist`.
"""

from tfds_builders.bair_push import bair_push_dataset_builder
from tfds_builders.bdd100k import bdd100k_dataset_builder
from tfds_builders.cater import cater_dataset_builder
from tfds_builders.cityscapes_sequences import cityscapes_sequences_dataset_builder
from tfds_builders.clevr6 import clevr6_dataset_builder
from tfds_builders.clevr2345 import clevr2345_dataset_builder
from tfds_builders.kinetics600 import kinetics600_dataset_builder
from tfds_builders.narratives import narratives_dataset_builder
from tfds_builders.procedural_objects3d import procedural_objects3d_dataset_builder
from tfds_builders.random_walk import random_walk_dataset_builder
from tfds_builders.stochastic_moving_mnist import stochastic_moving_mnist_dataset_builder

__all__ = [
    "bair_push_dataset_builder",
    "bdd100k_dataset_builder",
    "cater_dataset_builder",
    "cityscapes_sequences_dataset_builder",
    "clevr6_dataset_builder",
    "clevr2345_dataset_builder",
    "kinetics600_dataset_builder",
    "narratives_dataset_builder",
    "procedural_objects3d_dataset_builder",
    "random_walk_dataset_builder",
    "stochastic_moving_mnist_dataset_builder",
]
