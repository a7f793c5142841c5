"""The campaign engine: runs a short plan of phases and passes values between the parts.

Nothing here knows OpenAPI, and nothing here is imported by the parts it runs except
:mod:`~isolation_harness.engine.context`, the services the parts may use.
"""
