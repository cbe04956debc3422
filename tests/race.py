"""Run functions at the same moment, each in its own thread with its own connection."""

import threading

from django.db import close_old_connections


def race(functions):
    """Each function's result, or the exception it raised, in order."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index, function):
        close_old_connections()
        barrier.wait()
        try:
            results[index] = function()
        except Exception as error:  # noqa: BLE001 - the test inspects what each got
            results[index] = error
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results
