@allure.label.epic:LLM_serving @allure.label.parentSuite:LLM_serving
@allure.link.docs:https://lightning.ai/docs/litserve/features/continuous-batching
@litserve.since:0.2.6.continuous_batching
Feature: Continuous batching behind the OpenAI-compatible API
  This is how language models are deployed with LitServe: the model generates step by step
  with continuous batching (LitAPI(loop=ContinuousBatchingLoop())), and clients talk to it
  through the OpenAI-compatible chat API (spec=OpenAISpec()), with the official openai client
  or on the raw wire. Clients chatting at the same time must each get their whole answer and
  only their own words, a client that arrives while others are being answered must join the
  running generation at the next step, a streamed answer must end the way OpenAI clients
  expect (a last chunk with the finish reason, then [DONE]), and a client that does not stream
  must get the whole text at once.

  The toy model used here is the one of the continuous batching feature, behind the chat API:
  asked "tell me a story" with at most 16 tokens, it answers "story-0 story-1 ... story-15",
  one token per step for every sequence it is generating, takes 20 ms per step, has 4 slots,
  and writes down after each step which sequences it advanced and which token it made for each,
  so every Then can compare what a client got with the steps themselves.

  Background:
    Given a toy language model served with continuous batching behind the OpenAI-compatible API, generating for up to 4 sequences at a time, taking 20 ms per step

  @id.continuous-batching-openai.chat-streams-join-and-complete
  @allure.label.story:OpenAI_chat_streams @blocker
  Scenario Outline: Chat streams each get exactly their own tokens, a late one joins at the next step, and each ends as OpenAI clients expect
    When clients ask the toy model for chat answers, <how>
      | client   | prompt | tokens | asks                       |
      | client-1 | story  | 16     | at the start               |
      | client-2 | poem   | 3      | when client-1 has 3 tokens |
      | client-3 | song   | 5      | when client-2 has 1 token  |
    Then every client receives exactly its own tokens, in order, from the steps that advanced its sequence
    And client-2's first token comes in a step that also advances client-1's sequence
    And every client's stream ends with <ending>

    @id.continuous-batching-openai.chat-streams-on-the-wire
    Examples: on the wire
      | how                  | ending                                                   |
      | streamed on the wire | a last chunk whose finish reason is "stop", then [DONE] |

    @id.continuous-batching-openai.chat-streams-through-the-openai-client
    Examples: through the openai client (which does not show [DONE])
      | how                                | ending                                      |
      | streamed through the openai client | a last chunk whose finish reason is "stop" |

  @id.continuous-batching-openai.whole-answers-join-and-complete
  @allure.label.story:OpenAI_chat_whole_answers @critical
  Scenario Outline: Clients that do not stream get the whole text, generated beside the others
    When clients ask the toy model for chat answers, <how>
      | client   | prompt | tokens | asks         |
      | client-1 | story  | 16     | at the start |
      | client-2 | poem   | 3      | after 60 ms  |
    Then every client receives exactly its own tokens, in order, from the steps that advanced its sequence
    And client-2's first token comes in a step that also advances client-1's sequence
    And every client's answer is one assistant message whose finish reason is "stop"

    @id.continuous-batching-openai.whole-answers-on-the-wire
    Examples: on the wire
      | how                            |
      | without streaming, on the wire |

    @id.continuous-batching-openai.whole-answers-through-the-openai-client
    Examples: through the openai client
      | how                                          |
      | without streaming, through the openai client |
