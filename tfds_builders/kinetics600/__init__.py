"""Kinetics-600 TFDS builder (`tfds.load("kinetics600/128x128")`, manual download)."""
