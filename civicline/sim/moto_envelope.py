"""Two pure functions of every AWS call's envelope, computed once while the simulator runs.

Why: the envelope of an AWS call (botocore's client side, moto's request routing and parsing) is
most of a simulated day (docs/decisions.md, "Simulation: where a day's CPU goes now"), and two of its
steps rebuild, on every call, a value that depends only on things fixed for the day:

* botocore's ``UserAgentString.to_string`` assembles the ``User-Agent`` header twice per call
  (once for the request dictionary, once more in its ``request-created`` handler), sanitising about
  fifteen components with regular expressions each time: 4 % of a day under cProfile. The string
  is a function of the user-agent object's own fields (SDK, platform, Python, execution
  environment, client features), of the client configuration's user-agent, app-id, retry-mode and
  endpoint-discovery settings, and of the request context's feature set. It is remembered by all
  of those: the same inputs give the string botocore built for them first. (One difference: botocore
  joins the feature ids of a *set*, so two equal sets built in another order could list them in
  another order; a remembered string lists them in the order of its first build. moto reads the
  header only to find a region when the URL has none, which every client here has.)
* moto's ``BaseBackend.urls`` formats every URL pattern of the service for every request it routes
  (``botocore_stubber.process_request``), 1.5 % of a day. It is a function of the backend's class,
  its URL module's ``url_bases`` and ``url_paths`` and the ``MOTO_ENABLE_ISO_REGIONS`` setting; it
  is remembered by those. S3's backend reloads its URL module on every request (twice: once for
  the bases, once for the paths; 0.9 ms of each S3 call), because its bases add the endpoints of the
  ``MOTO_S3_CUSTOM_ENDPOINTS`` setting to a fixed list and its paths are fixed; its map is
  remembered by that setting, the ISO setting and the class. Any other backend with a URL module of
  its own choosing keeps moto's property.

tests/simulation/test_perf_moto_envelope.py checks both against the libraries' own code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from civicline.sim.moto_patch import Swap, replaced

_SAVED: dict[str, Any] = {}
#: strings and URL maps by their inputs; cleared when full (a day uses a few of each)
_AGENTS: dict[Any, str] = {}
_URLS: dict[Any, dict[str, Callable[..., Any]]] = {}
MAX_ENTRIES = 256
_NOT_SUPPLIED = object()
_CONFIG_FIELDS = ("user_agent", "user_agent_extra", "user_agent_appid", "endpoint_discovery_enabled")


def _config_key(config: Any) -> Any:
    if config is None:
        return None
    retries = config.retries
    return (
        type(config),
        getattr(config, "_supplied_user_agent", _NOT_SUPPLIED),
        tuple(getattr(config, name, None) for name in _CONFIG_FIELDS),
        tuple(sorted(retries.items())) if isinstance(retries, dict) else retries,
    )


def _agent_key(agent: Any) -> Any:
    from botocore import useragent
    from botocore.context import get_context

    fields = tuple((name, _field_key(name, value)) for name, value in vars(agent).items())
    context = get_context()
    features = frozenset(context.features) if context is not None else frozenset()
    return type(agent), id(useragent.modify_components), fields, features


def _field_key(name: str, value: Any) -> Any:
    if name == "_client_config":
        return _config_key(value)
    if isinstance(value, set | frozenset):
        return frozenset(value)
    return value


def remembered_user_agent(agent: Any) -> str:
    """``UserAgentString.to_string``, remembered by every input it reads (module docstring)."""
    try:
        key = _agent_key(agent)
        found = _AGENTS.get(key)
    except TypeError:  # an unhashable field: botocore builds it
        return str(_SAVED["user_agent"](agent))
    if found is None:
        found = str(_SAVED["user_agent"](agent))
        if len(_AGENTS) >= MAX_ENTRIES:
            _AGENTS.clear()
        _AGENTS[key] = found
    return found


def remembered_urls(backend: Any) -> dict[str, Callable[..., Any]]:
    """``BaseBackend.urls``, remembered by the backend's class, its URL module and the ISO setting."""
    from moto.settings import enable_iso_regions

    urls_property: Any = _SAVED["urls"]
    key = _urls_key(backend, enable_iso_regions())
    if key is None:
        return dict(urls_property.fget(backend))
    found = _URLS.get(key)
    if found is None:
        found = urls_property.fget(backend)
        if len(_URLS) >= MAX_ENTRIES:
            _URLS.clear()
        _URLS[key] = found
    return dict(found)


def _urls_key(backend: Any, iso: bool) -> Any:
    """What a backend's URL map depends on, or None for a URL module this does not know."""
    from moto.core.base_backend import BaseBackend
    from moto.s3.models import S3Backend
    from moto.settings import get_s3_custom_endpoints

    url_module = type(backend)._url_module
    if url_module is BaseBackend._url_module:
        module = backend._url_module
        return (type(backend), tuple(module.url_bases), tuple(module.url_paths.items()), iso)
    if url_module is S3Backend._url_module:
        return (type(backend), "s3", tuple(get_s3_custom_endpoints()), iso)
    return None


@contextmanager
def remembered_envelope() -> Iterator[None]:
    """Install both on botocore's user-agent builder and moto's backend class, then restore."""
    from botocore.useragent import UserAgentString
    from moto.core.base_backend import BaseBackend

    swaps = (
        Swap("user_agent", UserAgentString, "to_string", remembered_user_agent),
        Swap("urls", BaseBackend, "urls", property(remembered_urls)),
    )
    with replaced(_SAVED, *swaps, forget=(_AGENTS, _URLS)):
        yield
