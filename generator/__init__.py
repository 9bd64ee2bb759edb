"""Stride: a static site generator for interactive machine-learning explainers.

The pipeline, one module per stage:
config -> content -> plugins -> markdown -> templates -> build (atomic write).
"""

__version__ = "0.1.0"
