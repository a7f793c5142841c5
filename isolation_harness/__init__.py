"""isolation-harness: find cross-tenant data leaks in multi-tenant HTTP APIs."""
