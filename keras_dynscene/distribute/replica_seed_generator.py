import keras

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.distribute.replica_context import replica_id_in_sync_group

# An odd constant far from the small seeds users pick, so replica r of a model seeded s does
# not replay the stream of replica 0 of a model seeded s + r.
_REPLICA_SEED_STRIDE = 1_000_003


@dynscene_export
class ReplicaSeedGenerator(keras.random.SeedGenerator):
    """A `keras.random.SeedGenerator` whose draws differ between `tf.distribute` replicas.

    Under `MirroredStrategy` every replica holds the same seed state, so a plain
    `SeedGenerator` hands each replica the very same noise: with 2 replicas the two halves of a
    global batch share their latent samples. This generator offsets each draw by the replica
    index, so replicas draw independent noise. On one device, on JAX (one program over the
    global batch) and on PyTorch its draws are exactly those of `keras.random.SeedGenerator`,
    so seeded single-device runs are unchanged.

    Args:
        seed: the initial seed (int).
        **kwargs: `keras.random.SeedGenerator` arguments.

    Example:
    ```python
    generator = ReplicaSeedGenerator(seed=0)
    noise = keras.random.normal((4, 8), seed=generator)
    ```
    """

    def next(self, ordered=True):
        seed = super().next(ordered=ordered)
        replica = replica_id_in_sync_group()
        if isinstance(replica, int) and replica == 0:
            return seed
        offset = keras.ops.cast(replica, seed.dtype) * _REPLICA_SEED_STRIDE
        return seed + keras.ops.stack([offset, keras.ops.zeros_like(offset)])
