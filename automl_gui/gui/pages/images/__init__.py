"""Pages of the window for image datasets (hosted in the same steps as the table pages)."""
