from keras_dynscene.models.inferno.inferno import INFERNO
from keras_dynscene.models.inferno.inferno import NeRFAutoEncoder
from keras_dynscene.models.inferno.slot_to_object import SlotToBackground
from keras_dynscene.models.inferno.slot_to_object import SlotToObject
from keras_dynscene.models.inferno.snitch_localizer import SnitchLocalizer
