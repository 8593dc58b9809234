"""Named evaluation protocols for population video metrics (FVD, I3D-FID, IS)."""

import dataclasses


@dataclasses.dataclass(frozen=True)
class VideoMetricProtocol:
    """How a population video metric is computed, written into every result it produces.

    Args:
        name: protocol identifier.
        description: one sentence on what is compared, with its source.
        context_frames: frames given to the model; prepended to both populations when
            `include_context` is True. 0 for unconditional generation.
        predicted_frames: generated frames per video.
        num_videos: number of test videos (real population size); `None` when it is set by the
            dataset. Checked when a protocol runs in strict mode.
        repeats: how many times one random sample per test video is drawn and the metric
            recomputed; the mean and standard deviation are reported.
        include_context: whether the context frames belong to both populations.
        resize_method: `"tf1_bilinear"` (the original FVD code) or `"bilinear"`.
        frame_size: side of the square frames the feature network sees (224 for I3D).
        metrics: the metrics the protocol reports.
        reference: where the protocol is defined.

    Example:
    ```python
    protocol = VIDEO_METRIC_PROTOCOLS["bair_2_28"]
    protocol.total_frames  # 30
    ```
    """

    name: str
    description: str
    context_frames: int
    predicted_frames: int
    num_videos: int | None = None
    repeats: int = 1
    include_context: bool = True
    resize_method: str = "tf1_bilinear"
    frame_size: int = 224
    metrics: tuple = ("fvd",)
    reference: str = ""

    @property
    def total_frames(self) -> int:
        return self.predicted_frames + (self.context_frames if self.include_context else 0)

    def to_dict(self) -> dict:
        values = dataclasses.asdict(self)
        values["metrics"] = list(self.metrics)
        return values

    def replace(self, **changes) -> "VideoMetricProtocol":
        return dataclasses.replace(self, **changes)


VIDEO_METRIC_PROTOCOLS = {
    "bair_2_28": VideoMetricProtocol(
        name="bair_2_28",
        description=(
            "BAIR Push: 2 context + 28 predicted frames on the 256 test trajectories; the real "
            "population is the test videos with their context, the generated one is the context "
            "followed by one random sample per test video; repeated 5 times and averaged."
        ),
        context_frames=2,
        predicted_frames=28,
        num_videos=256,
        repeats=5,
        metrics=("fvd",),
        reference="Castrejon 2022 thesis 4.5.2-4.5.3; Unterthiner et al. 2018",
    ),
    "smmnist_5_10": VideoMetricProtocol(
        name="smmnist_5_10",
        description=(
            "Stochastic Moving MNIST: 5 context + 10 predicted frames, test videos with context "
            "vs the context followed by one random sample per test video, repeated 5 times "
            "(the thesis 4.5.2 procedure at the training horizon); grayscale frames are "
            "replicated to RGB."
        ),
        context_frames=5,
        predicted_frames=10,
        num_videos=None,
        repeats=5,
        metrics=("fvd",),
        reference="Castrejon 2022 thesis 4.5.2, table 4.3",
    ),
    "kinetics_cvg": VideoMetricProtocol(
        name="kinetics_cvg",
        description=(
            "Class-conditional Kinetics-600 generation, 12 frames (also used at 48): IS on "
            "Kinetics-400 I3D logits, FVD on the same logits, FID on the last-layer I3D "
            "activations (the thesis uses a Kinetics-600 I3D there; pass its checkpoint, the "
            "default is Kinetics-400); 50,000 generated samples as DVD-GAN."
        ),
        context_frames=0,
        predicted_frames=12,
        num_videos=50_000,
        repeats=1,
        include_context=False,
        metrics=("inception_score", "fvd", "i3d_fid"),
        reference="Castrejon 2022 thesis 6.5.1, table 6.1; Clark et al. 2019",
    ),
}


def get_video_metric_protocol(protocol) -> VideoMetricProtocol:
    """Returns the protocol named `protocol` (or `protocol` itself when it already is one)."""
    if isinstance(protocol, VideoMetricProtocol):
        return protocol
    if protocol not in VIDEO_METRIC_PROTOCOLS:
        raise ValueError(
            f"Unknown video metric protocol {protocol!r}; expected one of "
            f"{sorted(VIDEO_METRIC_PROTOCOLS)} or a VideoMetricProtocol instance."
        )
    return VIDEO_METRIC_PROTOCOLS[protocol]
