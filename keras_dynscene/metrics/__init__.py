"""Video prediction metrics: per-image SSIM / PSNR / MSE and best-of-N evaluation."""

from keras_dynscene.metrics.best_of_n import best_of_n
from keras_dynscene.metrics.mse import mse
from keras_dynscene.metrics.psnr import psnr
from keras_dynscene.metrics.ssim import ssim

__all__ = ["best_of_n", "mse", "psnr", "ssim"]
