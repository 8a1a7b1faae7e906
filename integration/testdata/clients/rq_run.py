"""RQ against 127.0.0.1:<port>: enqueue jobs (one failing, one depending
on another), run a burst worker, and report results and registries."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from redis import Redis  # noqa: E402
from rq import Queue, SimpleWorker  # noqa: E402
from rq.registry import FailedJobRegistry, FinishedJobRegistry  # noqa: E402

import rq_jobs  # noqa: E402

r = Redis(port=int(sys.argv[1]))
r.flushdb()
q = Queue("accept", connection=r)
jobs = [q.enqueue(rq_jobs.add, i, i) for i in range(10)]
bad = q.enqueue(rq_jobs.fail, "on purpose")
first = q.enqueue(rq_jobs.add, 1, 2)
dep = q.enqueue(rq_jobs.add, 3, 4, depends_on=first)
print("queued", len(q), q.count)
w = SimpleWorker([q], connection=r)
print("worked", w.work(burst=True))
print("results", [j.return_value() if hasattr(j, "return_value") else j.result for j in jobs])
for j in jobs:
    j.refresh()
print("statuses", sorted({j.get_status() for j in jobs}))
bad.refresh()
print("failed status", bad.get_status(), "RuntimeError: on purpose" in (bad.exc_info or ""))
dep.refresh()
print("dependent", dep.get_status(), dep.result)
print("failed registry", FailedJobRegistry(queue=q).get_job_ids() == [bad.id])
print("finished registry", len(FinishedJobRegistry(queue=q)))
print("queue empty", len(q))
print("empty()", q.empty())
