import os

import keras
import numpy as np

from keras_dynscene.callbacks.video_samples_logger import write_tensorboard_image
from keras_dynscene.visualization.scene_edit_grid import scene_edit_grid
from keras_dynscene.visualization.video_grid import save_png


class SceneReconstructionLogger(keras.callbacks.Callback):
    """Writes INFERNO's figure grid each epoch (input | reconstruction | objects alone | edits)
    as `samples/epoch_<n>.png` and a TensorBoard image.

    Args:
        images: held-out images `[B, H, W, C]` (uint8 or float in [0, 1]).
        output_dir: run folder.
        seed: slot initialization seed, fixed so epochs are comparable.

    Example:
    ```python
    model.fit(data, callbacks=[SceneReconstructionLogger(test_images[:4], "runs/inferno")])
    ```
    """

    def __init__(self, images, output_dir: str, seed: int = 0):
        super().__init__()
        self.images = np.asarray(images)
        self.output_dir = output_dir
        self.seed = seed

    def on_epoch_end(self, epoch, logs=None):
        grid = scene_edit_grid(self.model, self.images, seed=self.seed)
        folder = os.path.join(self.output_dir, "samples")
        os.makedirs(folder, exist_ok=True)
        save_png(os.path.join(folder, f"epoch_{epoch + 1:04d}.png"), grid)
        write_tensorboard_image(self.output_dir, grid, epoch + 1)
