@allure.label.epic:OpenAI_compatible_API @allure.label.parentSuite:OpenAI_compatible_API
@allure.link.docs:https://platform.openai.com/docs/api-reference/embeddings/create
@litserve.since:0.2.5.openai_embedding_spec
Feature: OpenAI-compatible embeddings to the letter: dimensions and token ids
  OpenAI's Embeddings API takes "dimensions", the number of numbers a client wants in each vector
  (models that can shorten their embeddings answer that many), and takes its input as text or as
  token ids: one list of ids, or a list of such lists. Clients that tokenize on their side (and
  the openai client's users who pass token ids) rely on both reaching the model as sent.

  The embedding model used here turns a text into 4 numbers (its length, the codes of its first and
  last characters divided by 8, minus a quarter of its word count) and a list of token ids into 4
  numbers (how many ids, the first and last id divided by 8, and -1/4); asked for fewer dimensions,
  it answers the first ones. It counts one token per word, or per id, and writes down each request
  as it received it.

  LitServe's embedding request takes token ids from 0.2.6 on.

  @id.openai-embeddings-spec.dimensions-reach-the-model @allure.label.story:Embedding_dimensions @critical
  @litserve.since:0.2.6.embedding_request_user
  Scenario Outline: A client asking for fewer dimensions gets the model's shortened vectors
    Given an embedding model server
    When a client asks for <dimensions>-number embeddings of <texts>
    Then the model received the embedding request's dimensions exactly as the client sent it
    And the answer holds, for each input in order, the model's vector shortened to <dimensions> numbers

    Examples:
      | dimensions | texts                                |
      | 2          | the text "hello world"               |
      | 3          | the texts "hello world" and "Zebra!" |

  @id.openai-embeddings-spec.openai-client-dimensions @allure.label.story:Embedding_dimensions @normal
  Scenario: The openai client asking for 2 dimensions gets the model's first 2 numbers
    Given an embedding model server
    When the openai client asks for 2-number embeddings of the texts "hello world" and "abc"
    Then the openai client gets, for each text, the model's vector shortened to 2 numbers

  @litserve.since:0.2.6.embedding_token_ids
  @id.openai-embeddings-spec.token-ids @allure.label.story:Embedding_token_ids @critical
  Scenario Outline: Token ids are embedded like text, one vector per list
    Given an embedding model server
    When a client asks for the embeddings of the token ids <ids>
    Then the model received the embedding request's input exactly as the client sent it
    And the answer holds the model's vector for each token-id list, in order, and counts <tokens> tokens

    Examples:
      | ids                   | tokens |
      | 15, 27 and 8          | 3      |
      | 15, 27 and 3; 8 and 9 | 5      |

  @litserve.since:0.2.6.embedding_token_ids
  @id.openai-embeddings-spec.token-ids-to-a-batching-server @allure.label.story:Embedding_token_ids @normal
  Scenario: One list of token ids sent to a batching server is one input, and is embedded
    Given an embedding model server that embeds batches of up to 4 texts within 500 ms
    When a client asks for the embeddings of the token ids 15, 27 and 8
    Then the answer holds the model's vector for each token-id list, in order, and counts 3 tokens
