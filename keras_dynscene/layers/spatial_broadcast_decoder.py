import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.layers.soft_position_embedding import SoftPositionEmbedding


@dynscene_export
class SpatialBroadcastDecoder(keras.layers.Layer):
    """Decodes every slot to an RGB image and a mask and mixes them spatially (thesis table 8.2).

    Each slot vector is tiled over an `H x W` grid, a soft position embedding is added, and
    size-preserving convolutions output `channels + 1` maps per slot: the slot's colours and its
    mask logit. Masks are normalized with a softmax over slots, and the image is the
    mask-weighted sum of the slots' colours (a spatial mixture). All slots decode as one batch.

    The last convolution has no activation (table 8.2 lists ReLU; mask logits and colours need
    negative values, as in Locatello et al.'s decoder).

    Args:
        resolution: `(H, W)` of the decoded images.
        channels: image channels (3 for RGB).
        filters: channels of the hidden convolutions (64 in table 8.2).
        num_conv_layers: hidden convolutions before the output one (3 in table 8.2).
        kernel_size: convolution kernel (5 in table 8.2).
        **kwargs: base layer arguments.

    Call arguments:
        slots: `[B, K, D]`.

    Returns:
        A dict with `"image"` `[B, H, W, C]`, `"slot_images"` `[B, K, H, W, C]` and `"masks"`
        `[B, K, H, W, 1]` (softmax over K).

    Example:
    ```python
    decoder = SpatialBroadcastDecoder((32, 32), channels=3)
    outputs = decoder(keras.random.normal((2, 4, 64)))
    outputs["image"].shape  # (2, 32, 32, 3)
    ```

    Reference:
        Watters et al., "Spatial Broadcast Decoder", 2019; Locatello et al., "Object-Centric
        Learning with Slot Attention", NeurIPS 2020.
    """

    def __init__(
        self, resolution, channels=3, filters=64, num_conv_layers=3, kernel_size=5, **kwargs
    ):
        super().__init__(**kwargs)
        self.resolution = tuple(int(side) for side in resolution)
        self.channels = channels
        self.filters = filters
        self.num_conv_layers = num_conv_layers
        self.kernel_size = kernel_size
        self.position_embedding = SoftPositionEmbedding(name="position_embedding")
        self.convs = [
            keras.layers.Conv2D(
                filters, kernel_size, padding="same", activation="relu", name=f"conv_{index}"
            )
            for index in range(num_conv_layers)
        ]
        self.output_conv = keras.layers.Conv2D(
            channels + 1, kernel_size, padding="same", name="output_conv"
        )

    def build(self, input_shape):
        slot_size = input_shape[-1]
        shape = (None, *self.resolution, slot_size)
        self.position_embedding.build(shape)
        for conv in self.convs:
            conv.build(shape)
            shape = (None, *self.resolution, self.filters)
        self.output_conv.build(shape)

    def call(self, slots):
        num_slots, slot_size = slots.shape[1], slots.shape[2]
        height, width = self.resolution
        flat = ops.reshape(slots, (-1, 1, 1, slot_size))
        x = ops.broadcast_to(flat, (ops.shape(flat)[0], height, width, slot_size))
        x = self.position_embedding(x)
        for conv in self.convs:
            x = conv(x)
        x = self.output_conv(x)
        x = ops.reshape(x, (-1, num_slots, height, width, self.channels + 1))
        slot_images = x[..., : self.channels]
        masks = ops.softmax(x[..., self.channels :], axis=1)
        image = ops.sum(masks * slot_images, axis=1)
        return {"image": image, "slot_images": slot_images, "masks": masks}

    def compute_output_shape(self, input_shape):
        batch, num_slots = input_shape[0], input_shape[1]
        return {
            "image": (batch, *self.resolution, self.channels),
            "slot_images": (batch, num_slots, *self.resolution, self.channels),
            "masks": (batch, num_slots, *self.resolution, 1),
        }

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "resolution": list(self.resolution),
                "channels": self.channels,
                "filters": self.filters,
                "num_conv_layers": self.num_conv_layers,
                "kernel_size": self.kernel_size,
            }
        )
        return config
