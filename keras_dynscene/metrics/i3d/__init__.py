"""I3D video classifier and its Kinetics-400 weights (the feature network of FVD, I3D-FID, IS)."""

from keras_dynscene.metrics.i3d.i3d import I3D
from keras_dynscene.metrics.i3d.i3d import I3D_FRAME_SIZE
from keras_dynscene.metrics.i3d.i3d import I3D_MIN_FRAMES
from keras_dynscene.metrics.i3d.i3d_weights import kinetics400_checkpoint_path
from keras_dynscene.metrics.i3d.i3d_weights import load_i3d_weights
