from keras_dynscene.models.hierarchical_vrnn.hierarchical_vrnn import HierarchicalVRNN
from keras_dynscene.models.hierarchical_vrnn.hierarchical_vrnn_presets import (
    HIERARCHICAL_VRNN_PRESETS,
)

HierarchicalVRNN.architecture_presets = HIERARCHICAL_VRNN_PRESETS
