"""Runs a Celery worker with broker and result backend on 127.0.0.1:<port>
and sends it tasks: plain, countdown, retry, group, chord, a failing one;
then shuts the worker down through a broadcast and reports its exit."""
import os
import subprocess
import sys
import time

T0 = time.time()


def log(*a):
    if os.environ.get("CAIRN_TIMING"):
        print("%.2f" % (time.time() - T0), *a, file=sys.stderr)

here = os.path.dirname(os.path.abspath(__file__))
os.environ["CAIRN_URL"] = "redis://127.0.0.1:%s/0" % sys.argv[1]
sys.path.insert(0, here)

from celery import chord, group  # noqa: E402

from celery_app import add, app, boom, flaky, tsum  # noqa: E402

app.backend.client.flushdb()
worker = subprocess.Popen(
    [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "-P", "threads", "-c", "4",
     "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"],
    cwd=here, env=os.environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
try:
    log("start")
    print("add", add.delay(2, 3).get(timeout=30))
    log("add")
    t0 = time.time()
    r = add.apply_async((10, 20), countdown=1)
    print("countdown", r.get(timeout=30), time.time() - t0 >= 1)
    log("countdown")
    print("retry", flaky.delay().get(timeout=30))
    print("group", group(add.s(i, i) for i in range(5))().get(timeout=30))
    log("group")
    print("chord", chord(add.s(i, i) for i in range(5))(tsum.s()).get(timeout=30))
    log("chord")
    try:
        boom.delay().get(timeout=30)
    except ValueError as e:
        print("failure", type(e).__name__, e)
    log("failure")
    res = add.delay(1, 1)
    res.get(timeout=30)
    log("one")
    print("state", res.state, res.successful())
    log("state")
    print("many", sum(r.get(timeout=60) for r in [add.delay(i, 1) for i in range(50)]))
finally:
    log("tasks done")
    app.control.shutdown()
    try:
        code = worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        code = "timeout"
    out = worker.stdout.read().decode()
    log("worker exited")
print("worker exit", code)
if code != 0:
    print(out)
