"""Stride: a static site generator for interactive machine-learning explainers.

The pipeline, one module per stage:
config -> content -> plugins -> markdown -> templates -> build (atomic write).
"""

__version__ = "0.1.0"

# The memo and the stamp's folder, relative to the project (generator.cache.DEFAULT_DIR). Here
# rather than in generator.cache so that `stride build` with nothing changed, which only reads
# the stamp in it, does not import SQLite and pickle (7 ms) to learn where it is.
CACHE_FOLDER = ".stride-cache"
