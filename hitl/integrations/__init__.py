"""
Adapters for agent frameworks, each in its own module and extra: `hitl.integrations.langgraph`
(`pip install 'hitl[langgraph]'`). Importing `hitl`, `hitl_sync` or `hitl_async` never imports a framework.
"""
