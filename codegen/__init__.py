"""
hitl's code generator: openapi.yaml → hitl/_models.py + hitl_async/_resources/ → hitl_sync/ + tests/_sync/.

Run `python -m codegen` (or `make generate`); `python -m codegen --check` (`make check-generated`) fails when
the committed generated code differs from what the generator makes now.
"""
