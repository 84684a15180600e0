"""The bare FastAPI/uvicorn app the performance gate measures LitServe against.

It does the same work as the do-nothing ``square`` model (``{"input": x}`` -> ``{"output": x*x}``)
with none of LitServe: no request queue, no inference worker, no response queue. Measured side
by side with LitServe in the same run, it tells what LitServe itself costs per request (the
parity LitServe's own CI checks in ``tests/parity_fastapi``).

It is a server of the suite like the LitServe apps: ``python -m servers reference --port N``,
started and stopped by the same launcher and pool, with ``/health`` for readiness. It runs
uvicorn with LitServe's defaults (``uvicorn.Config(app, host, port, log_level="info")``: the
same event loop and HTTP parser), one process. Faults never apply here: it is the reference.
"""

# No ``from __future__ import annotations`` here: FastAPI resolves string annotations in the module's
# globals, where the ``Request`` imported inside build_app is not, and would then read ``request`` as a
# query parameter (every /predict answered 422 "Field required").
from servers.settings import AppSettings


def build_app(settings: AppSettings | None = None):
    """A FastAPI app with ``/predict`` (the square of ``input``) and ``/health`` (``ok``)."""
    from fastapi import FastAPI, Request
    from fastapi.responses import PlainTextResponse

    app = FastAPI()

    @app.post("/predict")
    async def predict(request: Request) -> dict:
        body = await request.json()
        x = body["input"]
        return {"output": x * x}

    @app.get("/health", response_class=PlainTextResponse)
    async def health() -> str:
        return "ok"

    return app


def serve(app_name: str, port: int, app) -> int:
    """Run the FastAPI ``app`` on 127.0.0.1:``port`` until SIGTERM or Ctrl-C (uvicorn's own handlers)."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="info"))
    print(f"suite: starting app {app_name!r} (bare FastAPI, no LitServe) on 127.0.0.1:{port}", flush=True)
    server.run()
    print("suite: server stopped", flush=True)
    return 0
