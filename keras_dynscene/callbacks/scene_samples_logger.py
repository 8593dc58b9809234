import os

import keras
import numpy as np

from keras_dynscene.callbacks.video_samples_logger import write_tensorboard_image
from keras_dynscene.visualization.scene_grid import scene_prediction_grid
from keras_dynscene.visualization.video_grid import save_png


class SceneSamplesLogger(keras.callbacks.Callback):
    """Writes forward predictions of a scene model (JUMP / GQN) each epoch: a PNG grid per epoch
    and a TensorBoard image. The first `context` frames of each held-out scene are the context,
    every later frame is a query.

    Args:
        scenes: held-out scenes, a dict with the model's frame key (`[B, N, H, W, C]`, uint8 or
            float in [0, 1]) and viewpoint key (`[B, N, V]`).
        output_dir: folder for `samples/epoch_<n>.png` and the `samples` TensorBoard run.
        context: context frames per scene (default: the model's `max_context`).
        num_samples: sampled sets per scene.
        seed: sampling seed, fixed so epochs are comparable.
    """

    def __init__(self, scenes, output_dir: str, context=None, num_samples: int = 3, seed=0):
        super().__init__()
        self.scenes = {key: np.asarray(value) for key, value in scenes.items()}
        self.output_dir = output_dir
        self.context = context
        self.num_samples = num_samples
        self.seed = seed

    def on_epoch_end(self, epoch, logs=None):
        model = self.model
        frames = self.scenes[model.video_key]
        views = self.scenes[model.viewpoint_key]
        context = min(self.context or model.max_context, frames.shape[1] - 1)
        samples = model.render(
            frames[:, :context],
            views[:, :context],
            views[:, context:],
            num_samples=self.num_samples,
            seed=self.seed,
            verbose=0,
        )
        queries = range(context, frames.shape[1])
        grid = np.concatenate(
            [
                scene_prediction_grid(scene, range(context), queries, rendered)
                for scene, rendered in zip(frames, samples)
            ],
            axis=0,
        )
        folder = os.path.join(self.output_dir, "samples")
        os.makedirs(folder, exist_ok=True)
        save_png(os.path.join(folder, f"epoch_{epoch + 1:04d}.png"), grid)
        write_tensorboard_image(self.output_dir, grid, epoch + 1)
