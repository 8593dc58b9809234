"""Building blocks of the Hierarchical VRNN (thesis tables 4.4-4.7)."""

import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.layers.conv_lstm_cell import ConvLSTMCell
from keras_dynscene.layers.group_normalization import group_normalization
from keras_dynscene.layers.resnet_block import ResNetBlock


def pyramid_resolutions(image_size: int, num_stages: int) -> list[int]:
    """Feature resolutions of the frame encoder, fine to coarse: S, S/2, ..., S/2^(n-1), 1."""
    return [image_size // 2**stage for stage in range(num_stages)] + [1]


@dynscene_export
class FrameEncoder(keras.layers.Layer):
    """CNN with ResNet blocks and max-pooling returning a feature pyramid (thesis table 4.4).

    Stage `i` runs at resolution `image_size / 2**i` (one ResNet block at full resolution, two
    after each pooling); a final convolution with a kernel as large as the coarsest stage maps it
    to a 1x1 feature (the table's "ks = 4" block for 64x64 inputs), refined by one more block.

    Args:
        image_size: input height and width (a multiple of 2**(len(stage_filters) - 1)).
        stage_filters: channels per stage, fine to coarse; the 1x1 level uses the last value.
        groups: GroupNorm groups.
        **kwargs: base layer arguments.

    Example:
    ```python
    encoder = FrameEncoder(64, stage_filters=(16, 32, 64, 64, 64))
    features = encoder(keras.random.uniform((2, 64, 64, 1)))  # 64, 32, 16, 8, 4 and 1 pixel maps
    ```
    """

    def __init__(
        self, image_size: int, stage_filters=(64, 128, 256, 512, 512), groups=16, **kwargs
    ):
        super().__init__(**kwargs)
        self.image_size = image_size
        self.stage_filters = tuple(stage_filters)
        self.groups = groups
        coarsest = image_size // 2 ** (len(self.stage_filters) - 1)
        self.stem = keras.layers.Conv2D(self.stage_filters[0], 3, padding="same", name="stem")
        self.stages = []
        for index, filters in enumerate(self.stage_filters):
            blocks = [ResNetBlock(filters, groups=groups, name=f"stage_{index}_block_0")]
            if index > 0:
                blocks.append(ResNetBlock(filters, groups=groups, name=f"stage_{index}_block_1"))
            self.stages.append(blocks)
        self.pool = keras.layers.MaxPooling2D(2)
        top = self.stage_filters[-1]
        self.global_conv = keras.layers.Conv2D(top, coarsest, padding="valid", name="global_conv")
        self.global_norm = group_normalization(top, groups, name="global_norm")
        self.global_block = ResNetBlock(top, kernel_size=1, groups=groups, name="global_block")

    def call(self, frames):
        features = []
        hidden = self.stem(frames)
        for index, blocks in enumerate(self.stages):
            if index > 0:
                hidden = self.pool(hidden)
            for block in blocks:
                hidden = block(hidden)
            features.append(hidden)
        top = self.global_norm(self.global_conv(keras.activations.relu(hidden)))
        features.append(self.global_block(top))
        return features

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "image_size": self.image_size,
                "stage_filters": list(self.stage_filters),
                "groups": self.groups,
            }
        )
        return config


@dynscene_export
class LatentLevelNetwork(keras.layers.Layer):
    """Recurrent network giving one latent level's Gaussian parameters (thesis table 4.6).

    Conv1x1 + GroupNorm -> ConvLSTM -> Conv1x1 (+ GroupNorm when `normalize_params`) producing
    `2 * filters` channels: the mean and log-variance of the latent at this level.

    Args:
        filters: latent channels (and ConvLSTM state channels).
        groups: GroupNorm groups.
        normalize_params: apply the table's GroupNorm to the output parameters too. Off by
            default: normalizing the mean/log-variance across a group restricts the prior, and
            the official code's output convolution is what matters for the KL.
        **kwargs: base layer arguments.
    """

    def __init__(self, filters: int, groups: int = 16, normalize_params: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.groups = groups
        self.normalize_params = normalize_params
        self.input_conv = keras.layers.Conv2D(filters, 1, name="input_conv")
        self.input_norm = group_normalization(filters, groups, name="input_norm")
        self.cell = ConvLSTMCell(filters, 3, groups, name="cell")
        self.param_conv = keras.layers.Conv2D(2 * filters, 1, name="param_conv")
        self.param_norm = (
            group_normalization(2 * filters, groups, name="param_norm")
            if normalize_params
            else None
        )

    def call(self, inputs, states):
        hidden, states = self.cell(self.input_norm(self.input_conv(inputs)), states)
        params = self.param_conv(hidden)
        if self.param_norm is not None:
            params = self.param_norm(params)
        return params, states

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "groups": self.groups,
                "normalize_params": self.normalize_params,
            }
        )
        return config


