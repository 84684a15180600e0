"""Instrumented LitServe apps that the acceptance suite starts as real server processes.

Every app is registered in :data:`servers.apps.APPS` and started with
``python -m servers <app> --port N --settings '<json>'`` (see ``servers/__main__.py``).
"""
