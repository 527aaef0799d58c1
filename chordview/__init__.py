"""chordview: chord analysis with a fully convolutional UNet and structured heads."""
__version__ = "0.1.0"
