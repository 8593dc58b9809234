"""CATER snitch localization TFDS builder (`tfds.load("cater/64x64")`, manual download)."""
