"""Random Walk TFDS builder of VIM (`tfds.load("random_walk/atomic")`)."""
