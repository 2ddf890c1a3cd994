"""Worker processes that run one function over a stream of tasks, handing results back in order.

:class:`WorkerPool` starts up to ``processes`` worker processes, lazily (a short input that
needs one task never starts a second). Each worker builds its handler once, from a
``setup`` function and a settings text, and then answers one task at a time; the pool reads
the next task while the workers work, keeps at most twice as many tasks out as it has
workers, and yields the results in the order of the tasks.

How it stays out of its caller's way:

* Workers are started through an explicit ``spawn`` context: a fresh interpreter each, so
  no lock held by another thread of the caller is copied into them, and nothing
  process-wide (the start method, signal handlers, the garbage collector) is changed in the
  calling process. Python's ``multiprocessing`` starts its own small resource-tracker
  process the first time; it ends with the program.
* What crosses a pipe is plain data: the settings text (JSON), and tasks and results made of
  ``str``, ``bytes``, ``int``, ``bool``, ``None``, tuples and lists. ``multiprocessing``
  carries them with its standard pipe pickling; no object of this library crosses, and
  nothing is pickled to disk.
* Workers ignore SIGINT (Ctrl-C reaches the whole process group; the calling process decides
  what it means) and end when their pipe closes, so a killed caller leaves none behind.
  Any exception in the calling process while the pool is open (``KeyboardInterrupt``, an
  exception raised by a SIGTERM handler) terminates every worker before it propagates.
* A worker that fails reports only the exception's type and where it was raised, never its
  message (which could quote the input); the pool raises :class:`WorkerError`.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing import resource_tracker
from multiprocessing.connection import Connection, wait
from typing import Any

__all__ = ["WorkerError", "WorkerPool", "usable_cores"]

Handler = Callable[[Any], Any]
Setup = Callable[[str], Handler]
"""Builds a worker's handler from the settings text; must be a module-level function."""

_STOP_SECONDS = 5.0


class WorkerError(RuntimeError):
    """A worker process failed or was stopped from outside; the message names no input."""


_END = object()


def usable_cores() -> int:
    """Return the number of CPU cores this process may run on (at least 1)."""
    counter = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counter is not None:
        return int(counter() or 1)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def _describe(exc: BaseException) -> str:
    """Name the exception's type and where it was raised; never its message."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}{where}"


def _serve(setup: Setup, settings: str, tasks: Connection, results: Connection) -> None:
    """Run a worker process: build the handler, then answer tasks until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        # Born with both held (see _interrupts_held): SIGINT is now ignored, and a SIGTERM
        # that came meanwhile ends the worker quietly, as SIGTERM does.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD_SIGNALS)
    handler: Handler | None = None
    failure = ""
    try:
        handler = setup(settings)
    except Exception as exc:
        failure = _describe(exc)
    gc.freeze()  # this process's own collector: what setup built is never walked again
    while True:
        try:
            message = tasks.recv()
        except (EOFError, OSError):  # the calling process has gone
            return
        if message is None:
            return
        index, task = message
        reply: tuple[int, bool, Any]
        if handler is None:
            reply = (index, False, failure)
        else:
            try:
                reply = (index, True, handler(task))
            except Exception as exc:
                reply = (index, False, _describe(exc))
        try:
            results.send(reply)
        except OSError:
            return


_HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM}
"""Signals held while a worker starts."""


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM in this thread while a worker starts.

    The worker is born with them held, ignores SIGINT and lets both through once it runs.
    The calling thread gets any Ctrl-C or SIGTERM that came meanwhile as soon as the start
    returns, so its handler never interrupts a half-started worker, which would then be left
    reading from a closed pipe (and print a traceback) instead of being stopped.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    # The resource tracker, started with the first worker, lets SIGINT through again once
    # it has started: start it first.
    resource_tracker.ensure_running()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class _Worker:
    """One worker process and the two pipes to it (started by :meth:`start`)."""

    def __init__(self, context: Any, setup: Setup, settings: str) -> None:
        self._task_reader, self.tasks = context.Pipe(duplex=False)
        self.results, self._result_writer = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_serve,
            args=(setup, settings, self._task_reader, self._result_writer),
            name="efh-screen worker",
            daemon=True,
        )
        self.holding: int | None = None  # index of the task it is working on

    def start(self) -> None:
        """Start the process; this side then keeps only its own ends of the pipes."""
        try:
            with _interrupts_held():
                self.process.start()
        finally:
            self._task_reader.close()
            self._result_writer.close()

    def give(self, index: int, task: object) -> None:
        try:
            self.tasks.send((index, task))
        except OSError:  # it stopped before reading (e.g. it could not start)
            raise WorkerError(self.died()) from None
        self.holding = index

    def take(self) -> tuple[int, Any]:
        """Receive the result of the task held; raise if the worker failed or died."""
        try:
            index, ok, payload = self.results.recv()
        except (EOFError, OSError):
            raise WorkerError(self.died()) from None
        self.holding = None
        if not ok:
            raise WorkerError(f"a worker process failed ({payload}); run again with one job")
        return index, payload

    def died(self) -> str:
        self.process.join(_STOP_SECONDS)
        return f"a worker process stopped unexpectedly (exit code {self.process.exitcode})"

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.tasks.send(None)
        self.process.join(_STOP_SECONDS)
        if self.process.is_alive():
            self.terminate()
        self.close()

    def terminate(self) -> None:
        if self.process.pid is not None:  # (it may not have been started)
            self.process.terminate()
            self.process.join(_STOP_SECONDS)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
        self.close()

    def close(self) -> None:
        for end in (self.tasks, self.results, self._task_reader, self._result_writer):
            end.close()


class WorkerPool:
    """Up to ``processes`` worker processes running one handler; use it as a context manager.

    Parameters
    ----------
    setup : callable
        A module-level function ``setup(settings) -> handler``, run once in each worker.
    settings : str
        The text ``setup`` gets (JSON by convention).
    processes : int
        The most workers to start (1 or more).

    Notes
    -----
    Leaving the ``with`` block normally stops the workers after their current task;
    leaving it with any exception terminates them at once.
    """

    def __init__(self, setup: Setup, settings: str, *, processes: int) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._setup = setup
        self._settings = settings
        self._processes = processes
        self._workers: list[_Worker] = []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        for worker in self._workers:
            if exc_type is None:
                worker.stop()
            else:
                worker.terminate()
        self._workers = []

    def map(self, tasks: Iterable[Any]) -> Iterator[Any]:
        """Yield ``handler(task)`` for each task, in the order of the tasks.

        Tasks are read one ahead of the workers, so a worker that finishes gets its next
        task at once; the workers a round of tasks needs are all started before the first
        is given one, so they start side by side.

        Raises
        ------
        WorkerError
            If a worker fails or stops unexpectedly.
        """
        self._source = iter(tasks)
        self._ready: deque[Any] = deque()
        self._exhausted = False
        done: dict[int, Any] = {}
        given = yielded = 0
        idle: list[_Worker] = []
        while True:
            out = 2 * self._processes - (given - yielded)  # room left in the window
            free = min(len(idle) + self._processes - len(self._workers), out)
            self._read_ahead(free + 1)
            idle += [self._start_worker() for _ in range(min(len(self._ready), free) - len(idle))]
            while self._ready and idle and given - yielded < 2 * self._processes:
                idle.pop().give(given, self._ready.popleft())
                given += 1
            if yielded in done:
                yield done.pop(yielded)
                yielded += 1
            elif given == yielded:
                return
            else:
                for worker in self._finished():
                    index, result = worker.take()
                    done[index] = result
                    idle.append(worker)

    def _read_ahead(self, wanted: int) -> None:
        while not self._exhausted and len(self._ready) < wanted:
            task = next(self._source, _END)
            if task is _END:
                self._exhausted = True
            else:
                self._ready.append(task)

    def _start_worker(self) -> _Worker:
        worker = _Worker(self._context, self._setup, self._settings)
        self._workers.append(worker)  # before it starts, so an interrupt still stops it
        worker.start()
        return worker

    def _finished(self) -> list[_Worker]:
        """Wait until some busy worker has a result (or has died); return those that do."""
        busy = [worker for worker in self._workers if worker.holding is not None]
        by_handle: dict[Any, _Worker] = {}
        for worker in busy:
            by_handle[worker.results] = worker
            by_handle[worker.process.sentinel] = worker
        ready = wait(list(by_handle))
        finished = []
        for handle in ready:
            worker = by_handle[handle]
            if worker in finished:
                continue
            if handle is worker.results or worker.results.poll():
                finished.append(worker)
            else:
                raise WorkerError(worker.died())
        return finished
