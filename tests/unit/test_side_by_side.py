"""Work side by side: engine code one thread at a time, waits overlapping, events in a serial run's order."""

from __future__ import annotations

import threading
import time

import pytest
from engine_support import LIST_ORDERS, PATCH_ORDER, READ_ORDER, engine

from isolation_harness.engine.bursts import side_by_side
from isolation_harness.engine.side_by_side import groups
from isolation_harness.engine.turns import Turns
from isolation_harness.events import CampaignResult, Event, PhaseStarted


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def on_event(self, event: Event, result: CampaignResult) -> None:
        self.events.append(event)


def test_reads_are_grouped_and_every_other_operation_stands_alone() -> None:
    assert [
        [op.label for op in group] for group in groups([LIST_ORDERS, READ_ORDER, PATCH_ORDER, LIST_ORDERS])
    ] == [
        ["GET /orders", "GET /orders/{order_id}"],
        ["PATCH /orders/{order_id}"],
        ["GET /orders"],
    ]


def test_turns_let_one_thread_run_engine_code_while_the_waits_overlap() -> None:
    turns = Turns()
    inside = 0
    most = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal inside, most
        with turns.taken():
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.01)
            with lock:
                inside -= 1
            with turns.waiting():
                time.sleep(0.2)

    started = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 1
    # Four waits of 0.2 s overlapped: well under the 0.8 s they take one after the other.
    assert time.perf_counter() - started < 0.6


def test_side_by_side_hands_out_each_items_events_in_the_items_order() -> None:
    setup = engine([LIST_ORDERS])
    recorder = Recorder()
    setup.ctx.bus.add(recorder)

    def work(item: tuple[str, float]) -> str:
        name, pause = item
        with setup.ctx.sender.turns.waiting():
            time.sleep(pause)
        setup.ctx.bus.emit(PhaseStarted(name))
        return name.upper()

    items = [("first", 0.15), ("second", 0.0), ("third", 0.05)]
    assert side_by_side(items, work, setup.ctx.sender, workers=3) == ["FIRST", "SECOND", "THIRD"]
    assert [event.phase for event in recorder.events if isinstance(event, PhaseStarted)] == [
        "first",
        "second",
        "third",
    ]


def test_a_failure_stops_the_others_and_still_hands_out_what_was_made() -> None:
    setup = engine([LIST_ORDERS])
    recorder = Recorder()
    setup.ctx.bus.add(recorder)
    stopping = threading.Event()
    told: list[int] = []

    def work(item: int) -> None:
        setup.ctx.bus.emit(PhaseStarted(str(item)))
        if item == 3:
            raise RuntimeError("the API went away")
        # The others run on until they are told to stop (the probe phase looks before each probe).
        with setup.ctx.sender.turns.waiting():
            if stopping.wait(timeout=5):
                told.append(item)

    started = time.perf_counter()
    with pytest.raises(RuntimeError, match="the API went away"):
        side_by_side([1, 2, 3], work, setup.ctx.sender, workers=3, stopping=stopping)
    assert sorted(told) == [1, 2]
    assert time.perf_counter() - started < 2
    assert [event.phase for event in recorder.events if isinstance(event, PhaseStarted)] == ["1", "2", "3"]
