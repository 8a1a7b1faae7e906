"""Drive Cairn with redis-py as an application would; print one line per
check so the Go test can compare against what real Redis prints."""
import sys
import redis

r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), decode_responses=True)
r.flushall()
print("ping", r.ping())
print("set", r.set("greeting", "hello"))
print("get", r.get("greeting"))
print("set_nx", r.set("greeting", "x", nx=True))
print("set_ex", r.set("session", "data", ex=100), r.ttl("session"))
print("incr", r.incr("counter"), r.incrby("counter", 10), r.decr("counter"))
print("incrbyfloat", r.incrbyfloat("float", 0.1), r.incrbyfloat("float", 0.2))
print("mset", r.mset({"a": "1", "b": "2", "c": "3"}))
print("mget", r.mget(["a", "b", "missing"]))
print("append", r.append("greeting", " world"), r.strlen("greeting"))
print("getrange", r.getrange("greeting", 0, 4))
print("exists", r.exists("a", "b", "missing"))
print("type", r.type("a"), r.type("missing"))
print("expire", r.expire("a", 50), r.ttl("a"), r.persist("a"), r.ttl("a"))
print("rename", r.rename("b", "b2"), r.get("b2"))
print("delete", r.delete("c", "missing"))
print("keys", sorted(r.keys("*")))
print("scan_iter", sorted(r.scan_iter(match="*", count=2)))
pipe = r.pipeline(transaction=False)
for i in range(100):
    pipe.set(f"p{i}", i)
pipe.get("p99")
print("pipeline", pipe.execute()[-1])
print("dbsize", r.dbsize())
try:
    r.incr("greeting")
except redis.ResponseError as e:
    print("error", e)
print("getdel", r.getdel("greeting"), r.get("greeting"))
print("client_setname", r.client_setname("py"), r.client_getname())
print("info_version", r.info("server")["redis_version"])
print("config_get", r.config_get("maxmemory-policy"))
