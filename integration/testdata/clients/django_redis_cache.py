"""django-redis against a server on 127.0.0.1:<port>: cache operations
and cache.lock(). Prints one line per check; the Go test compares the
output with real Redis's."""
import sys
import threading
import time

import django
from django.conf import settings

port = sys.argv[1]
settings.configure(
    CACHES={
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:%s/0" % port,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
)
django.setup()
from django.core.cache import cache  # noqa: E402

cache.clear()
cache.set("a", "hello", timeout=100)
print("get", cache.get("a"))
print("get missing", cache.get("missing", "dflt"))
cache.set("n", 10)
print("incr", cache.incr("n"), cache.incr("n", 5), cache.decr("n", 2))
try:
    cache.incr("nope")
except ValueError as e:
    print("incr missing", e)
cache.set("obj", {"x": [1, 2, 3]})
print("pickled", cache.get("obj"))
cache.set_many({"m1": 1, "m2": "two", "m3": [3]}, timeout=50)
print("get_many", sorted(cache.get_many(["m1", "m2", "m3", "mx"]).items()))
print("ttl", cache.ttl("a") in (99, 100), cache.ttl("n"), cache.ttl("missing"))
print("add", cache.add("a", "x"), cache.add("b", "y"))
print("touch", cache.touch("b", 30), cache.ttl("b") in (29, 30))
print("persist", cache.persist("b"), cache.ttl("b"))
print("keys", sorted(cache.keys("m*")))
print("delete_pattern", cache.delete_pattern("m*"), sorted(cache.keys("*")))
print("delete", cache.delete("a"), cache.delete("a"))
print("has_key", cache.has_key("b"), cache.has_key("a"))

# Locks (redis-py's Lock: SET NX PX and Lua scripts to release/extend).
lock = cache.lock("L", timeout=5, blocking_timeout=0.2)
print("acquire", lock.acquire())
other = cache.lock("L", timeout=5, blocking_timeout=0.2)
print("other acquire", other.acquire())
print("extend", lock.extend(5))
print("owned", lock.owned(), other.owned())
lock.release()
print("other after release", other.acquire())
other.release()
try:
    other.release()
except Exception as e:
    print("double release", type(e).__name__)

# Contended counter through the lock: no lost update.
cache.set("counter", 0)


def work():
    for _ in range(20):
        with cache.lock("cl", timeout=5, sleep=0.001):
            v = cache.get("counter")
            cache.set("counter", v + 1)


threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("counter", cache.get("counter"))
cache.clear()
print("clear", cache.keys("*"))
