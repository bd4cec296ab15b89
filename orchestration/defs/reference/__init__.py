"""Reference tables: their asset and the checks of the loaded batches."""
