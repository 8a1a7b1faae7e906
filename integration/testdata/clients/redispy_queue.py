"""A redis-py work queue: threads loop BRPOP / BLMOVE while a producer
pushes jobs. Prints a summary that must be the same on Redis and Cairn."""
import sys
import threading
import time

import redis

port = int(sys.argv[1])


def client():
    return redis.Redis(host="127.0.0.1", port=port, decode_responses=True)


r = client()
r.delete("high", "low", "src", "p", *r.keys("processing:*"))

JOBS = 1000
WORKERS = 4
seen = []
lock = threading.Lock()


def brpop_worker():
    c = client()
    while True:
        item = c.brpop(["high", "low"], timeout=5)
        if item is None:
            print("worker timed out")
            return
        _, job = item
        if job == "stop":
            return
        with lock:
            seen.append(job)


threads = [threading.Thread(target=brpop_worker) for _ in range(WORKERS)]
for t in threads:
    t.start()
for i in range(JOBS):
    r.lpush("high" if i % 4 == 0 else "low", "job%d" % i)
# Sentinels go last on the low queue: every job is taken before them.
while r.exists("high", "low"):
    time.sleep(0.01)
for _ in range(WORKERS):
    r.lpush("low", "stop")
for t in threads:
    t.join()
print("brpop: delivered", len(seen), "distinct", len(set(seen)))

# A reliable queue with BLMOVE and acknowledgement by LREM.
moved = []


def blmove_worker(n):
    c = client()
    processing = "processing:%d" % n
    while True:
        job = c.blmove("src", processing, timeout=5, src="RIGHT", dest="LEFT")
        if job is None or job == "stop":
            c.lrem(processing, 1, job or "")
            return
        with lock:
            moved.append(job)
        c.lrem(processing, 1, job)


threads = [threading.Thread(target=blmove_worker, args=(n,)) for n in range(WORKERS)]
for t in threads:
    t.start()
for i in range(JOBS):
    r.lpush("src", "m%d" % i)
while r.exists("src"):
    time.sleep(0.01)
for _ in range(WORKERS):
    r.lpush("src", "stop")
for t in threads:
    t.join()
print("blmove: delivered", len(moved), "distinct", len(set(moved)))
print("queue keys left:", sorted(r.keys("processing:*")), r.exists("src", "high", "low"))

start = time.time()
print("brpop on empty:", r.brpop(["empty"], timeout=1))
print("waited about a second:", 0.8 < time.time() - start < 3)
print("lpos:", r.rpush("p", "a", "b", "a"), r.lpos("p", "a", rank=-1), r.lpos("p", "a", count=0))
print("lmpop:", r.execute_command("LMPOP", 2, "nokey", "p", "LEFT", "COUNT", 2))
