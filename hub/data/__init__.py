"""Data shipped with the hub: published results, the 2025 merger of provinces, the regions."""
