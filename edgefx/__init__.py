"""edgefx: neural guitar-pedal models from capture to pedal hardware."""

__version__ = "0.1.0"
