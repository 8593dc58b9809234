import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.distribute.replica_context import scale_loss_for_replicas


@dynscene_export
class SlotAttentionAutoEncoder(keras.Model):
    """Slot attention autoencoder over single frames, sharing its layers with a `VIM`.

    Thesis 8.A.2 pre-trains VIM's slot attention on the first frames of the videos (with the
    learning-rate warmup of Locatello et al.) to get an initial slot separation before training
    on sequences. This model encodes a frame, binds it to slots and decodes them with the very
    encoder, `SlotAttention` and `SpatialBroadcastDecoder` objects of the VIM it was made from,
    so fitting it trains those layers in place. It eats the same inputs as the VIM (TFDS dicts
    or videos) and uses their first frame; the loss is the mean squared error summed over pixels.

    Args:
        vim: the `VIM` whose layers are trained.
        **kwargs: `keras.Model` arguments.

    Example:
    ```python
    vim = VIM.from_preset("vim_cpu")
    pretraining = vim.slot_attention_autoencoder()
    pretraining.compile(optimizer=keras.optimizers.Adam(4e-4))
    pretraining.fit(tfds.load("random_walk/atomic", split="train").batch(64), epochs=1)
    ```

    Reference:
        Locatello et al., "Object-Centric Learning with Slot Attention", NeurIPS 2020.
    """

    def __init__(self, vim, **kwargs):
        super().__init__(**kwargs)
        self.vim = vim
        self.mse_tracker = keras.metrics.Mean(name="mse")

    def call(self, inputs, training=False):
        video = self.vim._video_from_inputs(inputs, frames=1)
        features = self.vim.encoder(video[:, 0])
        slots, attention = self.vim.slot_attention(features)
        outputs = self.vim.decoder(slots)
        return {
            "frames": outputs["image"],
            "masks": outputs["masks"][..., 0],
            "target": video[:, 0],
        }

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        squared = ops.sum(ops.square(y_pred["frames"] - y_pred["target"]), axis=(1, 2, 3))
        self.mse_tracker.update_state(squared)
        return scale_loss_for_replicas(ops.mean(squared))

    @property
    def metrics(self):
        return [*super().metrics[:1], self.mse_tracker]

    def get_config(self):
        config = super().get_config()
        config["vim"] = keras.saving.serialize_keras_object(self.vim)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["vim"] = keras.saving.deserialize_keras_object(config["vim"])
        return cls(**config)
