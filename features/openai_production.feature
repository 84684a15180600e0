@allure.label.epic:OpenAI_compatible_API @allure.label.parentSuite:OpenAI_compatible_API
@allure.link.docs:https://lightning.ai/docs/litserve/features/open-ai-spec
@litserve.since:0.2.5
Feature: The OpenAI-compatible chat API in production configurations
  Chat models are served behind OpenAISpec the way production needs them: an async model that
  interleaves many streams in one worker (enable_async), a model that generates for a batch of
  requests at once (max_batch_size above 1), several inference workers behind several API servers.
  In each of them, clients streaming at the same moment must each get a complete answer of their
  own, piece by piece as the model produces it, through the raw wire and through the openai
  client; and a client that leaves in the middle of a stream must not keep the model busy with an
  answer nobody reads.

  The chat model used here answers "tell me about alpha" with 6 pieces, "alpha-0" to " alpha-5",
  60 ms apart; "tell me everything about alpha" goes on for 15 pieces. It writes down when it
  produced each piece, in which worker process and in which batch, so the suite can tell a live
  stream from a buffered one, and streams produced together from streams produced one after
  another. Each client asks about its own name, so every piece says whose it is.

  The async scenarios apply from 0.2.13 on: enable_async exists from 0.2.9, but behind OpenAISpec
  LitServe refused an async generator as predict until 0.2.11 (LitServe PR 499), and until 0.2.13
  refused a model whose only async hook is predict, the way LitServe documents it (PR 552). LitServe does not stop a
  generation whose client left (issue 165, closed as won't fix; PR 223 was not merged).

  @id.openai-production.concurrent-streams-each-get-their-own
  @allure.label.story:Production_concurrent_streams @blocker
  Scenario Outline: Clients streaming at the same moment each get their own answer, as it is produced
    Given <server>
    When <count> <clients> stream answers from the chat model at the same moment, each about its own topic
    Then every client's stream carries its own 6 pieces, in order, and ends as a complete answer
    And every client got its first piece before the model had produced that stream's last piece
    And <proof>

    @id.openai-production.async-model-streams @litserve.since:0.2.13
    Examples: an async model
      | server                                                                                 | count | clients        | proof                                          |
      | an async chat model server that records what it is asked, answers in 6 pieces 60 ms apart | 4     | clients        | one worker produced the streams at the same time |
      | an async chat model server that records what it is asked, answers in 6 pieces 60 ms apart | 2     | openai clients | one worker produced the streams at the same time |

    @id.openai-production.batched-model-streams
    Examples: a model that batches
      | server                                                                                                       | count | clients        | proof                                                   |
      | a chat model server that records what it is asked, answers in 6 pieces 60 ms apart, batching up to 2 streams within 250 ms | 4     | clients        | at least 2 of the streams were produced together, in one batch |
      | a chat model server that records what it is asked, answers in 6 pieces 60 ms apart, batching up to 2 streams within 250 ms | 2     | openai clients | at least 2 of the streams were produced together, in one batch |

    @id.openai-production.several-workers-streams
    Examples: several workers and API servers
      | server                                                                                                              | count | clients        | proof                                    |
      | a chat model server that records what it is asked, answers in 6 pieces 60 ms apart, with 2 inference workers and 2 API servers | 2     | clients        | 2 workers produced the streams, one each         |
      | a chat model server that records what it is asked, answers in 6 pieces 60 ms apart, with 2 inference workers and 2 API servers | 2     | openai clients | 2 workers produced the streams, one each         |

  @id.openai-production.client-leaving-midstream-frees-the-model
  @allure.label.story:Production_client_leaves @critical
  Scenario Outline: A client that leaves mid-stream frees the model for the next client
    Given <server>
    When a client streaming a long answer leaves after 2 pieces, and then another client streams an answer
    Then the model stops producing the answer of the client that left within 5 pieces of its leaving
    And the next client's stream carries its own 6 pieces, in order, and ends as a complete answer

    @id.openai-production.async-model-client-leaves @litserve.since:0.2.13
    Examples: an async model
      | server                                                                                 |
      | an async chat model server that records what it is asked, answers in 6 pieces 60 ms apart |

    @id.openai-production.batched-model-client-leaves
    Examples: a model that batches
      | server                                                                                                       |
      | a chat model server that records what it is asked, answers in 6 pieces 60 ms apart, batching up to 2 streams within 250 ms |

    @id.openai-production.several-workers-client-leaves
    Examples: several workers and API servers
      | server                                                                                                              |
      | a chat model server that records what it is asked, answers in 6 pieces 60 ms apart, with 2 inference workers and 2 API servers |
