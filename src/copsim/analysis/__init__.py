"""Analysis: outcomes from time series, ensemble statistics and plots."""
