"""repo-roadmap: static analysis of Python repositories, turned into a phased roadmap."""

__version__ = "0.1.0"

__all__ = ["__version__"]
