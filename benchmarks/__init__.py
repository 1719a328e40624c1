"""
hitl against raw httpx and pydantic: per-call overhead, import time, decoding, concurrency and scale.

Run `python -m benchmarks` (all five, one process each) or `python -m benchmarks --smoke` (tiny sizes, for the
test suite); see `benchmarks/README.md` for the method and the latest figures.
"""
