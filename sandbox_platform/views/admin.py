"""Test controls over HTTP: inject service failures (JSON only, so a cross-site form cannot post it)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from sandbox_platform.web import platform

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.post("/faults")
def add_fault() -> tuple[Response, int]:
    """`{"status": 503, "count": 3, "seconds": null, "services": ["ags"]}` — all optional."""
    body = request.get_json(silent=False)
    if not isinstance(body, dict):
        return jsonify({"error": "send a JSON object"}), 400
    platform().fail_services(
        status=int(body.get("status", 503)),
        count=body.get("count"),
        seconds=body.get("seconds"),
        services=body.get("services", ["ags"]),
    )
    return jsonify({"ok": True}), 201


@bp.delete("/faults")
def clear_faults() -> tuple[Response, int]:
    platform().clear_faults()
    return jsonify({"ok": True}), 200
