"""The openFDA label corpus: tables, streaming import, adverse-reaction extraction, queries."""
