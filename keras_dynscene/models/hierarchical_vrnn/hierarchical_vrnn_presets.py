"""Architecture presets of the Hierarchical VRNN (thesis section 4.B, tables 4.4-4.7)."""

# The paper's 64x64 model: encoder 64-128-256-512-512, latents at 1x1 (128 channels),
# 8x8 (512) and 32x32 (512), six decoder ConvLSTMs; BAIR protocol of 4.5.1 (2 context frames,
# 10 future frames during training).
PAPER_64 = {
    "image_size": 64,
    "channels": 3,
    "context_frames": 2,
    "future_frames": 10,
    "encoder_filters": [64, 128, 256, 512, 512],
    "groups": 16,
    "likelihood": "gaussian",
    "likelihood_scale": 0.1,
    "kl_warmup_steps": 20000,
    "dense_latent_connectivity": True,
    "decoder_skip_connections": True,
}

HIERARCHICAL_VRNN_PRESETS = {
    # The CPU-sized configuration of the shipped `hier_vrnn_smmnist` preset (SVG protocol:
    # 5 context + 10 future frames, 64x64 binary frames with a Bernoulli likelihood).
    "hier_vrnn_smmnist_cpu": {
        "image_size": 64,
        "channels": 1,
        "context_frames": 5,
        "future_frames": 10,
        "encoder_filters": [16, 32, 64, 64, 64],
        "latent_resolutions": [1, 8, 32],
        "latent_channels": [16, 16, 8],
        "groups": 16,
        "likelihood": "bernoulli",
        "kl_warmup_steps": 500,
    },
    "hier_vrnn_1_8_32": {
        **PAPER_64,
        "latent_resolutions": [1, 8, 32],
        "latent_channels": [128, 512, 512],
    },
    # "Ours w/o Hier": a single level of latents with no spatial topology.
    "vrnn_1_level": {
        **PAPER_64,
        "latent_resolutions": [1],
        "latent_channels": [128],
    },
    # Table 4.2's "naive training": no beta warmup and no dense connectivity.
    "hier_vrnn_1_8_32_naive": {
        **PAPER_64,
        "latent_resolutions": [1, 8, 32],
        "latent_channels": [128, 512, 512],
        "kl_warmup_steps": 0,
        "dense_latent_connectivity": False,
    },
}
