"""Where an index lives: the embedded Whoosh store, or an OpenSearch cluster."""
