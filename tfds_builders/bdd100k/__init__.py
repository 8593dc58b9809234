"""BDD100K TFDS builder (`tfds.load("bdd100k/256x256")`, manual download)."""
