"""Operational endpoints on the worker's web server: liveness and readiness for orchestrators."""
from __future__ import annotations


def register_health(app) -> None:
    @app.page("/health")
    async def health(web, request):
        """Liveness: the process and its event loop answer."""
        return web.json({"status": "ok", "app": app.conf.id})

    @app.page("/ready")
    async def ready(web, request):
        """Readiness: started, not rebalancing, and holding a partition assignment."""
        assigned = sorted({tp.topic for tp in app.consumer.assignment()}) if app.consumer else []
        ok = app.started and not app.rebalancing and bool(assigned)
        return web.json({"ready": ok, "rebalancing": app.rebalancing, "topics": assigned}, status=200 if ok else 503)
