"""Celery application for the acceptance test: broker and result backend
on the server named by CAIRN_URL."""
import os

from celery import Celery

url = os.environ["CAIRN_URL"]
app = Celery("cairn_accept", broker=url, backend=url)
app.conf.update(
    broker_connection_retry_on_startup=True,
    result_expires=300,
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    broker_transport_options={"visibility_timeout": 60},
)


@app.task
def add(x, y):
    return x + y


@app.task
def tsum(xs):
    return sum(xs)


@app.task(bind=True, max_retries=3)
def flaky(self):
    if self.request.retries < 2:
        raise self.retry(countdown=0.2)
    return "ok after %d retries" % self.request.retries


@app.task
def boom():
    raise ValueError("boom")
