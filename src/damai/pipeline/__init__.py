"""Pipeline stages: ingest today; understand, respond and alert stages join here later."""
