"""The Toxiproxy v2.12.0 HTTP API on aiohttp: routes, status codes and error bodies."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from harness.netproxy import specs
from harness.netproxy.collection import ProxyCollection
from harness.netproxy.errors import ApiError
from harness.netproxy.wire import (
    ProxyBody,
    ToxicBody,
    decode,
    decode_list,
    dumps,
    parse_json,
    render_proxy,
    render_toxic,
)

log = logging.getLogger(__name__)

VERSION = "2.12.0"
REQUEST_ID = "X-Toxiproxy-Request-Id"
COLLECTION = web.AppKey("collection", ProxyCollection)
TEXT = "text/plain; charset=utf-8"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_P = "/proxies/{proxy:[^/]+}"
_T = _P + "/toxics/{toxic:[^/]+}"


def build_app(collection: ProxyCollection) -> web.Application:
    """Return the aiohttp application serving `collection`."""
    app = web.Application(middlewares=[_middleware])
    app[COLLECTION] = collection
    routes: list[tuple[str, str, Handler]] = [
        ("GET", "/proxies", list_proxies),
        ("POST", "/proxies", create_proxy),
        ("POST", "/populate", populate),
        ("POST", "/reset", reset),
        ("GET", "/version", version),
        ("GET", _P, get_proxy),
        ("POST", _P, update_proxy),
        ("PATCH", _P, update_proxy),
        ("DELETE", _P, delete_proxy),
        ("GET", _P + "/toxics", list_toxics),
        ("POST", _P + "/toxics", create_toxic),
        ("GET", _T, get_toxic),
        ("POST", _T, update_toxic),
        ("PATCH", _T, update_toxic),
        ("DELETE", _T, delete_toxic),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, path, handler)
    return app


@web.middleware
async def _middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    # gorilla/mux fallbacks run no middleware: plain 404 text, empty 405.
    unmatched = request.match_info.http_exception
    if unmatched is not None:
        if unmatched.status == 405:
            return web.Response(status=405)
        return web.Response(status=404, body=b"404 page not found\n", headers=_text())
    response = await _guarded(request, handler)
    response.headers[REQUEST_ID] = uuid.uuid4().hex
    return response


async def _guarded(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.headers.get("User-Agent", "").startswith("Mozilla/"):
        # CSRF guard: a browser page must not be able to drive the proxy.
        return web.Response(status=403, body=b"User agent not allowed\n", headers=_text())
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(exc)
    except Exception as exc:  # clients need a JSON error body even for a bug
        log.exception("netproxy: %s %s failed", request.method, request.path)
        return error_response(ApiError(str(exc), 500))


def error_response(exc: ApiError) -> web.Response:
    """Render `{"error","status"}` plus newline as Go's http.Error sends it (text/plain)."""
    body = dumps({"error": exc.message, "status": exc.status}) + b"\n"
    return web.Response(status=exc.status, body=body, headers=_text())


def _text() -> dict[str, str]:
    return {"Content-Type": TEXT, "X-Content-Type-Options": "nosniff"}


def _json(value: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=dumps(value), content_type="application/json")


def _collection(request: web.Request) -> ProxyCollection:
    return request.app[COLLECTION]


async def _body(request: web.Request) -> Any:
    return parse_json(await request.read())


async def list_proxies(request: web.Request) -> web.Response:
    """GET /proxies: every proxy keyed by name."""
    return _json({p.name: render_proxy(p) for p in _collection(request).all()})


async def create_proxy(request: web.Request) -> web.Response:
    """POST /proxies: 201 with the new proxy."""
    config = specs.proxy_config(decode(ProxyBody, await _body(request)))
    collection = _collection(request)
    async with collection.lock:
        proxy = await collection.create(config)
        return _json(render_proxy(proxy), 201)


async def populate(request: web.Request) -> web.Response:
    """POST /populate: create or replace many; errors carry the proxies done so far."""
    collection = _collection(request)
    try:
        bodies = decode_list(ProxyBody, await _body(request))
        configs = [specs.proxy_config(b, f" at proxy {i}") for i, b in enumerate(bodies, 1)]
    except ApiError as exc:
        return _json({"error": exc.message, "status": exc.status, "proxies": []}, exc.status)
    async with collection.lock:
        done, error = await collection.populate(configs)
        rendered = [render_proxy(p) for p in done]
    if error is not None:
        return _json(
            {"error": error.message, "status": error.status, "proxies": rendered}, error.status
        )
    return _json({"proxies": rendered}, 201)


async def get_proxy(request: web.Request) -> web.Response:
    """GET /proxies/{proxy}."""
    return _json(render_proxy(_collection(request).get(request.match_info["proxy"])))


async def update_proxy(request: web.Request) -> web.Response:
    """POST or PATCH /proxies/{proxy}: merge listen, upstream and enabled over the current ones."""
    collection = _collection(request)
    async with collection.lock:
        proxy = collection.get(request.match_info["proxy"])
        body = decode(ProxyBody, await _body(request))
        await proxy.update(*specs.merged_update(proxy, body))
        return _json(render_proxy(proxy))


async def delete_proxy(request: web.Request) -> web.Response:
    """DELETE /proxies/{proxy}: 204 once its listener and connections are closed."""
    collection = _collection(request)
    async with collection.lock:
        await collection.delete(request.match_info["proxy"])
    return web.Response(status=204)


async def list_toxics(request: web.Request) -> web.Response:
    """GET /proxies/{proxy}/toxics."""
    proxy = _collection(request).get(request.match_info["proxy"])
    return _json([render_toxic(spec) for spec in proxy.toxics.all()])


async def create_toxic(request: web.Request) -> web.Response:
    """POST /proxies/{proxy}/toxics: 200 (not 201); applies to live connections at once."""
    collection = _collection(request)
    async with collection.lock:
        proxy = collection.get(request.match_info["proxy"])
        spec = specs.new_toxic(decode(ToxicBody, await _body(request)), proxy.toxics)
        proxy.toxics.add(spec)
        return _json(render_toxic(spec))


async def get_toxic(request: web.Request) -> web.Response:
    """GET /proxies/{proxy}/toxics/{toxic}."""
    proxy = _collection(request).get(request.match_info["proxy"])
    return _json(render_toxic(proxy.toxics.get(request.match_info["toxic"])))


async def update_toxic(request: web.Request) -> web.Response:
    """POST or PATCH /proxies/{proxy}/toxics/{toxic}: merge attributes and toxicity."""
    collection = _collection(request)
    async with collection.lock:
        proxy = collection.get(request.match_info["proxy"])
        spec = proxy.toxics.get(request.match_info["toxic"])
        spec = specs.updated_toxic(spec, decode(ToxicBody, await _body(request)))
        proxy.toxics.replace(spec)
        return _json(render_toxic(spec))


async def delete_toxic(request: web.Request) -> web.Response:
    """DELETE /proxies/{proxy}/toxics/{toxic}: buffered data is flushed, not dropped."""
    collection = _collection(request)
    async with collection.lock:
        proxy = collection.get(request.match_info["proxy"])
        proxy.toxics.remove(request.match_info["toxic"])
    return web.Response(status=204)


async def reset(request: web.Request) -> web.Response:
    """POST /reset: re-enable every proxy on its address and remove every toxic."""
    collection = _collection(request)
    async with collection.lock:
        await collection.reset()
    return web.Response(status=204)


async def version(request: web.Request) -> web.Response:
    """GET /version: the Toxiproxy release this server imitates."""
    body = f'{{"version": "{VERSION}"}}\n'.encode()
    return web.Response(body=body, headers={"Content-Type": "application/json;charset=utf-8"})
