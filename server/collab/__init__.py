"""Live co-editing: one Yjs document per section over the y-websocket protocol."""
