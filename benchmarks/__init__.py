"""The benchmarks of `make bench` (scripts/bench.sh): forecast, sync and pipeline, as
management commands on a PostgreSQL database of their own (osp_bench). Not tests: they
measure speed and memory on this machine; no app imports them."""
