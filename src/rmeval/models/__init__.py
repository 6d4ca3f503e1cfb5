"""Loading a checkpoint as its authors wrote it: transformers classes, the load report and the guard against newly
initialised heads, heads stored beside a backbone, checkpoint tensors read by name, model identity (hashes,
revisions), GGUF weights converted once. Nothing here imports the inference core or a kind."""
