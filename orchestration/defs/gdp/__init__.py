"""GDP and exchange-rate assets."""
