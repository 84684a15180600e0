"""Helpers behind the step definitions: launching servers, clients, streams, reports, assertions."""
