"""Cityscapes sequences TFDS builder (`tfds.load("cityscapes_sequences")`, manual download)."""
