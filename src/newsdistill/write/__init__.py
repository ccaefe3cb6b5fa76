"""Story writers (engines). Each turns a cluster of articles into a ``Story``."""
