"""Procedural Objects 3D TFDS builder of INFERNO (`tfds.load("procedural_objects3d")`)."""
