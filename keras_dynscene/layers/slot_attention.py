import keras
from keras import ops

from keras_dynscene.api_export import dynscene_export
from keras_dynscene.distribute.replica_seed_generator import ReplicaSeedGenerator


@dynscene_export
class SlotAttention(keras.layers.Layer):
    """Iterative competitive attention that binds a set of input features to `num_slots` slots.

    Slots start as samples of a learned Gaussian `N(mu, sigma^2)`; each iteration the slots
    (queries) attend to the inputs (keys) with a softmax over *slots*, so slots compete for each
    input; every slot takes the attention-weighted mean of the values and is updated by a GRU
    and a residual MLP. Everything is vectorized over batch, slots and inputs.

    Args:
        num_slots: number of slots K.
        slot_size: slot dimension D.
        num_iterations: attention iterations (3 in Locatello et al. and thesis 8.A / 10.A).
        mlp_hidden_size: hidden units of the residual MLP.
        epsilon: added to the attention before the weighted mean, for stability.
        background_slot: draw slot 0 from its own learned Gaussian (INFERNO's background slot,
            thesis 10.A); the other `num_slots - 1` share the object distribution.
        seed: seed of the slot initialization noise.
        **kwargs: base layer arguments.

    Call arguments:
        inputs: `[B, N, D_in]` features (e.g. flattened CNN feature maps).
        slot_noise: optional standard-normal `[B, K, D]` for the slot initialization (pure,
            seeded sampling); drawn from the layer's seed generator when omitted.

    Returns:
        `(slots [B, K, D], attention [B, K, N])`, the attention of the last iteration
        (normalized over slots, i.e. soft segmentation masks over the inputs).

    Example:
    ```python
    slots, attention = SlotAttention(num_slots=4, slot_size=64, seed=0)(
        keras.random.normal((2, 1024, 64))
    )
    ```

    Reference:
        Locatello et al., "Object-Centric Learning with Slot Attention", NeurIPS 2020.
    """

    def __init__(
        self,
        num_slots,
        slot_size=64,
        num_iterations=3,
        mlp_hidden_size=128,
        epsilon=1e-8,
        background_slot=False,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        for name, value in (
            ("num_slots", num_slots),
            ("slot_size", slot_size),
            ("num_iterations", num_iterations),
        ):
            if not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"SlotAttention: expected a positive int {name}, received {value!r}."
                )
        if background_slot and num_slots < 2:
            raise ValueError(
                "SlotAttention: background_slot=True needs num_slots >= 2 (the background "
                f"slot and at least one object slot), received num_slots={num_slots}."
            )
        self.num_slots = num_slots
        self.slot_size = slot_size
        self.num_iterations = num_iterations
        self.mlp_hidden_size = mlp_hidden_size
        self.epsilon = epsilon
        self.background_slot = bool(background_slot)
        self.seed = seed
        self.seed_generator = ReplicaSeedGenerator(seed)
        self.input_norm = keras.layers.LayerNormalization(name="input_norm")
        self.slot_norm = keras.layers.LayerNormalization(name="slot_norm")
        self.mlp_norm = keras.layers.LayerNormalization(name="mlp_norm")
        self.project_query = keras.layers.Dense(slot_size, use_bias=False, name="query")
        self.project_key = keras.layers.Dense(slot_size, use_bias=False, name="key")
        self.project_value = keras.layers.Dense(slot_size, use_bias=False, name="value")
        self.gru = keras.layers.GRUCell(slot_size, name="gru")
        self.mlp_hidden = keras.layers.Dense(mlp_hidden_size, activation="relu", name="mlp_hidden")
        self.mlp_output = keras.layers.Dense(slot_size, name="mlp_output")

    def build(self, input_shape):
        slot_shape = (None, self.slot_size)
        self.input_norm.build(input_shape)
        self.project_key.build(input_shape)
        self.project_value.build(input_shape)
        self.slot_norm.build(slot_shape)
        self.project_query.build(slot_shape)
        self.gru.build(slot_shape)
        self.mlp_norm.build(slot_shape)
        self.mlp_hidden.build(slot_shape)
        self.mlp_output.build((None, self.mlp_hidden_size))
        self.slots_mu = self.add_weight(
            shape=(1, 1, self.slot_size), initializer="glorot_uniform", name="slots_mu"
        )
        self.slots_log_sigma = self.add_weight(
            shape=(1, 1, self.slot_size), initializer="glorot_uniform", name="slots_log_sigma"
        )
        if self.background_slot:
            self.background_mu = self.add_weight(
                shape=(1, 1, self.slot_size), initializer="glorot_uniform", name="background_mu"
            )
            self.background_log_sigma = self.add_weight(
                shape=(1, 1, self.slot_size),
                initializer="glorot_uniform",
                name="background_log_sigma",
            )

    def initial_slots(self, batch_size, slot_noise=None):
        if slot_noise is None:
            slot_noise = keras.random.normal(
                (batch_size, self.num_slots, self.slot_size), seed=self.seed_generator
            )
        slot_noise = ops.convert_to_tensor(slot_noise, dtype=self.slots_mu.dtype)
        slots = self.slots_mu + ops.exp(self.slots_log_sigma) * slot_noise
        if not self.background_slot:
            return slots
        background = self.background_mu + ops.exp(self.background_log_sigma) * slot_noise[:, :1]
        return ops.concatenate([background, slots[:, 1:]], axis=1)

    def call(self, inputs, slot_noise=None):
        inputs = self.input_norm(inputs)
        keys = self.project_key(inputs)
        values = self.project_value(inputs)
        batch_size = ops.shape(inputs)[0]
        slots = self.initial_slots(batch_size, slot_noise)
        scale = self.slot_size**-0.5
        attention = None
        for _ in range(self.num_iterations):
            previous = slots
            queries = self.project_query(self.slot_norm(slots))
            logits = ops.einsum("bkd,bnd->bkn", queries, keys) * scale
            if self.num_slots > 1:
                attention = ops.softmax(logits, axis=1)
            else:  # a single slot takes every input (NeRF-AE); softmax would warn
                attention = ops.ones_like(logits)
            weights = attention + self.epsilon
            weights = weights / ops.sum(weights, axis=-1, keepdims=True)
            updates = ops.einsum("bkn,bnd->bkd", weights, values)
            flat_updates = ops.reshape(updates, (-1, self.slot_size))
            flat_previous = ops.reshape(previous, (-1, self.slot_size))
            slots, _ = self.gru(flat_updates, [flat_previous])
            slots = ops.reshape(slots, (batch_size, self.num_slots, self.slot_size))
            slots = slots + self.mlp_output(self.mlp_hidden(self.mlp_norm(slots)))
        return slots, attention

    def compute_output_shape(self, input_shape):
        return (
            (input_shape[0], self.num_slots, self.slot_size),
            (input_shape[0], self.num_slots, input_shape[1]),
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_slots": self.num_slots,
                "slot_size": self.slot_size,
                "num_iterations": self.num_iterations,
                "mlp_hidden_size": self.mlp_hidden_size,
                "epsilon": self.epsilon,
                "background_slot": self.background_slot,
                "seed": self.seed,
            }
        )
        return config
