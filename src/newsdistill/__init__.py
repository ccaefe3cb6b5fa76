"""newsdistill: distill the articles reporting one news event into one cited story."""

__version__ = "0.1.0"
