"""TFDS datasets of keras_dynscene: importing this module registers their builders with TFDS.

The builders live in the top-level `tfds_builders` package (TFDS layout: one folder per
dataset). Importing `keras_dynscene.datasets` (or `tfds_builders`) makes them loadable by name:

- `stochastic_moving_mnist` (configs `1digit`, `2digits`): generated locally from real MNIST.
- `bair_push`: BAIR robot pushing, downloaded from the authors' server (30 GB).
- `cityscapes_sequences`: Cityscapes snippets at 128x128, from a manually downloaded zip.
- `kinetics600` (configs `128x128`, `64x64`): 48-frame Kinetics-600 clips with their action
  class, from the manually downloaded CVDF archives (CVG, thesis 6.5.2).
- `bdd100k` (configs `256x256`, `128x128`): BDD100K driving clips from the manually downloaded
  video zips (CVG, thesis 6.5.4).
- `clevr6` (configs `64x64`, `128x128`): CLEVR (with masks) scenes of at most 6 objects with
  their segmentation, from DeepMind's manually downloaded TFRecords (INFERNO, thesis 10.B.2).
- `clevr2345` (configs `128x128`, `64x64`): GIRAFFE's CLEVR renders of 2 to 5 objects, from
  the manually downloaded zip (INFERNO, thesis 10.B.1).
- `cater` (config `64x64`): CATER snitch localization (36 grid cells) on the static-camera
  videos, from the manually downloaded zips (INFERNO, thesis 10.4.4 and 10.B.3).
- `random_walk` (configs `atomic`, `compositional`, `compositional_ood`, `ood_objects`):
  procedural coloured objects on a random walk with per-object actions (thesis 8.5, VIM).
- `narratives` (configs `traveling_salesman`, `color_reaction`): procedural shape stories with
  timestamps as viewpoints (Kumar et al. 2018, section 4.1, JUMP).
- `procedural_objects3d` (configs `64x64`, `128x128`): CLEVR-like 3D scenes of 2 to 5 objects
  ray cast in numpy, with segmentation, camera and object poses (thesis 10.4, INFERNO).

Example:

```python
import tensorflow_datasets as tfds
import keras_dynscene.datasets  # noqa: F401 (registers the builders)

ds = tfds.load("stochastic_moving_mnist/2digits", split="train")
```
"""

import tfds_builders

BUILDERS = {
    "bair_push": tfds_builders.bair_push_dataset_builder.Builder,
    "bdd100k": tfds_builders.bdd100k_dataset_builder.Builder,
    "cater": tfds_builders.cater_dataset_builder.Builder,
    "cityscapes_sequences": tfds_builders.cityscapes_sequences_dataset_builder.Builder,
    "clevr6": tfds_builders.clevr6_dataset_builder.Builder,
    "clevr2345": tfds_builders.clevr2345_dataset_builder.Builder,
    "kinetics600": tfds_builders.kinetics600_dataset_builder.Builder,
    "narratives": tfds_builders.narratives_dataset_builder.Builder,
    "procedural_objects3d": tfds_builders.procedural_objects3d_dataset_builder.Builder,
    "random_walk": tfds_builders.random_walk_dataset_builder.Builder,
    "stochastic_moving_mnist": tfds_builders.stochastic_moving_mnist_dataset_builder.Builder,
}
