import os

import keras
import numpy as np

from keras_dynscene.visualization.video_grid import comparison_video
from keras_dynscene.visualization.video_grid import save_png
from keras_dynscene.visualization.video_grid import video_comparison_grid
from keras_dynscene.visualization.video_writer import write_gif


class VideoSamplesLogger(keras.callbacks.Callback):
    """Writes sample predictions each epoch: a PNG frame grid, a GIF and a TensorBoard image.

    Args:
        video: a held-out clip batch [B, context + future, H, W, C] (uint8 or float in [0, 1]).
        output_dir: folder for `samples/epoch_<n>.png|gif` and the `samples` TensorBoard run.
        num_samples: futures sampled per clip.
        seed: sampling seed, fixed so epochs are comparable.
    """

    def __init__(self, video, output_dir: str, num_samples: int = 3, seed: int = 0):
        super().__init__()
        self.video = np.asarray(video)
        self.output_dir = output_dir
        self.num_samples = num_samples
        self.seed = seed

    def on_epoch_end(self, epoch, logs=None):
        model = self.model
        context = self.video[:, : model.context_frames]
        truth = self.video[:, model.context_frames : model.context_frames + model.future_frames]
        samples = model.predict_future(
            context, model.future_frames, self.num_samples, seed=self.seed, verbose=0
        )
        folder = os.path.join(self.output_dir, "samples")
        os.makedirs(folder, exist_ok=True)
        grid = np.concatenate(
            [video_comparison_grid(c, t, s) for c, t, s in zip(context, truth, samples)], axis=0
        )
        save_png(os.path.join(folder, f"epoch_{epoch + 1:04d}.png"), grid)
        write_gif(
            os.path.join(folder, f"epoch_{epoch + 1:04d}.gif"),
            comparison_video(context[0], truth[0], samples[0]),
        )
        write_tensorboard_image(self.output_dir, grid, epoch + 1)


def write_tensorboard_image(output_dir: str, grid, step: int):
    """Logs a uint8 sample grid as the `samples` image of the `logs/samples` TensorBoard run."""
    import tensorflow as tf

    writer = tf.summary.create_file_writer(os.path.join(output_dir, "logs", "samples"))
    with writer.as_default():
        tf.summary.image("samples", grid[None], step=step)
    writer.close()
