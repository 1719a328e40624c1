"""
Adapters for agent frameworks, each in its own module and extra: `hitl.integrations.langgraph`
(`hitl[langgraph]`), `hitl.integrations.openai_agents` (`hitl[openai-agents]`) and
`hitl.integrations.pydantic_ai` (`hitl[pydantic-ai]`). Importing `hitl`, `hitl_sync` or `hitl_async` never
imports a framework.
"""
