"""The JSON API under ``/api``: one router per resource, the same scoping as the pages."""
