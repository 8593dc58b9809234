import pytest

from tests.distribute.jobs import run_job

# 16 clips in global batches of 4 and a checkpoint every 4 steps: every epoch sees the same 4
# batches, so a run resumed from a checkpoint must end on exactly the uninterrupted weights.
VAE_RUN = [
    "--zero-noise",
    "--model",
    "vae",
    "--steps",
    "8",
    "--checkpoint-every",
    "4",
    # Small enough steps that float-level reordering differences do not grow chaotically.
    "--learning-rate",
    "3e-4",
]


@pytest.fixture(scope="package")
def single_device_vae(tmp_path_factory):
    """Output folder of the uninterrupted single-device reference run of `VAE_RUN`."""
    out = tmp_path_factory.mktemp("single_device_vae")
    run_job(out, *VAE_RUN, "--per-replica-batch", "4")
    return out
