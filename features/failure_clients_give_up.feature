@allure.label.epic:Failure_modes @allure.label.parentSuite:Failure_modes
Feature: Clients that give up
  A client may disconnect before its answer is complete: a user closes the page in the
  middle of a streamed reply, or a client stops waiting while its request sits in a
  batch. The clients that stay must get their own complete answers, and the server
  must go on serving without hanging.

  @allure.label.story:Disconnect_mid_stream @blocker @id.failure-clients-give-up.after-a-client-leaves-in-the-middle-of-a-stream
  Scenario: After a client leaves in the middle of a stream, the next client gets its complete stream
    Given a streaming model server that produces chunks 100 ms apart
    When a client leaves after 2 chunks of a reply of 10 chunks, and then another client streams a reply of 3 chunks
    Then the other client receives exactly 3 chunks, in order, and the stream ends cleanly

  @fixture.fresh_server @allure.label.story:Disconnect_mid_stream @critical @id.failure-clients-give-up.a-stream-nobody-reads-any-more-stops-so-the-next
  Scenario: A stream nobody reads any more stops, so the next client does not wait for it
    Given a streaming model server that produces chunks 100 ms apart
    When a client leaves after 2 chunks of a reply of 20 chunks, and then another client streams a reply of 3 chunks
    Then the other client's first chunk is made before the abandoned reply would have been finished

  @fixture.fresh_server @allure.label.story:Give_up_in_batch @critical @id.failure-clients-give-up.a-client-that-gives-up-while-waiting-for-its-batch
  Scenario: A client that gives up while waiting for its batch does not harm the other members
    Given a model server that squares numbers in batches of up to 4 within 300 ms, taking 300 ms per batch
    When 4 clients ask at the same moment and one of them gives up after 100 ms
    Then every client that waited gets the square of its own number
    When 3 other clients ask at the same moment
    Then every client gets the square of its own number
