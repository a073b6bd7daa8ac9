"""The robustness suite: a bounded fuzz of URLs, forms and REST bodies, and a mixed load under
gunicorn with a worker killed, all against a copy of the example site on 127.0.0.1.

`python -m bench.robustness` runs the small version, `--full` the full one; see README.md.
"""
