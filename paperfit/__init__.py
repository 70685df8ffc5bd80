"""paperfit: the ORS/SRS family of feedback forms on paper, from printing to graphs."""

__version__ = "0.1.0"
