"""The embedded back ends of ``aftomato up``: a local executor in place of Kubernetes."""
