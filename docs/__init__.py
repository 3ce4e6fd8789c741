"""monitor's reference pages: generated from the code by `python -m docs.generate` (see generate.py)."""
