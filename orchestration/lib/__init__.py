"""Plain Python libraries: parsers, clients, loaders and the check engine. No Dagster here."""
