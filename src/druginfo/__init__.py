"""druginfo: drug information as computable, source-cited knowledge."""

__version__ = "0.1.0"
