@allure.label.epic:OpenAI_compatible_API @allure.label.parentSuite:OpenAI_compatible_API
@allure.link.docs:https://lightning.ai/docs/litserve/features/open-ai-spec
Feature: OpenAI-compatible chat completions
  With OpenAISpec, LitServe serves a chat model at /v1/chat/completions in the shape of
  OpenAI's Chat Completions API, so that the official openai client, and every tool built
  for OpenAI, can talk to it. The model yields its answer piece by piece. Without streaming,
  LitServe joins the pieces into one assistant message; with streaming, it sends each piece
  as a server-sent event ("data: {...}" and a blank line) as soon as it is produced, then a
  last event with the finish reason and the token usage, then "data: [DONE]".

  The chat model used here answers a message with pieces about its last word: "tell me about
  alpha" is answered "alpha-0", " alpha-1", " alpha-2" and so on, 50 ms apart, 6 pieces unless
  the client sets max_tokens. Its last piece reports the usage: one prompt token per word of
  the message, one completion token per piece. Offered a tool, it calls it with the topic as
  its argument instead of answering. It refuses some topics with an HTTP error status, and
  fails on purpose after 3 pieces on the topic "broken". It writes down when it produced each
  piece, so the suite can tell a live stream from a buffered one.

  A streamed answer starts with status 200 before the model has produced anything, so a
  failure after that cannot change the status. A complete answer ends with finish reason
  "stop" and "data: [DONE]"; a stream that failed must not end like that, and must carry an
  error event that clients can read: an event is only delivered once a blank line ends it, so
  an unfinished last event is dropped by every SSE client, the openai client among them.

  LitServe releases before 0.2.5 labelled the stream "application/x-ndjson" instead of
  "text/event-stream" (LitServe issue 359): the openai client reads it anyway, but SSE clients
  refuse it, so there the scenarios that read the stream as server-sent events fail, as
  registered known defects of those releases.

  Background:
    Given a chat model server that answers in 6 pieces 50 ms apart, refuses forbidden with status 403 and nonsense with status 400 and fails after 3 pieces on "broken"

  @allure.label.story:Chat_answer @blocker @id.openai-chat.an-answer-without-streaming-is-one-assistant-message
  Scenario Outline: An answer without streaming is one assistant message with the model's pieces and usage
    When a client asks the chat model "<message>" with max_tokens <pieces>
    Then the answer is a chat completion whose one assistant message is "<content>", with finish reason "stop"
    And the answer's usage is <prompt> prompt tokens, <pieces> completion tokens and <total> in total

    Examples:
      | message             | pieces | content                                         | prompt | total |
      | tell me about alpha | 1      | alpha-0                                         | 4      | 5     |
      | tell me about alpha | 6      | alpha-0 alpha-1 alpha-2 alpha-3 alpha-4 alpha-5 | 4      | 10    |
      | beta                | 3      | beta-0 beta-1 beta-2                            | 1      | 4     |

  @allure.label.story:Chat_stream_on_the_wire @blocker @id.openai-chat.a-streamed-answer-is-a-well-formed-event-stream
  Scenario: A streamed answer is a well-formed event stream: the pieces in order, the usage, then [DONE]
    When a client streams the chat model's answer to "tell me about gamma"
    Then the stream is sent as server-sent events: every event one "data:" line of JSON, ended by a blank line
    And the chunks are chat completion chunks carrying the 6 pieces "gamma-0" to "gamma-5" as deltas, one per chunk, in order
    And the last data event has finish reason "stop" and the usage: 4 prompt tokens, 6 completion tokens and 10 in total
    And the stream ends with exactly "data: [DONE]"

  @allure.label.story:Chat_stream_incremental @blocker @id.openai-chat.streamed-pieces-reach-the-client-while-the-model
  Scenario: Streamed pieces reach the client while the model is still producing them
    When a client streams the chat model's answer to "tell me about delta" with max_tokens 10
    Then the first piece reaches the client before the model has produced half of its 10 pieces

  @allure.label.story:Openai_client @blocker @id.openai-chat.the-openai-client-gets-the-models-text-streamed
  Scenario Outline: The openai client gets the model's text, streamed or not
    When the openai client asks the chat model "tell me about epsilon" <streaming>
    Then the openai client gets the text "epsilon-0 epsilon-1 epsilon-2 epsilon-3 epsilon-4 epsilon-5"

    Examples:
      | streaming         |
      | with streaming    |
      | without streaming |

  @allure.label.story:Openai_client @critical @id.openai-chat.asked-for-2-choices-the-openai-client-gets-two
  Scenario Outline: Asked for 2 choices, the openai client gets two complete choices
    When the openai client asks the chat model "tell me about zeta" for 2 choices <streaming>
    Then the openai client gets 2 choices, with indices 0 and 1, each with the text "zeta-0 zeta-1 zeta-2 zeta-3 zeta-4 zeta-5"

    Examples:
      | streaming         |
      | with streaming    |
      | without streaming |

  @allure.label.story:Tool_calls @critical @id.openai-chat.a-tool-call-reaches-the-openai-client
  Scenario Outline: A tool call reaches the openai client as the message's tool calls
    When the openai client asks the chat model "what about eta" <streaming>, offering the tool "lookup"
    Then the openai client gets one call of the tool "lookup" with the topic "eta" as its argument

    Examples:
      | streaming         |
      | with streaming    |
      | without streaming |

  @allure.label.story:Concurrent_chat_streams @critical @id.openai-chat.several-clients-streaming-at-once-each-get-their-own
  Scenario: Several clients streaming at once each get their own complete answer
    When 4 clients stream chat answers at the same moment, each about its own name
    Then every client's stream carries its own 6 pieces, in order, and ends with "data: [DONE]"

  @allure.label.story:Chat_refusal @critical @id.openai-chat.a-refused-request-reaches-the-client-and-the-openai
  Scenario Outline: A refused request reaches the client, and the openai client, with the model's status and detail
    When a client asks the chat model "tell me about <topic>"
    Then the first client is answered with status <status> and the detail "rejected: <topic>"
    When the openai client asks the chat model "tell me about <topic>" without streaming
    Then the openai client raises <error> with status <status> and the detail "rejected: <topic>"

    Examples:
      | topic     | status | error                 |
      | forbidden | 403    | PermissionDeniedError |
      | nonsense  | 400    | BadRequestError       |

  @allure.label.story:Chat_stream_fails_midway @critical @id.openai-chat.a-stream-that-fails-midway-carries-the-pieces-made
  Scenario: A stream that fails midway carries the pieces made before the failure and does not look complete
    When a client streams the chat model's answer to "tell me about broken"
    Then the stream carries only the 3 pieces "broken-0" to "broken-2", in order, and the stream does not end like a complete answer
    When a client streams the chat model's answer to "tell me about theta"
    Then the chunks are chat completion chunks carrying the 6 pieces "theta-0" to "theta-5" as deltas, one per chunk, in order

  @allure.label.story:Chat_stream_fails_midway @critical @id.openai-chat.the-openai-client-is-told-that-a-stream-failed
  Scenario: The openai client is told that a stream failed midway
    When a client streams the chat model's answer to "tell me about broken"
    Then the stream ends with an error event, framed like every other event
    When the openai client asks the chat model "tell me about broken" with streaming
    Then the openai client raises an error saying "Internal Server Error"

  @allure.label.story:Chat_refusal @normal @id.openai-chat.a-refused-streaming-request-reaches-the-client
  Scenario: A refused streaming request reaches the client with the model's status and detail
    When a client streams the chat model's answer to "tell me about forbidden"
    Then the stream is answered with status 403 and the detail "rejected: forbidden"
    When the openai client asks the chat model "tell me about forbidden" with streaming
    Then the openai client raises an error saying "rejected: forbidden"
