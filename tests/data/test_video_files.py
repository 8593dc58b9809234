import io

import imageio.v2 as imageio
import numpy as np
import pytest

from keras_dynscene.data.video_files import UnreadableVideoError
from keras_dynscene.data.video_files import check_clip_sizes
from keras_dynscene.data.video_files import frames_needed
from keras_dynscene.data.video_files import read_video_clip
from keras_dynscene.data.video_files import square_crop_resize


@pytest.fixture(scope="module")
def clip_path(tmp_path_factory):
    # 12 frames 32x16: red side borders, centre (40, 20 t, 200).
    path = tmp_path_factory.mktemp("clips") / "clip.mp4"
    writer = imageio.get_writer(
        path,
        format="FFMPEG",
        fps=25,
        codec="libx264",
        macro_block_size=8,
        ffmpeg_params=["-crf", "18"],
        ffmpeg_log_level="error",
    )
    for t in range(12):
        frame = np.zeros((16, 32, 3), dtype=np.uint8)
        frame[..., 0] = 255
        frame[:, 8:24] = (40, 20 * t, 200)
        writer.append_data(frame)
    writer.close()
    return path


def test_reads_a_subsampled_square_clip_from_a_path_or_a_file(clip_path):
    video = read_video_clip(clip_path, 4, 3, 8)
    assert video.shape == (4, 8, 8, 3) and video.dtype == np.uint8
    np.testing.assert_allclose(video[:, 4, 4, 1], [0, 60, 120, 180], atol=8)  # Frames differ by 60.
    assert video[..., 0].max() < 90
    from_file = read_video_clip(io.BytesIO(clip_path.read_bytes()), 4, 3, 8)
    np.testing.assert_array_equal(from_file, video)


def test_too_short_and_unreadable_videos(clip_path, tmp_path):
    assert frames_needed(4, 4) == 13
    with pytest.raises(UnreadableVideoError, match="has 12 frames; .* needs 13"):
        read_video_clip(clip_path, 4, 4, 8)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"no video here")
    with pytest.raises(UnreadableVideoError, match="ffmpeg cannot read"):
        read_video_clip(broken, 1, 1, 8)
    with pytest.raises(ValueError, match="received num_frames=0, frame_stride=1"):
        read_video_clip(clip_path, 0, 1, 8)


def test_square_crop_resize_keeps_the_centre():
    frame = np.zeros((10, 30, 3), dtype=np.uint8)
    frame[:, 10:20] = (1, 2, 3)
    np.testing.assert_array_equal(square_crop_resize(frame, 5), np.full((5, 5, 3), (1, 2, 3)))


def test_clip_configs_refuse_sizes_that_are_not_positive_ints():
    from tfds_builders.bdd100k.bdd100k_dataset_builder import Bdd100kConfig
    from tfds_builders.kinetics600.kinetics600_dataset_builder import Kinetics600Config

    with pytest.raises(ValueError, match=r"`frame_stride` must be a positive int.*=0"):
        Bdd100kConfig(name="bad", frame_stride=0)
    with pytest.raises(ValueError, match=r"`image_size` must be a positive int.*=True"):
        Kinetics600Config(name="bad", image_size=True)
    with pytest.raises(ValueError, match=r"`num_frames` must be a positive int.*='8'"):
        check_clip_sizes(num_frames="8")
