"""Architecture presets of INFERNO and its NeRF-AE baseline (thesis chapter 10)."""

# The paper's sizes (10.A, tables 10.5-10.9): 4 x 5x5 64-channel encoder, 128-d slots and
# codes, 3 slot attention iterations, object NeRF 8 x 64 with a skip at layer 4, background
# NeRF 4 x 16, 128 feature channels rendered at 16x16 and upscaled. The thesis does not give the
# samples per ray or the positional encoding octaves: NeRF's 10 / 4 octaves, 32 samples.
PAPER = {
    "image_size": 64,
    "channels": 3,
    "encoder_filters": 64,
    "encoder_layers": 4,
    "encoder_kernel_size": 5,
    "slot_size": 128,
    "slot_mlp_hidden_size": 128,
    "slot_iterations": 3,
    "code_size": 128,
    "code_hidden_size": 128,
    "pose_hidden_size": 7,
    "background_code_size": 128,
    "object_nerf_layers": 8,
    "object_nerf_units": 64,
    "object_nerf_skip_layer": 4,
    "background_nerf_layers": 4,
    "background_nerf_units": 16,
    "feature_size": 128,
    "feature_resolution": 16,
    "upscaler_filters": 64,
    "num_position_frequencies": 10,
    "num_direction_frequencies": 4,
    "num_samples": 32,
}

# Sized to train on a 2-core CPU: 64-d slots and codes, 32-channel encoder, 12 samples per
# ray, 6 position octaves and 32 rendered feature channels; the NeRF depths / widths of table
# 10.8 are kept. 4 object slots for scenes of 2-4 objects.
CPU = {
    **PAPER,
    "num_objects": 4,
    "encoder_filters": 32,
    "slot_size": 64,
    "slot_mlp_hidden_size": 64,
    "code_size": 64,
    "code_hidden_size": 64,
    "background_code_size": 64,
    "feature_size": 32,
    "upscaler_filters": 32,
    "num_position_frequencies": 6,
    "num_samples": 12,
    "full_resolution_training_rays": 1024,
}

INFERNO_PRESETS = {
    # 10.B.1: 128x128 CLEVR2345 with 5 objects and the LPIPS loss (weight 100).
    "inferno_clevr2345": {**PAPER, "image_size": 128, "num_objects": 5, "lpips_weight": 100.0},
    # 10.B.2: 64x64 CLEVR6 with 6 objects.
    "inferno_clevr6": {**PAPER, "num_objects": 6},
    # 10.B.3: 64x64 CATER frames with 10 objects.
    "inferno_cater": {**PAPER, "num_objects": 10},
    "inferno_cpu": CPU,
}

_NERF_AE = {"num_objects": 0, "background_nerf_layers": 8, "background_nerf_units": 64}
NERF_AUTOENCODER_PRESETS = {
    "nerf_autoencoder_clevr2345": {**PAPER, **_NERF_AE, "image_size": 128, "lpips_weight": 100.0},
    "nerf_autoencoder_cpu": {**CPU, **_NERF_AE},
}
