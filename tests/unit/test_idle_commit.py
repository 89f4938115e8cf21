"""streams.idle_commit: when the worker starts a commit of its own (no broker: a stand-in consumer counts them)."""
from __future__ import annotations

import asyncio

from streams.idle_commit import IdleCommit, install
from streams.settings import Settings
from streams.app import create_app


class FakeConsumer:
    def __init__(self) -> None:
        self._commit_fut = None
        self.commits = 0

    async def commit(self) -> bool:
        self.commits += 1
        return True


class FakeApp:
    rebalancing = False
    should_stop = False

    def __init__(self) -> None:
        self.consumer = FakeConsumer()


def _sensor(quiet_s: float = 0.005):
    app = FakeApp()
    return app, IdleCommit(app, quiet_s)


async def _until(condition, timeout: float = 5.0) -> None:
    """Wait for `condition` (a loaded CI machine may run the sensor's timer late); fail after `timeout`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "the condition never held"
        await asyncio.sleep(0.005)


def _event(sensor: IdleCommit) -> None:
    sensor.on_stream_event_in(None, 0, None, None)
    sensor.on_stream_event_out(None, 0, None, None)


def test_a_commit_starts_once_the_worker_is_quiet_and_not_again_without_new_work():
    async def run():
        app, sensor = _sensor()
        _event(sensor)
        await _until(lambda: app.consumer.commits == 1)
        sensor.on_commit_initiated(app.consumer)  # what the commit itself reports
        await asyncio.sleep(0.05)
        assert app.consumer.commits == 1  # nothing processed since: no second commit
        _event(sensor)
        await _until(lambda: app.consumer.commits == 2)

    asyncio.run(run())


def test_no_commit_while_events_keep_coming_or_one_is_in_processing():
    async def run():
        app, sensor = _sensor(quiet_s=0.2)
        for _ in range(10):  # a steady stream: never quiet for 200 ms
            _event(sensor)
            await asyncio.sleep(0.005)
        assert app.consumer.commits == 0
        sensor.on_stream_event_in(None, 0, None, None)  # taken, still in processing
        await asyncio.sleep(0.5)
        assert app.consumer.commits == 0
        sensor.on_stream_event_out(None, 0, None, None)
        await _until(lambda: app.consumer.commits == 1)

    asyncio.run(run())


def test_no_commit_while_one_is_under_way_or_the_assignment_changes():
    async def run():
        app, sensor = _sensor()
        app.consumer._commit_fut = asyncio.get_running_loop().create_future()  # the timer's commit
        _event(sensor)
        await asyncio.sleep(0.03)
        app.rebalancing = True
        app.consumer._commit_fut = None
        _event(sensor)
        await asyncio.sleep(0.03)
        assert app.consumer.commits == 0

    asyncio.run(run())


def test_installed_under_exactly_once_only():
    assert any(isinstance(s, IdleCommit) for s in create_app(Settings()).sensors)
    assert not any(isinstance(s, IdleCommit) for s in create_app(Settings(idle_commit_ms=0)).sensors)
    assert install(create_app(Settings(processing_guarantee="at_least_once")), 2.0) is None
