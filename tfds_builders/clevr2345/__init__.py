"""CLEVR2345 TFDS builder (`tfds.load("clevr2345/128x128")`, manual download)."""
