"""CLEVR6 TFDS builder (`tfds.load("clevr6/64x64")`, manual download)."""
