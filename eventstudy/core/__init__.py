"""Pure numerical core: numpy arrays in, arrays and frozen dataclasses out. No pandas labels, I/O or settings."""
