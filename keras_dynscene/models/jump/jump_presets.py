"""Architecture presets of JUMP and its GQN baseline (Kumar et al. 2018, appendix B)."""

# Appendix B table (traveling salesman / narratives): nt = 4 DRAW steps, 64-channel LSTMs,
# nf_enc 128, nf_to_obs 128, nf_dec 64, 3 latent channels per step, strides 2, pixel variance
# annealed linearly 2.0 -> 0.5 over 100k steps. 64x64 RGB frames with timestamps as viewpoints.
# The paper does not give the context / target counts; 21-frame narratives are split into up to
# 10 context and 10 target frames (every frame is context or target in the largest splits).
NARRATIVES = {
    "image_size": 64,
    "channels": 3,
    "viewpoint_size": 1,
    "max_context": 10,
    "max_targets": 10,
    "num_draw_steps": 4,
    "nf_to_hidden": 64,
    "nf_enc": 128,
    "nf_to_obs": 128,
    "nf_dec": 64,
    "nf_z": 3,
    "stride_to_hidden": 2,
    "stride_to_obs": 2,
    "pixel_variance": {
        "module": "keras_dynscene.models.jump.pixel_variance",
        "class_name": "LinearPixelVariance",
        "config": {"initial_variance": 2.0, "final_variance": 0.5, "annealing_steps": 100_000},
        "registered_name": "keras_dynscene>LinearPixelVariance",
    },
}

# Sized to train on a 2-core CPU: 32x32 frames (the smallest narratives size), 2 DRAW steps,
# 32-channel cores, the variance ramp 2.0 -> 0.5 over 5k steps instead of 100k (the shipped
# `jump_traveling_salesman` trained 12k steps: ramp, then 7k steps at 0.5).
NARRATIVES_CPU = {
    **NARRATIVES,
    "image_size": 32,
    "max_context": 5,
    "max_targets": 4,
    "num_draw_steps": 2,
    "nf_to_hidden": 32,
    "nf_enc": 32,
    "nf_to_obs": 32,
    "nf_dec": 32,
    "pixel_variance": {
        **NARRATIVES["pixel_variance"],
        "config": {"initial_variance": 2.0, "final_variance": 0.5, "annealing_steps": 5_000},
    },
}

# Appendix B, MNIST cube 3D reconstruction: nt 6, nf_to_hidden 128, nf_dec 128 and the
# piecewise schedule 2.0 (100k) -> 0.2 (50k) -> 0.4 (50k) -> 0.9. Viewpoints as in GQN: camera
# position (3) and the sine / cosine of yaw and pitch (4).
MNIST_CUBE = {
    **NARRATIVES,
    "viewpoint_size": 7,
    "num_draw_steps": 6,
    "nf_to_hidden": 128,
    "nf_dec": 128,
    "pixel_variance": {
        "module": "keras_dynscene.models.jump.pixel_variance",
        "class_name": "PiecewisePixelVariance",
        "config": {"boundaries": [100_000, 150_000, 200_000], "values": [2.0, 0.2, 0.4, 0.9]},
        "registered_name": "keras_dynscene>PiecewisePixelVariance",
    },
}

JUMP_PRESETS = {
    "jump_narratives": NARRATIVES,
    "jump_narratives_cpu": NARRATIVES_CPU,
    "jump_mnist_cube": MNIST_CUBE,
}

# Section 4.1-4.2 baseline: one latent per target frame, no shared scene latent.
GQN_PRESETS = {
    "gqn_narratives": {**NARRATIVES, "per_target_latents": True},
    "gqn_narratives_cpu": {**NARRATIVES_CPU, "per_target_latents": True},
    "gqn_mnist_cube": {**MNIST_CUBE, "per_target_latents": True},
}
