import keras

MIN_CHANNELS_PER_GROUP = 4


def group_count(channels: int, groups: int) -> int:
    """Largest divisor of `channels` <= `groups` leaving >= 4 channels per group (when possible).

    The thesis uses g=16 with 64-512 channels (>= 4 channels per group). Small CPU
    configurations would otherwise get one-channel groups, which normalize a 1x1 feature map
    to exactly zero and erase the information.
    """
    limit = max(1, min(groups, channels // MIN_CHANNELS_PER_GROUP))
    return max(g for g in range(1, limit + 1) if channels % g == 0)


def group_normalization(channels: int, groups: int, name: str | None = None):
    """`keras.layers.GroupNormalization` over `channels` with `group_count(channels, groups)`."""
    return keras.layers.GroupNormalization(
        groups=group_count(channels, groups), epsilon=1e-5, name=name
    )
