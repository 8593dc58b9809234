"""Architecture presets of CVG (thesis chapter 6)."""

# Thesis 6.5.2 / 6.A: Kinetics-600 two-level 48/128x128 model. Level 1: 24/32x32 frames (temporal
# subsampling 4), generator ch=128 with multipliers [8, 8, 4, 2], discriminators ch=128 with
# [1, 2, 4, 8, 16] (listed as [16, 16, 8, 4, 2] in 6.A.1, from the last block); level 2 upsamples
# 6/32x32 windows to 12/128x128 (x4 space, x2 time), generator ch=128 [8, 8, 4, 2, 1],
# discriminators ch=96 [1, 2, 4, 8, 16, 16]. k = 8 frames for the spatial discriminator.
KINETICS_128 = {
    "image_size": 128,
    "num_frames": 48,
    "channels": 3,
    "num_classes": 600,
    "noise_size": 128,
    "embedding_size": 128,
    "spatial_factors": [4],
    "temporal_factors": [2],
    "window_frames": [6],
    "generator_channels": [128, 128],
    "generator_multipliers": [[8, 8, 4, 2], [8, 8, 4, 2, 1]],
    "discriminator_channels": [128, 96],
    "discriminator_multipliers": [[1, 2, 4, 8, 16], [1, 2, 4, 8, 16, 16]],
    "spatial_frames": 8,
    "discriminator_steps": 2,
    "max_frames": 64,
}

# Sized for a 2-core CPU: 1-digit SM-MNIST at 32x32 with the digit as class, 16 frames. Level 1
# generates 8/16x16 (subsampling 2); level 2 upsamples windows of 4/16x16 to 8/32x32 and unrolls
# over the 8 first-level frames to 16/32x32 (twice its training window).
CPU = {
    "image_size": 32,
    "num_frames": 16,
    "channels": 1,
    "num_classes": 10,
    "noise_size": 32,
    "embedding_size": 32,
    "spatial_factors": [2],
    "temporal_factors": [2],
    "window_frames": [4],
    "generator_channels": [16, 16],
    "generator_multipliers": [[4, 2, 1], [4, 2, 1]],
    "discriminator_channels": [16, 16],
    "discriminator_multipliers": [[1, 2, 4], [1, 2, 4]],
    "spatial_frames": 4,
    "discriminator_steps": 2,
    "max_frames": 64,
}

CVG_PRESETS = {
    "cvg_kinetics_128": KINETICS_128,
    "cvg_cpu": CPU,
    # Table 6.3 ablation: no matching discriminator (the upsampling level may ignore its input).
    "cvg_no_md_cpu": {**CPU, "matching_discriminator": False},
}
