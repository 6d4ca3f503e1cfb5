"""The inference core every local model kind shares: encoding and truncation, length-sorted token-budget batches,
padding, log-probabilities, the pointwise adapter and the pairwise path, precision (the bf16 pass, calibration,
close calls), the score and reference stores, the guards on rewards, and the process share of a data-parallel run.

It wraps a kind's `rewards` (or `preferences`) and is the only place that knows about them; nothing here imports a
kind. `assemble` is what a kind's factory calls to get all of it around its model.
"""
