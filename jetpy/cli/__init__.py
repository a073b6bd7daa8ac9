"""The `jetpy` command (`main`) and its groups: `db`, `modules`, `dictionaries`, `new`, and the
commands that activated modules bring in their cli.py (`modulecli`, with `pass_app`).
"""
