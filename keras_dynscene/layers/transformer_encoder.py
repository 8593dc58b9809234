import keras

from keras_dynscene.api_export import dynscene_export


@dynscene_export
class TransformerEncoder(keras.layers.Layer):
    """One pre-norm transformer encoder block: self-attention, then a position-wise MLP.

    `x = x + Dropout(MultiHeadAttention(LayerNorm(x)))`, then
    `x = x + Dropout(Dense(GELU(Dense(LayerNorm(x)))))`. The width of the output equals the
    width of the input (`hidden_size`), which must be divisible by `num_heads`. Pre-norm blocks
    train stably without a learning-rate warmup; a stack of them needs a final LayerNorm.

    Args:
        num_heads: attention heads (each of size `hidden_size // num_heads`).
        intermediate_size: hidden units of the MLP.
        dropout: dropout rate of the attention weights and of both residual branches.
        layer_norm_epsilon: epsilon of the LayerNorms.
        seed: seed of the dropout masks.
        **kwargs: base layer arguments.

    Call arguments:
        inputs: `[B, N, hidden_size]` token sequences.
        training: whether dropout is on.

    Returns:
        `[B, N, hidden_size]`.

    Example:
    ```python
    block = TransformerEncoder(num_heads=4, intermediate_size=256)
    outputs = block(keras.random.normal((2, 10, 128)))  # (2, 10, 128)
    ```

    Reference:
        Vaswani et al., "Attention Is All You Need", NeurIPS 2017; Xiong et al., "On Layer
        Normalization in the Transformer Architecture", ICML 2020 (pre-norm).
    """

    def __init__(
        self,
        num_heads,
        intermediate_size,
        dropout=0.0,
        layer_norm_epsilon=1e-5,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        for key, value in (("num_heads", num_heads), ("intermediate_size", intermediate_size)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"TransformerEncoder: expected a positive int {key}, received {value!r}."
                )
        if not 0.0 <= dropout < 1.0:
            raise ValueError(
                f"TransformerEncoder: expected dropout in [0, 1), received {dropout!r}."
            )
        self.num_heads = num_heads
        self.intermediate_size = intermediate_size
        self.dropout = float(dropout)
        self.layer_norm_epsilon = float(layer_norm_epsilon)
        self.seed = seed
        self.attention_norm = keras.layers.LayerNormalization(
            epsilon=layer_norm_epsilon, name="attention_norm"
        )
        self.mlp_norm = keras.layers.LayerNormalization(epsilon=layer_norm_epsilon, name="mlp_norm")
        self.attention_dropout = keras.layers.Dropout(dropout, seed=seed, name="attention_dropout")
        self.mlp_dropout = keras.layers.Dropout(
            dropout, seed=None if seed is None else seed + 1, name="mlp_dropout"
        )
        self.attention = None
        self.mlp_hidden = keras.layers.Dense(
            intermediate_size, activation="gelu", name="mlp_hidden"
        )
        self.mlp_output = None

    def build(self, input_shape):
        hidden_size = input_shape[-1]
        if hidden_size is None or hidden_size % self.num_heads:
            raise ValueError(
                f"TransformerEncoder: expected an input width divisible by num_heads="
                f"{self.num_heads}, received input shape {tuple(input_shape)}. Change the "
                "width or the number of heads."
            )
        self.attention = keras.layers.MultiHeadAttention(
            num_heads=self.num_heads,
            key_dim=hidden_size // self.num_heads,
            dropout=self.dropout,
            seed=self.seed,
            name="attention",
        )
        self.mlp_output = keras.layers.Dense(hidden_size, name="mlp_output")
        self.attention_norm.build(input_shape)
        self.attention.build(input_shape, input_shape)
        self.mlp_norm.build(input_shape)
        self.mlp_hidden.build(input_shape)
        self.mlp_output.build((*input_shape[:-1], self.intermediate_size))

    def call(self, inputs, training=None):
        normed = self.attention_norm(inputs)
        attended = self.attention(normed, normed, training=training)
        x = inputs + self.attention_dropout(attended, training=training)
        update = self.mlp_output(self.mlp_hidden(self.mlp_norm(x)))
        return x + self.mlp_dropout(update, training=training)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_heads": self.num_heads,
                "intermediate_size": self.intermediate_size,
                "dropout": self.dropout,
                "layer_norm_epsilon": self.layer_norm_epsilon,
                "seed": self.seed,
            }
        )
        return config
