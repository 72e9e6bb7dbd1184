"""The knowledge base: articles that help solve problems, found by search and suggested
for orders."""
