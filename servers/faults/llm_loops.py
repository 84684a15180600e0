"""Faults in LitServe's continuous batching loop and in how it runs a loop of the user's own
(``features/continuous_batching.feature``, ``custom_loops``; see docs/continuous-batching.md)."""

from __future__ import annotations

from servers.faults.registry import fault

_CB = "litserve.loops.continuous_batching_loop.ContinuousBatchingLoop"
_CAPACITY = [(f"{_CB}.has_capacity", "lit_api.has_capacity()"), (f"{_CB}.prefill", "self.has_capacity(lit_api)")]
_STEP = [(f"{_CB}.step", "lit_api.step"), (f"{_CB}.run", "await self.step(")]
_LOOP = [("litserve.api.LitAPI.loop", "")]
#: 0.2.7 on: ``run`` lets a step with no outputs pass (0.2.19: logs, sleeps 10 ms and steps again; PR #429)
_EMPTY_STEP = [(f"{_CB}.step", "lit_api.step"), (f"{_CB}.run", "len(responses) == 0")]


@fault("cb_waits_for_running_batch", features=["continuous_batching"], scenarios="joins without waiting",
       requires=_CAPACITY)
def cb_waits_for_running_batch() -> None:
    """Continuous batching that waits: a new sequence is admitted only when no sequence is generating."""
    from litserve.loops.continuous_batching_loop import ContinuousBatchingLoop

    ContinuousBatchingLoop.has_capacity = lambda self, lit_api: (lit_api.has_capacity()
                                                                 and not lit_api.has_active_requests())


@fault("cb_max_batch_size_ignored", features=["continuous_batching"], scenarios="takes it at once",
       requires=_CAPACITY)
def cb_max_batch_size_ignored() -> None:
    """The loop ignores the model's capacity (max_batch_size): every request is admitted at once."""
    from litserve.loops.continuous_batching_loop import ContinuousBatchingLoop

    ContinuousBatchingLoop.has_capacity = lambda self, lit_api: True


@fault("cb_step_drops_token", features=["continuous_batching"], scenarios="each get exactly their own tokens",
       requires=_STEP)
def cb_step_drops_token() -> None:
    """A step drops a sequence's token: every third step, the first sequence's token is never sent."""
    from litserve.loops.continuous_batching_loop import ContinuousBatchingLoop
    from litserve.utils import LitAPIStatus

    original = ContinuousBatchingLoop.step
    counter = {"steps": 0}

    async def dropping(self, prev_outputs, lit_api, lit_spec):
        outputs = await original(self, prev_outputs, lit_api, lit_spec)
        if outputs:
            counter["steps"] += 1
        if counter["steps"] % 3 == 0 and outputs and outputs[0].status == LitAPIStatus.OK:
            return outputs[1:]
        return outputs

    ContinuousBatchingLoop.step = dropping


@fault("cb_error_ends_every_stream", features=["continuous_batching"], scenarios="sequence that fails ends with an error",
       requires=_STEP)
def cb_error_ends_every_stream() -> None:
    """One sequence's error ends every stream of its step: the others stop where they were."""
    from litserve.loops.continuous_batching_loop import ContinuousBatchingLoop
    from litserve.utils import LitAPIStatus

    original = ContinuousBatchingLoop.step

    async def spreading(self, prev_outputs, lit_api, lit_spec):
        outputs = await original(self, prev_outputs, lit_api, lit_spec)
        failed = [o for o in outputs if o.status == LitAPIStatus.ERROR]
        if not failed:
            return [o for o in outputs if o.uid in self.response_queue_ids]
        for uid in list(self.response_queue_ids):
            if uid != failed[0].uid:
                self.put_response(self._transport, self.response_queue_ids.pop(uid), uid, "",
                                  LitAPIStatus.FINISH_STREAMING, _streaming())
        return [o for o in outputs if o.uid in self.response_queue_ids]

    original_run = ContinuousBatchingLoop.run

    async def run(self, lit_api, device, worker_id, request_queue, transport, *args, **kwargs):
        self._transport = transport
        return await original_run(self, lit_api, device, worker_id, request_queue, transport, *args, **kwargs)

    ContinuousBatchingLoop.step = spreading
    ContinuousBatchingLoop.run = run


@fault("cb_empty_step_is_an_error", features=["continuous_batching"], scenarios="neither ended nor failed",
       requires=_EMPTY_STEP)
def cb_empty_step_is_an_error() -> None:
    """A step with no outputs is an error: every sequence in flight ends (the empty list fails ``run``'s check for
    ``Output``s, as before PR #429)."""
    from fastapi import HTTPException
    from litserve.loops.continuous_batching_loop import ContinuousBatchingLoop

    original = ContinuousBatchingLoop.step

    async def strict(self, prev_outputs, lit_api, lit_spec):
        outputs = await original(self, prev_outputs, lit_api, lit_spec)
        if not outputs:
            raise HTTPException(500, "Expected StepOutput from step()")
        return outputs

    ContinuousBatchingLoop.step = strict


@fault("cb_empty_step_finishes_streams", features=["continuous_batching"], scenarios="neither ended nor failed",
       requires=_EMPTY_STEP + [(f"{_CB}.mark_completed", "del self.response_queue_ids[uid]")])
def cb_empty_step_finishes_streams() -> None:
    """A step with no outputs is read as "nothing left to do": every stream in flight ends as complete."""
    from litserve.loops.continuous_batching_loop import ContinuousBatchingLoop, Output
    from litserve.utils import LitAPIStatus

    original = ContinuousBatchingLoop.step

    async def finishing(self, prev_outputs, lit_api, lit_spec):
        outputs = await original(self, prev_outputs, lit_api, lit_spec)
        if not outputs and self.response_queue_ids:
            return [Output(uid, "", LitAPIStatus.FINISH_STREAMING) for uid in list(self.response_queue_ids)]
        return [o for o in outputs if o.uid in self.response_queue_ids]  # sequences it ended stay forgotten

    ContinuousBatchingLoop.step = finishing


def _streaming():
    from litserve.utils import LoopResponseType

    return LoopResponseType.STREAMING


@fault("custom_loop_ignored", features=["custom_loops"], requires=_LOOP)
def custom_loop_ignored() -> None:
    """LitAPI(loop=...) ignored: LitServe runs its default loop instead of the user's."""
    from litserve.api import LitAPI
    from litserve.loops.loops import get_default_loop

    LitAPI.loop = property(lambda self: get_default_loop(self.stream, self.max_batch_size, self.enable_async),
                           lambda self, value: None)
