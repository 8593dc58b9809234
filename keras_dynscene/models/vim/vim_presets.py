"""Architecture presets of VIM (thesis chapter 8)."""

# The paper's sizes: 64-channel 5x5 encoder (table 8.1) and decoder (table 8.2), 64-d slots,
# 128-unit modules (table 8.3), 64-d keys/queries (8.A.1), K = 4 slots, 5 modules, sequences up to
# 20 frames with a length curriculum from 6 frames, +2 frames per stage (8.A.2).
PAPER = {
    "image_size": 32,
    "channels": 3,
    "context_frames": 1,
    "future_frames": 19,
    "num_slots": 4,
    "slot_size": 64,
    "num_modules": 5,
    "module_hidden_size": 128,
    "selection_size": 64,
    "encoder_filters": 64,
    "encoder_layers": 4,
    "encoder_kernel_size": 5,
    "decoder_filters": 64,
    "decoder_layers": 3,
    "decoder_kernel_size": 5,
    "curriculum_start_frames": 6,
    "curriculum_increment": 2,
}

# Sized to train on a 2-core CPU in about an hour: 10-frame sequences, 32-channel 3x3 convs.
CPU = {
    "image_size": 32,
    "channels": 3,
    "context_frames": 1,
    "future_frames": 5,
    "num_slots": 4,
    "slot_size": 32,
    "num_modules": 5,
    "module_hidden_size": 64,
    "selection_size": 32,
    "encoder_filters": 32,
    "encoder_layers": 3,
    "encoder_kernel_size": 3,
    "decoder_filters": 32,
    "decoder_layers": 3,
    "decoder_kernel_size": 3,
}

VIM_PRESETS = {
    "vim_paper": PAPER,
    "vim_cpu": CPU,
    # 8.5.1 ablation: one monolithic transition module with the same total module capacity.
    "vim_monolithic_cpu": {
        **CPU,
        "num_modules": 1,
        "module_hidden_size": 5 * CPU["module_hidden_size"],
    },
    # 8.B: deterministic SCOFF/RIM-like variant (argmax selection, no latent noise).
    "vim_deterministic_cpu": {**CPU, "deterministic": True},
    # 8.5.2: two select-and-update iterations between frames (VIM-2).
    "vim_2_cpu": {**CPU, "select_iterations": 2},
}
