"""The reference-stack adapter: the one place the harness reaches into `targets`.

Everything the harness needs of the reference stack (service flags, bucket and key names,
the record schema, the model build) comes through `harness.reference.contract`, which
re-exports `targets.contract`. A user's own inference service needs none of it
(docs/own-stack.md); tests/unit/test_reference_adapter.py keeps every other module clean.
"""
