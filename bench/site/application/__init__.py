"""The benchmark site of bench/bench_request.py (not part of the example application)."""
