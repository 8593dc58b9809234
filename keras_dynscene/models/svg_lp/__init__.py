from keras_dynscene.models.svg_lp.svg_lp import SVGLP
from keras_dynscene.models.svg_lp.svg_lp_presets import SVG_LP_PRESETS

SVGLP.architecture_presets = SVG_LP_PRESETS
