"""Building TFDS's own `ucf101` dataset offline, from its two archives downloaded elsewhere.

TFDS's `ucf101` builder downloads `UCF101_videos.zip` (6.9 GB) and
`UCF101TrainTestSplits-RecognitionTask.zip` (114 KB) itself. On a machine without network, copy
the two files over and stage them where its download manager looks first: its cache of verified
downloads, `<download_dir>/ucf101/<name from URL and SHA-256>` plus a `.INFO` file. The builder
then skips the download, checks nothing more (the staging verified size and SHA-256 against the
checksums TFDS registers for the URLs), extracts the zips and encodes the videos with `ffmpeg`.

Example:

```python
from keras_dynscene.data.ucf101_archives import ensure_ffmpeg_on_path
from keras_dynscene.data.ucf101_archives import stage_ucf101_archives

stage_ucf101_archives("UCF101_videos.zip", "UCF101TrainTestSplits-RecognitionTask.zip")
ensure_ffmpeg_on_path()  # TFDS's Video feature calls the `ffmpeg` binary by name.
ds = tfds.load("ucf101/ucf101_1_256", split="train")
```

(`UCF101_videos.zip` alone could also go in the manual directory, which TFDS reads for files
with a registered name; the split lists have none, hence the cache.)
"""

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

DATASET_NAME = "ucf101"


def ucf101_urls() -> dict[str, str]:
    """`{"videos": url, "splits": url}`: the two archives TFDS's `ucf101` builder downloads."""
    from tensorflow_datasets.video import ucf101

    return {"videos": ucf101.UCF_101_URL, "splits": ucf101.SPLITS_URL}


def stage_ucf101_archives(
    videos_zip: str | os.PathLike,
    splits_zip: str | os.PathLike,
    download_dir: str | os.PathLike | None = None,
    verify_checksums: bool = True,
    copy: bool = False,
) -> dict[str, Path]:
    """Places the UCF101 archives in TFDS's download cache so `ucf101` builds offline.

    Args:
        videos_zip: `UCF101_videos.zip`, as downloaded from `ucf101_urls()["videos"]`.
        splits_zip: `UCF101TrainTestSplits-RecognitionTask.zip`, from `ucf101_urls()["splits"]`.
        download_dir: TFDS download directory: `<data_dir>/downloads`, by default
            `$TFDS_DATA_DIR/downloads` or `~/tensorflow_datasets/downloads` (the one
            `tfds.load(..., data_dir=...)` / `dynscene train --data-dir` uses).
        verify_checksums: check size and SHA-256 against TFDS's registered checksums (a minute
            for the 6.9 GB zip). Only tests with fake archives turn this off.
        copy: copy the files instead of symlinking them.

    Returns:
        `{"videos": path, "splits": path}`: where the archives were staged.

    Raises:
        FileNotFoundError: if an archive does not exist.
        ValueError: if an archive's size or SHA-256 is not the registered one.
    """
    import tensorflow_datasets as tfds
    from tensorflow_datasets.core.download import resource

    if download_dir is None:
        download_dir = Path(tfds.core.constants.get_default_data_dir()) / "downloads"
    target_dir = Path(download_dir).expanduser() / DATASET_NAME
    target_dir.mkdir(parents=True, exist_ok=True)
    url_infos = tfds.builder_cls(DATASET_NAME).url_infos
    staged = {}
    for key, archive in (("videos", videos_zip), ("splits", splits_zip)):
        url = ucf101_urls()[key]
        archive = Path(archive).expanduser().resolve()
        expected = url_infos[url]
        if not archive.is_file():
            raise FileNotFoundError(
                f"UCF101 {key} archive {archive} does not exist. Download {url} "
                f"({int(expected.size):,} bytes) on a machine with network and pass its path."
            )
        if verify_checksums:
            _verify(archive, url, expected)
        target = target_dir / resource.get_dl_fname(url, expected.checksum)
        for stale in (target, Path(resource.get_info_path(target))):
            if stale.is_symlink() or stale.exists():
                stale.unlink()
        if copy:
            shutil.copyfile(archive, target)
        else:
            target.symlink_to(archive)
        # The INFO file marks the download as complete; TFDS reads the extraction method
        # (zip) from its original file name.
        resource.write_info_file(
            url=url,
            path=target,
            dataset_name=DATASET_NAME,
            original_fname=url.rsplit("/", 1)[-1],
            url_info=expected,
        )
        staged[key] = target
    return staged


def ensure_ffmpeg_on_path() -> str:
    """Returns an `ffmpeg` on `PATH`, adding the one bundled with `imageio-ffmpeg` if needed.

    TFDS's `Video` feature (which `ucf101` uses to decode its .avi files) runs the binary named
    `ffmpeg`; `imageio-ffmpeg` ships one under another name, so a link named `ffmpeg` to it is
    put in a temporary folder prepended to this process's `PATH`.
    """
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    folder = Path(tempfile.mkdtemp(prefix="keras_dynscene_ffmpeg_"))
    (folder / "ffmpeg").symlink_to(imageio_ffmpeg.get_ffmpeg_exe())
    os.environ["PATH"] = f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"
    return str(folder / "ffmpeg")


def _verify(archive: Path, url: str, expected) -> None:
    size = archive.stat().st_size
    if size != int(expected.size):
        raise ValueError(
            f"{archive} has {size:,} bytes; the UCF101 archive {url} has {int(expected.size):,}. "
            "Is the download incomplete, or is it another file? Download it again."
        )
    digest = hashlib.sha256()
    with open(archive, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected.checksum:
        raise ValueError(
            f"{archive} has SHA-256 {digest.hexdigest()}; the UCF101 archive {url} has "
            f"{expected.checksum}. The file is corrupt or another version: download it again."
        )
