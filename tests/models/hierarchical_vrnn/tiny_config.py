"""A Hierarchical VRNN small enough for every test on every backend."""

TINY_CONFIG = {
    "image_size": 16,
    "channels": 1,
    "context_frames": 2,
    "future_frames": 3,
    "encoder_filters": [4, 8, 8],
    "latent_resolutions": [1, 4],
    "latent_channels": [4, 4],
    "groups": 4,
    "kl_warmup_steps": 4,
    "seed": 1,
}

# 64x64 like Stochastic Moving MNIST, with a handful of channels.
TINY_64_CONFIG = {
    "image_size": 64,
    "channels": 1,
    "context_frames": 2,
    "future_frames": 2,
    "encoder_filters": [4, 4, 4, 4, 4],
    "latent_resolutions": [1, 8],
    "latent_channels": [2, 2],
    "groups": 2,
    "seed": 0,
}
