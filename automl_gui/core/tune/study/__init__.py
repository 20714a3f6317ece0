"""Comparison studies: optimizers, batch sizes, learning curves, devices."""
