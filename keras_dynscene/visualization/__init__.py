"""Pictures a person looks at: frame grids, GIF/MP4 videos and metric plots."""

from keras_dynscene.visualization.metric_plots import plot_kl_heatmap
from keras_dynscene.visualization.metric_plots import plot_metric_per_step
from keras_dynscene.visualization.metric_plots import plot_power_spectral_density
from keras_dynscene.visualization.metric_plots import plot_rule_module_matching
from keras_dynscene.visualization.video_grid import comparison_video
from keras_dynscene.visualization.video_grid import save_png
from keras_dynscene.visualization.video_grid import slot_video
from keras_dynscene.visualization.video_grid import tile_videos
from keras_dynscene.visualization.video_grid import video_comparison_grid
from keras_dynscene.visualization.video_writer import write_gif
from keras_dynscene.visualization.video_writer import write_mp4

__all__ = [
    "comparison_video",
    "plot_kl_heatmap",
    "plot_metric_per_step",
    "plot_power_spectral_density",
    "plot_rule_module_matching",
    "save_png",
    "slot_video",
    "tile_videos",
    "video_comparison_grid",
    "write_gif",
    "write_mp4",
]
