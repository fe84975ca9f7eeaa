"""Keys for values kept in the shared cache until what they were made of changes.

A cached value's key holds the current versions of what it was made of, e.g. the
quarter's and the register's (``versions([("quarter", 7), ("register", 0)])``). A
write that changes any of them bumps its version (``bump("quarter", 7)``): the next
request misses, computes afresh and stores under the new key; the old entry expires
unused. With Redis as the cache every app server sees the same versions, so a write
through one is seen on the next request to any.
"""

import uuid

from django.core.cache import cache


def _version_key(kind, ident):
    return f"version:{kind}:{ident}"


def versions(things):
    """The current version of each (kind, id) in ``things``, in order."""
    keys = [_version_key(kind, ident) for kind, ident in things]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, timeout=None)  # the first to ask sets it
            found[key] = cache.get(key)
    return [found[key] for key in keys]


def bump(kind, ident):
    """What (kind, id) names has changed: every value made of it is stale now."""
    cache.set(_version_key(kind, ident), uuid.uuid4().hex, timeout=None)
