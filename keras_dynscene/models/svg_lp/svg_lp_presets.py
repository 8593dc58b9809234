"""Architecture presets of SVG-LP (Denton & Fergus, 2018), the baseline of thesis section 4.5.2."""

# The paper's DCGAN-64 model: encoder 64-128-256-512, g_dim 128, 256-unit LSTMs (a 2-layer frame
# predictor, 1-layer prior and posterior), no KL warmup.
PAPER_DCGAN_64 = {
    "image_size": 64,
    "encoder_filters": [64, 128, 256, 512],
    "g_dim": 128,
    "rnn_size": 256,
    "predictor_layers": 2,
    "kl_warmup_steps": 0,
    "last_frame_skip": False,
    "train_on_context": True,
}

SVG_LP_PRESETS = {
    # Stochastic Moving MNIST (5 context + 10 future frames, z_dim 10). The Bernoulli likelihood
    # with beta = 1 gives a true ELBO comparable with the Hierarchical VRNN's (SVG itself used
    # MSE with beta = 1e-4).
    "svg_lp": {
        **PAPER_DCGAN_64,
        "channels": 1,
        "context_frames": 5,
        "future_frames": 10,
        "z_dim": 10,
        "likelihood": "bernoulli",
        "kl_weight_max": 1.0,
    },
    # BAIR push (2 context + 10 future frames, z_dim 64) with SVG's objective: its
    # `mse + 1e-4 * kl` per frame, times 64 * 64 * 3, is a Gaussian with variance 0.5 and
    # beta = 1e-4 * 64 * 64 * 3. SVG's BAIR model used a VGG encoder; this one is DCGAN.
    "svg_lp_bair": {
        **PAPER_DCGAN_64,
        "channels": 3,
        "context_frames": 2,
        "future_frames": 10,
        "z_dim": 64,
        "likelihood": "gaussian",
        "likelihood_scale": 0.5**0.5,
        "kl_weight_max": 1e-4 * 64 * 64 * 3,
    },
}
