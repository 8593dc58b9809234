from keras_dynscene.models.vim.slot_attention_autoencoder import SlotAttentionAutoEncoder
from keras_dynscene.models.vim.vim import VIM
from keras_dynscene.models.vim.vim_layers import EntityAttention
from keras_dynscene.models.vim.vim_layers import TransitionModules
