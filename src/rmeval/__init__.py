"""rmeval: evaluate reward models on RewardBench, fast, reproducibly, explained."""

__version__ = "0.1.0"

__all__ = ["__version__"]
