@allure.label.epic:Failure_modes @allure.label.parentSuite:Failure_modes
@allure.link.docs:https://lightning.ai/docs/litserve/features/streaming
Feature: When a stream fails
  A streaming model can fail after it has produced some chunks, or before the first
  one. The client must receive every chunk produced before the failure, in order, and
  nothing made up after it. It must also be able to tell that its reply is incomplete,
  and the server must go on serving other streams.

  LitServe starts a streamed answer with status 200 before the model has produced
  anything, so it cannot change the status afterwards. What it can still do is end
  the stream in a way the client can tell from a complete one.

  The model used here streams numbered chunks ("story-0", "story-1", ...) and is told
  on purpose to fail at a given chunk for one prompt. The one that fails before its first
  chunk also refuses the prompt "forbidden", so that one server serves both ways a stream
  can end before it starts (the refusal is specified in "When the model fails or rejects
  a request").

  @allure.label.story:Stream_fails_midway @blocker @id.failure-streams.a-stream-that-fails-midway-delivers-the-chunks-made
  Scenario: A stream that fails midway delivers the chunks made before the failure, and the next stream is complete
    Given a streaming model server that fails after 3 chunks for the prompt "story"
    When a client streams a reply of 8 chunks to "story"
    Then the client receives exactly 3 chunks, "story-0" to "story-2", in order
    When a client streams a reply of 8 chunks to "other"
    Then the client receives exactly 8 chunks, "other-0" to "other-7", in order
    And the stream ends cleanly

  @allure.label.story:Stream_fails_midway @critical @id.failure-streams.a-client-can-tell-a-stream-that-failed-midway-from
  Scenario: A client can tell a stream that failed midway from a complete one
    Given a streaming model server that fails after 3 chunks for the prompt "story"
    When a client streams a reply of 8 chunks to "story"
    Then the client can tell that its stream did not complete

  @allure.label.story:Stream_fails_at_start @critical @id.failure-streams.a-stream-that-fails-before-its-first-chunk
  Scenario: A stream that fails before its first chunk is answered with a server error
    Given a streaming model server that fails after 0 chunks for the prompt "story" and refuses the prompt "forbidden" with status 422
    When a client streams a reply of 8 chunks to "story"
    Then the stream is answered with status 500

  @allure.label.story:Stream_fails_at_start @normal @id.failure-streams.after-a-stream-that-failed-before-its-first-chunk
  Scenario: After a stream that failed before its first chunk, the next stream is complete
    Given a streaming model server that fails after 0 chunks for the prompt "story" and refuses the prompt "forbidden" with status 422
    When a client streams a reply of 8 chunks to "story"
    Then the client receives no chunks
    When a client streams a reply of 8 chunks to "other"
    Then the client receives exactly 8 chunks, "other-0" to "other-7", in order

  @allure.label.story:Batched_stream_fails @critical @id.failure-streams.a-batched-stream-that-fails-midway-gives-every
  Scenario: A batched stream that fails midway gives every member its chunks up to the failure, and the next batch is complete
    Given a streaming model server that batches up to 4 streams within 300 ms, produces 6 chunks and fails after 2 chunks for any batch with client-2
    When 3 clients stream replies at the same moment
    Then client-2 and every client batched with it receive only their first 2 chunks, and every other client its complete stream of 6 chunks
    When 2 other clients stream replies at the same moment
    Then every client receives its own 6 chunks in order, and nothing from another client

  @allure.label.story:Batched_stream_fails @normal @id.failure-streams.one-refused-stream-in-a-batch-does-not-take
  Scenario: One refused stream in a batch does not take the other members' streams down with it
    Given a streaming model server that batches up to 4 streams within 300 ms, produces 6 chunks and refuses client-2 with status 422
    When 3 clients stream replies at the same moment
    Then client-2's stream is answered with status 422 and the detail "rejected: client-2"
    And every other client receives its own 6 chunks in order
