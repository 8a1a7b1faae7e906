"""Functions the RQ acceptance test enqueues."""


def add(x, y):
    return x + y


def fail(msg):
    raise RuntimeError(msg)
