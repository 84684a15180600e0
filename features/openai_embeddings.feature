@allure.label.epic:OpenAI_compatible_API @allure.label.parentSuite:OpenAI_compatible_API
@allure.link.docs:https://lightning.ai/docs/litserve/features/openai-embeddings
@litserve.since:0.2.5.openai_embedding_spec
Feature: OpenAI-compatible embeddings
  With OpenAIEmbeddingSpec (from LitServe 0.2.5 on), LitServe serves an embedding model at
  /v1/embeddings in the shape of OpenAI's Embeddings API: a client sends one text or a list of
  texts and gets one vector per text, in order, with the token usage. A client may ask for
  the vectors as lists of numbers ("float") or as base64 text ("base64": the numbers as
  little-endian 32-bit floats, which is what the official openai client asks for unless told
  otherwise, and decodes by itself).

  The embedding model used here turns a text into 4 numbers: its length, the codes of its
  first and last characters divided by 8, and minus a quarter of its word count. All of them
  are exact as 32-bit floats, so the base64 vectors must decode to exactly the float ones.
  It counts one token per word. With batching switched on, it writes down which texts it
  embedded together.

  LitServe accepted "encoding_format": "base64" before 0.2.19 but answered with floats
  anyway (0.2.5 refused it): the base64 scenario fails there, as a registered known defect.
  A list of texts sent to a server that batches requests is refused from 0.2.11 on (before,
  it was served as one request).

  @allure.label.story:Embeddings @blocker @id.openai-embeddings.one-text-or-a-list-of-texts-each-get-the-models
  Scenario Outline: One text or a list of texts each get the model's vector, in order, with the usage
    Given an embedding model server
    When a client asks for the embeddings of <texts>
    Then the answer holds the model's vector for each text, in order, with the indices 0 to <last>
    And the answer's usage is <tokens> prompt tokens and <tokens> in total

    Examples:
      | texts                                               | last | tokens |
      | the text "hello world"                              | 0    | 2      |
      | the texts "hello world"                             | 0    | 2      |
      | the texts "hello world", "abc" and "one two three"  | 2    | 6      |

  @allure.label.story:Base64_embeddings @critical @id.openai-embeddings.a-base64-embedding-decodes-to-exactly-the-float
  Scenario Outline: A base64 embedding decodes to exactly the float vector
    Given an embedding model server
    When a client asks for the embeddings of <texts> as floats and as base64
    Then the base64 answer, read as little-endian float32 numbers, holds exactly the vectors of the float answer

    Examples:
      | texts                                |
      | the text "hello world"               |
      | the texts "hello world" and "Zebra!" |

  @allure.label.story:Openai_client @blocker @id.openai-embeddings.the-openai-client-called-with-its-defaults-gets
  Scenario: The openai client, called with its defaults, gets the model's vectors
    Given an embedding model server
    When the openai client asks for the embeddings of the texts "hello world", "abc" and "one two three"
    Then the openai client gets the model's vector for each text, in order

  @allure.label.story:Batched_embeddings @critical @id.openai-embeddings.clients-asking-at-the-same-moment-each-get-their-own
  Scenario: Clients asking at the same moment each get their own vector from a batching server
    Given an embedding model server that embeds batches of up to 4 texts within 500 ms
    When 4 clients ask for the embeddings of their own texts at the same moment
    Then every client gets the model's vector for its own text
    And at least 2 of those texts were embedded together, in one batch

  @allure.label.story:Batched_embeddings @normal @litserve.since:0.2.11.embeddings_single_input_when_batching @id.openai-embeddings.a-list-of-texts-sent-to-a-batching-server-is-refused
  Scenario: A list of texts sent to a batching server is refused with a message that says why
    Given an embedding model server that embeds batches of up to 4 texts within 500 ms
    When a client asks for the embeddings of the texts "hello world", "abc" and "one two three"
    Then the client is answered with status 400 and a detail that says "send a single input"
