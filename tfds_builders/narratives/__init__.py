"""Narratives TFDS builder (`tfds.load("narratives/traveling_salesman")`), JUMP section 4.1."""
