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
