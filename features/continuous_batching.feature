@allure.label.epic:LLM_serving @allure.label.parentSuite:LLM_serving
@allure.link.docs:https://lightning.ai/docs/litserve/features/continuous-batching
@litserve.since:0.2.6.continuous_batching
Feature: Continuous batching
  A language model generates its answer one token at a time. With continuous batching
  (LitAPI(loop=ContinuousBatchingLoop())) LitServe runs the model step by step: each step
  makes one token for every sequence being generated, a request that arrives meanwhile
  joins at the next step instead of waiting for the running ones to finish, a finished
  sequence leaves and frees its slot, and each client's stream gets its own tokens as
  they are made.

  The toy model used here makes one numbered token per step for every active sequence
  ("story-0", "story-1", ...), takes 20 ms per step, has 4 slots, and writes down after
  each step which sequences it advanced, so every Then can check the steps themselves.
  For the prompt "ponder" it first thinks for 10 steps, making no token for that sequence:
  a step in which only thinking sequences are active gives LitServe nothing at all, as
  libraries like vLLM sometimes do.

  Background:
    Given a toy language model served with continuous batching, generating for up to 4 sequences at a time, taking 20 ms per step, that fails after 2 chunks for the prompt "broken" and thinks for 10 steps before answering the prompt "ponder"

  @id.continuous-batching.late-request-joins-next-step
  @allure.label.story:Joining @blocker
  Scenario: A request that arrives while another is generating joins without waiting for it to finish
    When clients ask the toy model for tokens
      | client   | prompt | tokens | asks                       |
      | client-1 | story  | 16     | at the start               |
      | client-2 | poem   | 3      | when client-1 has 3 tokens |
    Then client-2's first token comes in a step that also advances client-1's sequence
    And every client receives exactly its own tokens, in order, from the steps that advanced its sequence

  @id.continuous-batching.streams-get-their-own-tokens
  @allure.label.story:Own_streams @critical
  Scenario: Clients arriving one after another each get exactly their own tokens
    When clients ask the toy model for tokens
      | client   | prompt | tokens | asks                       |
      | client-1 | alpha  | 5      | at the start               |
      | client-2 | beta   | 3      | at the start               |
      | client-3 | gamma  | 8      | after 20 ms                |
      | client-4 | delta  | 2      | after 40 ms                |
      | client-5 | eps    | 6      | when client-2 has 3 tokens |
      | client-6 | zeta   | 4      | when client-4 has 2 tokens |
    Then every client receives exactly its own tokens, in order, from the steps that advanced its sequence

  @id.continuous-batching.finished-sequence-frees-its-slot
  @allure.label.story:Slots @critical
  Scenario: A finished sequence leaves, and a request waiting for a slot takes it at once
    When clients ask the toy model for tokens
      | client   | prompt | tokens | asks                       |
      | client-1 | short  | 12     | at the start               |
      | client-2 | long2  | 16     | at the start               |
      | client-3 | long3  | 16     | at the start               |
      | client-4 | long4  | 16     | at the start               |
      | client-5 | waits  | 3      | when client-2 has 2 tokens |
    Then every client receives exactly its own tokens, in order, from the steps that advanced its sequence
    And no step advances more than 4 sequences
    And every client that had to wait for a free slot gets its first token within 200 ms of the first one freeing

  @id.continuous-batching.waiting-requests-served-in-turn
  @allure.label.story:Slots @normal
  Scenario: Requests waiting for a slot get one in the order they came
    When clients ask the toy model for tokens
      | client   | prompt | tokens | asks                        |
      | client-1 | short  | 12     | at the start                |
      | client-2 | long2  | 16     | at the start                |
      | client-3 | long3  | 16     | at the start                |
      | client-4 | long4  | 16     | at the start                |
      | client-5 | waits  | 3      | when client-2 has 2 tokens  |
      | client-6 | later  | 3      | when client-2 has 13 tokens |
    Then every client receives exactly its own tokens, in order, from the steps that advanced its sequence
    And the clients who asked later get their first token no earlier than those who asked before them

  @id.continuous-batching.failing-sequence-fails-alone
  @allure.label.story:Failures @critical
  Scenario: A sequence that fails ends with an error for its own client, and the others complete
    When clients ask the toy model for tokens
      | client   | prompt | tokens | asks         |
      | client-1 | story  | 6      | at the start |
      | client-2 | broken | 6      | at the start |
      | client-3 | tale   | 6      | at the start |
    Then client-2 receives only its first 2 tokens
    And every other client receives all its tokens, in order
    And client-2 can tell that its stream did not complete

  @id.continuous-batching.thinking-sequence-waits-for-its-tokens
  @allure.label.story:Thinking @critical
  Scenario: A sequence whose steps make no token for a while is neither ended nor failed, and then gets all its tokens
    When clients ask the toy model for tokens
      | client   | prompt | tokens | asks         |
      | client-1 | ponder | 4      | at the start |
      | client-2 | quick  | 3      | after 60 ms  |
    Then every client receives exactly its own tokens, in order, from the steps that advanced its sequence
    And at least 5 steps returned no output at all while client-1 was thinking
    And client-2's first token comes in a step in which client-1 is still thinking

  @id.continuous-batching.idle-server-rests
  @allure.label.story:Idle @normal
  Scenario: A server with nothing to generate does not keep a CPU core busy
    When the server has had nothing to do for 300 ms
    Then it used less than 5% of one CPU core meanwhile
