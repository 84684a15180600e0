@allure.label.epic:LLM_serving @allure.label.parentSuite:LLM_serving
@allure.link.docs:https://lightning.ai/docs/litserve/features/full-control
@litserve.since:0.2.11.lit_loop_v2
Feature: A loop of one's own
  LitServe lets a user replace the loop that feeds requests to the model: a subclass of
  LitLoop, passed as LitAPI(loop=...), takes each request from LitServe's queue, calls the
  model's hooks in its own order and sends the answer back. The loop used here is the one
  LitServe documents (the example in LitServe's LitLoop base class): it loads a cache for
  the request before decoding it, then predicts and encodes.

  The loop's run may also be asynchronous (async def run), which LitServe runs in an event
  loop of its own.

  The model squares numbers and lists, in every answer, the loop that served it and the
  hooks that loop called, in the order it called them.

  @id.custom-loops.loop-serves-every-request
  @allure.label.story:Own_loop @critical
  Scenario: A model served by a loop of its own answers every client through that loop
    Given a model server that squares numbers in a loop of its own, that fails in predict for 13
    When 4 clients ask at the same moment
    Then every client gets the square of its own number
    And every answer came through the "cache-first" loop, which called load_cache, decode_request, predict and encode_response in that order

  @id.custom-loops.async-loop-serves-every-request
  @fixture.fresh_server @allure.label.story:Own_loop @critical
  Scenario: A loop of one's own whose run is asynchronous answers every client through that loop
    Given a model server that squares numbers in an async loop of its own
    When 4 clients ask at the same moment, each waiting at most 2 seconds
    Then every client gets the square of its own number
    And every answer came through the "async-cache-first" loop, which called load_cache, decode_request, predict and encode_response in that order

  @id.custom-loops.failed-request-gets-an-error
  @allure.label.story:Own_loop @critical
  Scenario: A request the model fails in a loop of its own gets an error, and the loop goes on
    Given a model server that squares numbers in a loop of its own, that fails in predict for 13
    When a client asks for the square of 13, then another client asks for the square of 4
    Then the first client is answered with status 500 and a short error that reveals nothing of the model
    And the second client gets the square of its own number
