"""Persistence behind the service: a write-through Store of JSON documents."""
