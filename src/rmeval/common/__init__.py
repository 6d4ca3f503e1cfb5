"""The ground floor: helpers every layer may import (device and dtype, cache paths, strict JSON, typed options).

Nothing here imports another part of rmeval, and nothing heavy (torch, transformers) is imported at module level.
"""
