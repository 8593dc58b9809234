"""A VIM small enough for every test on every backend."""

TINY_VIM_CONFIG = {
    "image_size": 16,
    "channels": 3,
    "context_frames": 1,
    "future_frames": 3,
    "num_slots": 3,
    "slot_size": 8,
    "num_modules": 3,
    "module_hidden_size": 16,
    "selection_size": 8,
    "encoder_filters": 8,
    "encoder_layers": 2,
    "decoder_filters": 8,
    "decoder_layers": 2,
    "slot_iterations": 2,
    "seed": 0,
}
