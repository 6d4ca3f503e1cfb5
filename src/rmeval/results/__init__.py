"""Result folders: `result.json` (schema-versioned, strict JSON) and `samples.jsonl`, written and read back typed."""

from rmeval.results.files import RESULT_FILE, SAMPLES_FILE, SCHEMA_VERSION, RunResult, read_run, write_run
from rmeval.results.recompute import benchmark_of, recompute, stored_resampling, tie_credit_of
from rmeval.results.schema import result_schema, schema_path

__all__ = ["RESULT_FILE", "SAMPLES_FILE", "SCHEMA_VERSION", "RunResult", "benchmark_of", "read_run", "recompute",
           "result_schema", "schema_path", "stored_resampling", "tie_credit_of", "write_run"]
