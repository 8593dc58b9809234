import keras
from keras import ops


class GeneratorCondition:
    """The conditioning vector of a CVG generator: the noise, plus the class embedding.

    Thesis 6.A: conditional batch norms take `[z, embed(y)]`. The layer using this sets
    `noise_size`, `num_classes` and `embedding_size`, then calls `_make_class_embedding()`.
    """

    def _make_class_embedding(self):
        self.embedding = (
            keras.layers.Embedding(self.num_classes, self.embedding_size, name="class_embedding")
            if self.num_classes
            else None
        )

    @property
    def condition_size(self):
        return self.noise_size + (self.embedding_size if self.num_classes else 0)

    def condition(self, noise, labels):
        if not self.num_classes:
            return noise
        return ops.concatenate([noise, self.embedding(labels)], axis=-1)
