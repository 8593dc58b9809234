from keras_dynscene.models.jump.jump import GQN
from keras_dynscene.models.jump.jump import JUMP
from keras_dynscene.models.jump.pixel_variance import LinearPixelVariance
from keras_dynscene.models.jump.pixel_variance import PiecewisePixelVariance
