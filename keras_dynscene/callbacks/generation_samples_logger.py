import os

import keras
import numpy as np

from keras_dynscene.callbacks.video_samples_logger import write_tensorboard_image
from keras_dynscene.visualization.cascade_grid import cascade_grid
from keras_dynscene.visualization.cascade_grid import cascade_video
from keras_dynscene.visualization.video_grid import save_png
from keras_dynscene.visualization.video_writer import write_gif


class GenerationSamplesLogger(keras.callbacks.Callback):
    """Writes generated videos of every cascade level each epoch: PNG strip, GIF, TensorBoard.

    Args:
        output_dir: folder for `samples/epoch_<n>.png|gif` and the `samples` TensorBoard run.
        labels: class per sampled video (class-conditional models), else `None`.
        num_samples: videos to sample when `labels` is `None`.
        seed: sampling seed, fixed so epochs are comparable.
    """

    def __init__(self, output_dir: str, labels=None, num_samples: int = 4, seed: int = 0):
        super().__init__()
        self.output_dir = output_dir
        self.labels = None if labels is None else np.asarray(labels)
        self.num_samples = num_samples
        self.seed = seed

    def on_epoch_end(self, epoch, logs=None):
        if self.labels is not None:
            levels = self.model.generate(labels=self.labels, seed=self.seed, return_all_levels=True)
        else:
            levels = self.model.generate(
                num_samples=self.num_samples, seed=self.seed, return_all_levels=True
            )
        folder = os.path.join(self.output_dir, "samples")
        os.makedirs(folder, exist_ok=True)
        grid = cascade_grid(levels)
        save_png(os.path.join(folder, f"epoch_{epoch + 1:04d}.png"), grid)
        write_gif(os.path.join(folder, f"epoch_{epoch + 1:04d}.gif"), cascade_video(levels))
        write_tensorboard_image(self.output_dir, grid, epoch + 1)