@dynscene_export
class InitialStateNetwork(keras.layers.Layer):
    """Maps context features to a ConvLSTM's initial (hidden, cell) state (thesis table 4.7).

    Conv1x1 + GroupNorm + ReLU -> Conv1x1 + GroupNorm to `2 * filters` channels, split in two.

    Args:
        filters: channels of the ConvLSTM it initializes.
        groups: GroupNorm groups.
        **kwargs: base layer arguments.
    """

    def __init__(self, filters: int, groups: int = 16, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.groups = groups
        self.hidden_conv = keras.layers.Conv2D(filters, 1, name="hidden_conv")
        self.hidden_norm = group_normalization(filters, groups, name="hidden_norm")
        self.state_conv = keras.layers.Conv2D(2 * filters, 1, name="state_conv")
        self.state_norm = group_normalization(2 * filters, groups, name="state_norm")

    def call(self, context_features):
        hidden = keras.activations.relu(self.hidden_norm(self.hidden_conv(context_features)))
        hidden_state, cell_state = ops.split(self.state_norm(self.state_conv(hidden)), 2, axis=-1)
        return [hidden_state, cell_state]

    def get_config(self):
        config = super().get_config()
        config.update({"filters": self.filters, "groups": self.groups})
        return config


@dynscene_export
class FrameDecoder(keras.layers.Layer):
    """ConvLSTMs interleaved with transposed convolutions, coarse to fine (thesis table 4.5).

    Level `j` runs a ConvLSTM at `resolutions[j]` on the upsampled output of level `j - 1`
    concatenated with that level's extra inputs (encoder skip features of the previous frame and
    the latent samples living at that resolution). A 2x step uses the paper's 4x4 stride-2
    transposed convolution; a larger step (1x1 -> 4x4) a kernel the size of the step.
    The head is Conv + GroupNorm + ReLU then a Conv to `output_channels`.

    Args:
        resolutions: ConvLSTM resolutions, coarse to fine, each dividing the next.
        level_filters: ConvLSTM channels per resolution.
        output_channels: channels of the predicted frame parameters.
        groups: GroupNorm groups.
        **kwargs: base layer arguments.
    """

    def __init__(
        self, resolutions, level_filters, output_channels: int, groups: int = 16, **kwargs
    ):
        super().__init__(**kwargs)
        if len(resolutions) != len(level_filters):
            raise ValueError(
                f"`resolutions` and `level_filters` must have the same length; received "
                f"{len(resolutions)} and {len(level_filters)}."
            )
        self.resolutions = tuple(resolutions)
        self.level_filters = tuple(level_filters)
        self.output_channels = output_channels
        self.groups = groups
        self.cells = [
            ConvLSTMCell(filters, 3, groups, name=f"cell_{res}x{res}")
            for res, filters in zip(self.resolutions, self.level_filters)
        ]
        self.upsamplers = []
        for index in range(1, len(self.resolutions)):
            factor = self.resolutions[index] // self.resolutions[index - 1]
            filters = self.level_filters[index]
            name = f"upconv_{self.resolutions[index]}x{self.resolutions[index]}"
            if factor == 2:
                layer = keras.layers.Conv2DTranspose(
                    filters, 4, strides=2, padding="same", name=name
                )
            else:
                layer = keras.layers.Conv2DTranspose(filters, factor, strides=factor, name=name)
            self.upsamplers.append(layer)
        top = self.level_filters[-1]
        self.head_conv = keras.layers.Conv2D(top, 3, padding="same", name="head_conv")
        self.head_norm = group_normalization(top, groups, name="head_norm")
        self.output_conv = keras.layers.Conv2D(
            output_channels, 3, padding="same", name="output_conv"
        )

    def call(self, level_inputs, states):
        new_states = []
        hidden = None
        for index, cell in enumerate(self.cells):
            parts = [] if hidden is None else [self.upsamplers[index - 1](hidden)]
            if level_inputs[index] is not None:
                parts.append(level_inputs[index])
            inputs = parts[0] if len(parts) == 1 else ops.concatenate(parts, axis=-1)
            hidden, state = cell(inputs, states[index])
            new_states.append(state)
        hidden = keras.activations.relu(self.head_norm(self.head_conv(hidden)))
        return self.output_conv(hidden), new_states

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "resolutions": list(self.resolutions),
                "level_filters": list(self.level_filters),
                "output_channels": self.output_channels,
                "groups": self.groups,
            }
        )
        return config
