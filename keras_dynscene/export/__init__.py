"""TF SavedModel export with named TF Serving signatures, and checks that serve it."""

from keras_dynscene.export.scene_renderer_export import export_scene_renderer
from keras_dynscene.export.serving_check import LoopbackPredictionServer
from keras_dynscene.export.serving_check import ServingCheckError
from keras_dynscene.export.serving_check import saved_model_cli_check
from keras_dynscene.export.serving_check import serving_check
from keras_dynscene.export.serving_check import signature_specs
from keras_dynscene.export.video_generator_export import export_video_generator
from keras_dynscene.export.video_prediction_export import export_preset
from keras_dynscene.export.video_prediction_export import export_video_predictor
from keras_dynscene.export.video_prediction_export import stateless_noise
