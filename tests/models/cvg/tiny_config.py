# A 2-level cascade small enough to trace and step in seconds on every backend: level 1 makes
# 4/8x8 frames, level 2 upsamples windows of 2 frames to 4/16x16 and unrolls to 8/16x16.
TINY_CVG_CONFIG = {
    "image_size": 16,
    "num_frames": 8,
    "channels": 1,
    "num_classes": 3,
    "noise_size": 4,
    "embedding_size": 4,
    "spatial_factors": [2],
    "temporal_factors": [2],
    "window_frames": [2],
    "generator_channels": [4, 4],
    "generator_multipliers": [[2, 1], [2, 1]],
    "discriminator_channels": [4, 4],
    "discriminator_multipliers": [[1, 2], [1, 2]],
    "spatial_frames": 2,
    "discriminator_steps": 2,
    "max_frames": 16,
    "seed": 0,
}
