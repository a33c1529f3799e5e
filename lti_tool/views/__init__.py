"""Blueprints: one module each, thin (parse the request, call a service, render)."""
