"""The simulations' two content types, each in the shape of `hygie.lib.content`:
scenarios (`scenarios.py`, content/scenarios) and scanners (`scanners.py`, content/scanners)."""
