"""Per-frame helpers for `[batch, frames, height, width, channels]` videos (keras.ops only)."""

from keras import ops


def fold_frames(video):
    """`[B, T, H, W, C]` -> `[B * T, H, W, C]` (frames processed independently)."""
    return ops.reshape(video, (-1, *video.shape[2:]))


def unfold_frames(images, frames):
    """`[B * T, H, W, C]` -> `[B, T, H, W, C]`."""
    return ops.reshape(images, (-1, frames, *images.shape[1:]))


def upsample_nearest(video, factor=2):
    """Nearest-neighbour spatial upsampling of a video by an integer factor."""
    return ops.repeat(ops.repeat(video, factor, axis=2), factor, axis=3)


def downsample_average(video, factor=2):
    """Spatial average pooling of a video over `factor` x `factor` blocks."""
    if factor == 1:
        return video
    _, frames, height, width, channels = video.shape
    if height % factor or width % factor:
        raise ValueError(
            f"Frames of {height}x{width} cannot be downsampled by {factor}: the size must be a "
            f"multiple of the factor."
        )
    blocks = ops.reshape(
        video, (-1, frames, height // factor, factor, width // factor, factor, channels)
    )
    return ops.mean(blocks, axis=(3, 5))


def downsample_nearest(video, factor=2):
    """Nearest-neighbour spatial downsampling (every `factor`-th pixel)."""
    return video[:, :, ::factor, ::factor, :]


def build_video_conv(conv, kind, video_shape):
    """Builds a 3D conv on the video shape, or a per-frame 2D conv on its frame shape."""
    conv.build(video_shape if kind == "3d" else (None, *video_shape[2:]))


def apply_video_conv(conv, kind, video, training):
    """A 3D conv on the video, or a 2D conv on every frame (`kind` is "3d" or "2d")."""
    if kind == "3d":
        return conv(video, training=training)
    return unfold_frames(conv(fold_frames(video), training=training), video.shape[1])
