"""Addresses for many rows of one page, worked out once: `url_for` a row cost more than the row."""
from collections.abc import Callable

from flask import url_for

_SENTINEL = 2_147_483_647


def id_url(endpoint: str, key: str, **values) -> Callable[[int], str]:
    """A function from an id to `url_for(endpoint, key=id, **values)`, the address worked out once."""
    before, _, after = url_for(endpoint, **values, **{key: _SENTINEL}).rpartition(str(_SENTINEL))
    return lambda id: f"{before}{id}{after}"
