"""Code both apps share: standards engine, node→hub wire schemas, administrative units."""
