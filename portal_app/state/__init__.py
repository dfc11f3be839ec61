"""rx.State classes: view data and thin event handlers that call services.

Any public method here can be called by any client with any payload: handlers
authorise through services and keep secrets in `_private` vars or nowhere."""
