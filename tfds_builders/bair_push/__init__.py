"""BAIR robot pushing TFDS builder (`tfds.load("bair_push")`)."""
