"""Getting model weights onto disk in a form transformers loads quickly."""
