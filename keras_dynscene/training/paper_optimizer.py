import keras

from keras_dynscene.schedules.linear_warmup import LinearWarmup


def paper_optimizer(
    steps_per_epoch: int,
    learning_rate: float = 1.6e-4,
    initial_learning_rate: float = 2e-5,
    warmup_epochs: float = 5,
    beta_1: float = 0.5,
    beta_2: float = 0.9,
    weight_decay: float = 1e-4,
    global_clipnorm: float | None = None,
) -> keras.optimizers.Optimizer:
    """Adam of thesis 4.5: lr 2e-5 -> 1.6e-4 over 5 epochs, betas (0.5, 0.9), weight decay 1e-4.

    `global_clipnorm` (off by default) rescales the gradients to that global norm, which keeps
    slot-attention models (VIM) from the loss spikes their early training is prone to."""
    schedule = LinearWarmup(
        initial_learning_rate, learning_rate, int(round(warmup_epochs * steps_per_epoch))
    )
    return keras.optimizers.Adam(
        schedule,
        beta_1=beta_1,
        beta_2=beta_2,
        weight_decay=weight_decay,
        global_clipnorm=global_clipnorm,
    )
