from keras_dynscene.models.cvg import CascadedVideoGAN
from keras_dynscene.models.hierarchical_vrnn import HierarchicalVRNN
from keras_dynscene.models.jump import GQN
from keras_dynscene.models.jump import JUMP
from keras_dynscene.models.load_preset import load_preset
from keras_dynscene.models.svg_lp import SVGLP
from keras_dynscene.models.vim import VIM
