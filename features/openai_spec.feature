@allure.label.epic:OpenAI_compatible_API @allure.label.parentSuite:OpenAI_compatible_API
@allure.link.docs:https://platform.openai.com/docs/api-reference/chat/create
Feature: The OpenAI-compatible API to the letter of OpenAI's reference
  The openai client, and the tools built on it, rely on more than the text of an answer: the finish
  reason tells them whether the answer was cut by the token limit or ends in a tool call; asked for
  it, the stream's usage comes in a chunk of its own before "data: [DONE]", and only then; the
  options they send (response format, tool choice, stop sequences, reasoning effort, metadata, image
  parts) must reach the model as they were sent, or the model cannot honour them; a request that
  breaks the schema is the client's mistake, told with a 4xx and a message; and the API key is sent
  the way the openai client sends it, "Authorization: Bearer <key>". OpenAI's API reference, and the
  tests of vLLM's OpenAI-compatible server, check exactly these.

  The chat model used here answers "tell me about alpha" with 6 pieces, "alpha-0" to " alpha-5"; a
  max_completion_tokens (or the older max_tokens) below 6 cuts it there. Offered a tool, and not told
  "none", it calls it instead of answering. It writes down every request as it received it.
  The embedding model turns a text into 4 numbers, and a list of token ids into 4 numbers too
  (their count, the first and last id divided by 8, and -1/4); asked for fewer dimensions, it
  answers the first ones.

  LitServe's request model gained max_completion_tokens in 0.2.6, metadata in 0.2.9 and
  reasoning_effort in 0.2.13: before that, it drops them before the model sees them.

  Background:
    Given a chat model server that records what it is asked, answers in 6 pieces 10 ms apart

  @id.openai-spec.finish-reason-says-why-it-ended
  @allure.label.story:Finish_reason @critical
  Scenario Outline: The finish reason says why the answer ended
    When a client asks for a chat answer of 6 pieces <request>, <streaming>
    Then the answer carries <pieces> pieces and ends with the finish reason "<reason>"

    @id.openai-spec.natural-end-is-stop
    Examples: the answer ends by itself
      | request            | streaming         | pieces | reason |
      | with max_tokens 10 | without streaming | 6      | stop   |

    @id.openai-spec.streamed-natural-end-is-stop
    Examples: the streamed answer ends by itself
      | request            | streaming         | pieces | reason |
      | with max_tokens 10 | with streaming    | 6      | stop   |

    @id.openai-spec.token-limit-is-length
    Examples: the token limit cuts it
      | request            | streaming         | pieces | reason |
      | with max_tokens 3  | without streaming | 3      | length |
      | with max_tokens 3  | with streaming    | 3      | length |

    @id.openai-spec.completion-token-limit-is-length @litserve.since:0.2.6.max_completion_tokens
    Examples: the completion token limit cuts it
      | request                       | streaming         | pieces | reason |
      | with max_completion_tokens 3  | without streaming | 3      | length |
      | with max_completion_tokens 3  | with streaming    | 3      | length |

    @id.openai-spec.tool-call-is-tool-calls
    Examples: the model calls a tool
      | request                     | streaming         | pieces | reason     |
      | offering the tool "lookup"  | without streaming | 0      | tool_calls |
      | offering the tool "lookup"  | with streaming    | 0      | tool_calls |

  @id.openai-spec.usage-only-when-asked
  @allure.label.story:Stream_usage @critical
  Scenario Outline: A stream carries the usage only when the client asks for it
    When a client streams a chat answer <options>
    Then the stream carries <count> chunk(s) with a usage

    @id.openai-spec.usage-when-asked
    Examples: asked
      | options               | count |
      | asking for the usage  | 1     |

    @id.openai-spec.no-usage-unless-asked
    Examples: not asked
      | options                  | count |
      | not asking for the usage | 0     |
      | without stream options   | 0     |

  @id.openai-spec.usage-chunk-of-its-own @allure.label.story:Stream_usage @normal
  Scenario: Asked for the usage, the stream sends it in a chunk of its own, the last before [DONE]
    When a client streams a chat answer asking for the usage
    Then the last chunk before [DONE] is a chunk of its own with no choices and the usage: 4 prompt tokens, 6 completion tokens and 10 in total

  @id.openai-spec.options-reach-the-model-as-sent
  @allure.label.story:Options_reach_the_model @critical
  Scenario Outline: The options a client sends reach the model as they were sent
    When a client asks the chat model for an answer with <option>
    Then the model received the request's <field> exactly as the client sent it

    @id.openai-spec.options-reach-the-model
    Examples: response format, tool choice, stop
      | option                                        | field           |
      | the response format "a JSON object"           | response_format |
      | the response format "the JSON schema answer"  | response_format |
      | the tool choice "none"                        | tool_choice     |
      | the tool choice "auto"                        | tool_choice     |
      | the stop sequence "END"                       | stop            |
      | the stop sequences "END" and "STOP"           | stop            |

    @id.openai-spec.required-or-named-tool-choice-reaches-the-model
    Examples: a tool choice that forces a tool
      | option                                  | field       |
      | the tool choice "required"              | tool_choice |
      | the tool choice "the function lookup"   | tool_choice |

    @id.openai-spec.metadata-reaches-the-model @litserve.since:0.2.9.chat_metadata
    Examples: metadata
      | option                                         | field    |
      | the metadata "team: search" and "tier: gold"   | metadata |

    @id.openai-spec.reasoning-effort-reaches-the-model @litserve.since:0.2.13.reasoning_effort
    Examples: reasoning effort
      | option                        | field            |
      | the reasoning effort "high"   | reasoning_effort |

  @id.openai-spec.image-parts-reach-the-model @allure.label.story:Options_reach_the_model @critical
  Scenario Outline: A message with image parts reaches the model intact
    When a client sends the chat model a message made of <parts>
    Then the model received the message's content parts exactly as the client sent them

    Examples:
      | parts                                           |
      | a text part and an image part with high detail  |
      | a text part and two image parts                 |

  @id.openai-spec.schema-breaking-request-is-4xx
  @allure.label.story:Schema_errors @critical
  Scenario Outline: A request that breaks the schema is told so with a 4xx, not a 500
    When a client sends the chat model a request with <broken>
    Then the client is told its request breaks the schema: a status in the 400s and a message naming the field

    @id.openai-spec.missing-fields-are-4xx
    Examples: missing or mistyped fields
      | broken                         |
      | no messages                    |
      | messages that are not a list   |
      | a message without a role       |

    @id.openai-spec.unknown-role-is-4xx
    Examples: a role OpenAI does not have
      | broken                            |
      | a message with the role "wizard"  |

    @id.openai-spec.no-choices-is-4xx
    Examples: fewer than one choice
      | broken                                  |
      | 0 choices (n = 0)                       |
      | a negative number of choices (n = -1)   |

  @id.openai-spec.openai-client-api-key
  @allure.label.story:Api_key @critical
  Scenario Outline: The openai client's API key opens a server that requires one
    Given a chat model server that records what it is asked, requires the API key "sk-letter"
    When <client> asks the chat model for an answer
    Then <outcome>

    @id.openai-spec.bearer-key-is-accepted
    Examples: as the openai client sends it
      | client                                              | outcome                          |
      | the openai client with the API key "sk-letter"    | the openai client gets the model's answer |

    @id.openai-spec.wrong-key-is-refused
    Examples: wrong keys, and the workaround LitServe users need today
      | client                                                                    | outcome                                   |
      | the openai client with the API key "wrong-key"                          | the openai client is refused with status 401 |
      | the openai client with the API key "sk-letter" in an X-API-Key header   | the openai client gets the model's answer |
