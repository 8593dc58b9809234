"""Metrics for generated videos and scenes: per-frame SSIM / PSNR / MSE / LPIPS, best-of-N,
population metrics on I3D (FVD, I3D-FID, IS) and images (FID), ARI and power spectra."""

from keras_dynscene.metrics.adjusted_rand_index import adjusted_rand_index
from keras_dynscene.metrics.adjusted_rand_index import foreground_adjusted_rand_index
from keras_dynscene.metrics.best_of_n import best_of_n
from keras_dynscene.metrics.feature_cache import FeatureCache
from keras_dynscene.metrics.frame_resize import resize_frames
from keras_dynscene.metrics.frechet_distance import frechet_distance
from keras_dynscene.metrics.frechet_distance import frechet_distance_from_statistics
from keras_dynscene.metrics.frechet_distance import gaussian_statistics
from keras_dynscene.metrics.frechet_inception_distance import ImageFeatureExtractor
from keras_dynscene.metrics.frechet_inception_distance import frechet_inception_distance
from keras_dynscene.metrics.frechet_inception_distance import inception_v3_feature_network
from keras_dynscene.metrics.frechet_video_distance import evaluate_video_population_metrics
from keras_dynscene.metrics.frechet_video_distance import frechet_video_distance
from keras_dynscene.metrics.frechet_video_distance import video_inception_score
from keras_dynscene.metrics.i3d import I3D
from keras_dynscene.metrics.i3d_feature_extractor import I3DFeatureExtractor
from keras_dynscene.metrics.inception_score import inception_score
from keras_dynscene.metrics.lpips import LPIPS
from keras_dynscene.metrics.lpips import lpips
from keras_dynscene.metrics.mse import mse
from keras_dynscene.metrics.power_spectral_density import power_spectral_density
from keras_dynscene.metrics.power_spectral_density import video_power_spectral_density
from keras_dynscene.metrics.psnr import psnr
from keras_dynscene.metrics.ssim import ssim
from keras_dynscene.metrics.video_metric_protocol import VIDEO_METRIC_PROTOCOLS
from keras_dynscene.metrics.video_metric_protocol import VideoMetricProtocol

__all__ = [
    "FeatureCache",
    "I3D",
    "I3DFeatureExtractor",
    "ImageFeatureExtractor",
    "LPIPS",
    "VIDEO_METRIC_PROTOCOLS",
    "VideoMetricProtocol",
    "adjusted_rand_index",
    "best_of_n",
    "evaluate_video_population_metrics",
    "foreground_adjusted_rand_index",
    "frechet_distance",
    "frechet_distance_from_statistics",
    "frechet_inception_distance",
    "frechet_video_distance",
    "gaussian_statistics",
    "inception_score",
    "inception_v3_feature_network",
    "lpips",
    "mse",
    "power_spectral_density",
    "psnr",
    "resize_frames",
    "ssim",
    "video_inception_score",
    "video_power_spectral_density",
]
